/**
 * The updates that create a table, with ids assigned fresh the way Iceberg does on create (Java
 * `TableMetadata.newTableMetadata`): whatever ids the caller's schema carries, the table's schema gets ids 1..n, its
 * partition spec and sort order are re-pointed at those ids, partition field ids start at 1000 and the sort order gets
 * id 1 (0 when unsorted). The list has the shape a REST client sends with a create transaction (assign-uuid,
 * upgrade-format-version, add-schema, set-current-schema -1, add-spec, set-default-spec -1, add-sort-order,
 * set-default-sort-order -1, set-location, set-properties), so every catalog creates tables through the same
 * applier as commits.
 */
import { randomUUID } from 'node:crypto';
import { FloeError } from '../../errors.js';
import type { PartitionSpec } from './partition-spec.js';
import { V1_FIRST_PARTITION_FIELD_ID } from './partition-spec.js';
import type { Schema } from './schema.js';
import type { SortOrder } from './sort-order.js';
import { UNSORTED_ORDER_ID } from './sort-order.js';
import type { IcebergType, NestedField } from './types.js';
import type { TableUpdate } from './table-update.js';

/** What creating a table needs (the catalog's `CreateTableRequest` with the location resolved). */
export interface NewTableRequest {
  /** Field ids in it are replaced; partition spec and sort order refer to the ids given here. */
  schema: Schema;
  /** Unpartitioned when absent. */
  partitionSpec?: PartitionSpec;
  /** Unsorted when absent. */
  sortOrder?: SortOrder;
  properties?: Record<string, string>;
  location: string;
  /** Default 2, or the `format-version` property when that is set (as Java reads it). */
  formatVersion?: 1 | 2 | 3;
  /** Random when absent. */
  uuid?: string;
}

/** Table property choosing the format version on create; reserved, so never stored (Java `TableProperties`). */
export const FORMAT_VERSION_PROPERTY = 'format-version';

/** Format version of new tables when none is asked for (the reference implementation's default). */
export const DEFAULT_FORMAT_VERSION = 2;

/**
 * The updates that create the table `req` describes, ids assigned fresh (see the module comment). Commit them with
 * the single requirement `assert-create`. Throws `INVALID_ARGUMENT` when the spec, sort order or identifier fields
 * name a column id the schema lacks (or carries twice), or for a bad format version.
 */
export function updatesForNewTable(req: NewTableRequest): TableUpdate[] {
  const props = { ...(req.properties ?? {}) };
  const formatVersion = req.formatVersion ?? formatVersionProperty(props[FORMAT_VERSION_PROPERTY]);
  delete props[FORMAT_VERSION_PROPERTY];
  const fresh = assignFreshIds(req.schema);
  return [
    { action: 'assign-uuid', uuid: req.uuid ?? randomUUID() },
    { action: 'upgrade-format-version', 'format-version': formatVersion },
    { action: 'add-schema', schema: fresh.schema, 'last-column-id': fresh.lastColumnId },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: freshPartitionSpec(req.partitionSpec, fresh.idFor) },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': freshSortOrder(req.sortOrder, fresh.idFor) },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: req.location },
    { action: 'set-properties', updates: props },
  ];
}

function formatVersionProperty(value: string | undefined): 1 | 2 | 3 {
  if (value === undefined) return DEFAULT_FORMAT_VERSION;
  const v = Number(value);
  if (v === 1 || v === 2 || v === 3) return v;
  const message = `table property format-version must be 1, 2 or 3, got ${JSON.stringify(value)}`;
  throw new FloeError('INVALID_ARGUMENT', message, {
    context: { property: FORMAT_VERSION_PROPERTY, value },
  });
}

/** A schema with fresh ids and the way from its old ids to the new ones. */
export interface FreshSchema {
  /** Schema id 0, field ids 1..`lastColumnId`. */
  schema: Schema;
  lastColumnId: number;
  /** The new id of an old field id. Throws `INVALID_ARGUMENT` for an id the old schema lacks or carries twice. */
  idFor(oldId: number, what: string): number;
}

