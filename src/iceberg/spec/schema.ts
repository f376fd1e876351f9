/**
 * Iceberg schemas (spec: "Schemas"): a struct with a schema id and identifier fields.
 */
import type { NestedField } from './types.js';

/** A table schema in the spec's JSON shape. */
export interface Schema {
  type: 'struct';
  'schema-id': number;
  'identifier-field-ids'?: number[];
  fields: NestedField[];
}
