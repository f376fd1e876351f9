/**
 * An Iceberg schema for a table: field ids follow column ordinal order (so regenerating gives the same ids), the
 * primary key becomes `identifier-field-ids`, and types Iceberg lacks (JSON, enums, unknown) become strings.
 */
import { FloeError } from '../errors.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { NestedField } from '../iceberg/spec/types.js';
import type { SourceColumn, SourceTable } from '../sources/source-schema.js';

/** Iceberg's largest decimal precision (spec: "Primitive Types"). */
const MAX_PRECISION = 38;

/** The Iceberg type of a column. Throws `UNSUPPORTED` for a decimal wider than 38 digits. */
export function icebergType(column: SourceColumn): string {
  switch (column.normalized) {
    case 'boolean': return 'boolean';
    case 'smallint': case 'integer': return 'int';
    case 'bigint': return 'long';
    case 'decimal': {
      // A bare NUMERIC has no declared precision: the widest decimal with 18 fraction digits, as Spark does.
      if (column.precision === undefined) return 'decimal(38,18)';
      if (column.precision > MAX_PRECISION) {
        throw new FloeError('UNSUPPORTED', `column ${column.name}: decimal(${column.precision},${column.scale ?? 0}) exceeds Iceberg's precision ${MAX_PRECISION}`, {
          context: { column: column.name, type: column.type },
        });
      }
      return `decimal(${column.precision},${column.scale ?? 0})`;
    }
    case 'float': return 'float';
    case 'double': return 'double';
    case 'date': return 'date';
    case 'time': return 'time';
    case 'timestamp': return 'timestamp';
    case 'timestamptz': return 'timestamptz';
    case 'uuid': return 'uuid';
    case 'binary': return 'binary';
    default: return 'string';
  }
}

/** Options of {@link tableIcebergSchema}. */
export interface IcebergSchemaOptions {
  schemaId?: number;
}

/**
 * The Iceberg schema of a table. Primary-key columns are required and listed as identifier fields (floating
 * point keys cannot be identifiers in Iceberg: `INVALID_ARGUMENT`).
 */
export function tableIcebergSchema(table: SourceTable, options: IcebergSchemaOptions = {}): Schema {
  const columns = [...table.columns].sort((a, b) => a.ordinal - b.ordinal);
  const fields: NestedField[] = columns.map((c, i) => {
    const f: NestedField = { id: i + 1, name: c.name, required: !c.nullable || table.primary_keys.includes(c.name), type: icebergType(c) };
    if (c.comment) f.doc = c.comment;
    return f;
  });
  const ids = table.primary_keys.map((pk) => {
    const f = fields.find((x) => x.name === pk);
    if (!f) throw new FloeError('INVALID_ARGUMENT', `primary key column ${pk} is not a column of ${table.name}`, { context: { table: table.name, column: pk } });
    if (f.type === 'float' || f.type === 'double') {
      throw new FloeError('INVALID_ARGUMENT', `primary key column ${pk} is ${f.type}: Iceberg identifier fields cannot be floating point`, { context: { table: table.name, column: pk } });
    }
    return f.id;
  });
  return { type: 'struct', 'schema-id': options.schemaId ?? 0, 'identifier-field-ids': ids, fields };
}