/**
 * Gives every field of `schema` (struct fields, list elements, map keys and values, at any depth) a fresh id from
 * 1 on, in the order of Java's `TypeUtil.assignFreshIds`: all fields of a struct first, then the nested types of those
 * fields in order; a list's element id before its element type; a map's key and value ids before their types.
 * `identifier-field-ids` are remapped to the new ids; the schema id becomes 0 (Java's `INITIAL_SCHEMA_ID`).
 *
 * The old ids matter only for what refers to them: ids nothing refers to may repeat (a caller building a schema
 * for a new table need not number it).
 */
export function assignFreshIds(schema: Schema): FreshSchema {
  let next = 0;
  const mapping = new Map<number, number>();
  const repeated = new Set<number>();
  const record = (oldId: number, newId: number): void => {
    if (mapping.has(oldId)) repeated.add(oldId);
    mapping.set(oldId, newId);
  };
  const freshType = (type: IcebergType): IcebergType => {
    if (typeof type === 'string') return type;
    if (type.type === 'struct') return { type: 'struct', fields: freshFields(type.fields) };
    if (type.type === 'list') {
      const elementId = ++next;
      record(type['element-id'], elementId);
      return { ...type, 'element-id': elementId, element: freshType(type.element) };
    }
    const keyId = ++next;
    const valueId = ++next;
    record(type['key-id'], keyId);
    record(type['value-id'], valueId);
    return { ...type, 'key-id': keyId, 'value-id': valueId, key: freshType(type.key), value: freshType(type.value) };
  };
  const freshFields = (fields: NestedField[]): NestedField[] => {
    // Java assigns the ids of one struct's fields before descending into any of them.
    const ids = fields.map((f) => {
      const id = ++next;
      record(f.id, id);
      return id;
    });
    return fields.map((f, i) => ({ ...structuredClone(f), id: ids[i], type: freshType(f.type) }));
  };

  const fields = freshFields(schema.fields);
  const idFor = (oldId: number, what: string): number => {
    const id = mapping.get(oldId);
    if (id === undefined || repeated.has(oldId)) {
      const problem = id === undefined ? 'is not in the schema' : 'appears more than once in the schema';
      throw new FloeError('INVALID_ARGUMENT', `${what}: field id ${oldId} ${problem}`, {
        context: { fieldId: oldId, where: what },
      });
    }
    return id;
  };
  const out: Schema = { type: 'struct', 'schema-id': 0, fields };
  const identifiers = schema['identifier-field-ids'];
  if (identifiers !== undefined) {
    out['identifier-field-ids'] = identifiers.map((id) => idFor(id, 'identifier-field-ids'));
  }
  return { schema: out, lastColumnId: next, idFor };
}

/**
 * The partition spec of a new table: spec id 0, source ids mapped to the fresh schema, field ids 1000, 1001, ...
 * in order (Java rebuilds the spec with fresh partition field ids on create; v1 requires exactly these ids).
 */
function freshPartitionSpec(spec: PartitionSpec | undefined, idFor: FreshSchema['idFor']): PartitionSpec {
  return {
    'spec-id': 0,
    fields: (spec?.fields ?? []).map((f, i) => {
      const what = `partition field ${JSON.stringify(f.name)}`;
      const out: PartitionSpec['fields'][number] = {
        'source-id': idFor(f['source-id'], what),
        'field-id': V1_FIRST_PARTITION_FIELD_ID + i,
        name: f.name,
        transform: f.transform,
      };
      if (f['source-ids'] !== undefined) out['source-ids'] = f['source-ids'].map((id) => idFor(id, what));
      return out;
    }),
  };
}

/**
 * The sort order of a new table: the unsorted order (id 0, reserved by spec "Sorting") when it has no fields, else
 * id 1 (Java's `INITIAL_SORT_ORDER_ID`) with source ids mapped to the fresh schema.
 */
function freshSortOrder(order: SortOrder | undefined, idFor: FreshSchema['idFor']): SortOrder {
  const fields = order?.fields ?? [];
  if (fields.length === 0) return { 'order-id': UNSORTED_ORDER_ID, fields: [] };
  return {
    'order-id': 1,
    fields: fields.map((f, i) => {
      const what = `sort field ${i}`;
      const out: SortOrder['fields'][number] = { ...f, 'source-id': idFor(f['source-id'], what) };
      if (f['source-ids'] !== undefined) out['source-ids'] = f['source-ids'].map((id) => idFor(id, what));
      return out;
    }),
  };
}
