/**
 * The checks and comparisons the update applier makes (`apply-updates.ts`): when an added schema, spec or sort order
 * is the same as one the table has (so its id is reused), and whether a schema, spec, order, snapshot ref or format
 * version is valid for the table (Java `Schema.checkCompatibility`, `PartitionSpec.checkCompatibility`,
 * `SortOrder.checkCompatibility`, `SnapshotRef`). Failures are the caller's mistake, `INVALID_ARGUMENT`, except a
 * format version floe cannot write, `UNSUPPORTED`.
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { PartitionSpec } from './partition-spec.js';
import { V1_FIRST_PARTITION_FIELD_ID, partitionType } from './partition-spec.js';
import type { Schema } from './schema.js';
import { indexById } from './schema.js';
import { MAIN_BRANCH, type SnapshotRef } from './snapshot.js';
import type { SortOrder } from './sort-order.js';
import { MAX_FORMAT_VERSION, type TableMetadata } from './table-metadata.js';
import { canTransform, parseTransform, transformToString } from './transforms.js';
import { parsePrimitive, type IcebergType } from './types.js';

/** Throws `INVALID_ARGUMENT` with `message`, recording the update `action` (and more) in the context. */
export function invalidUpdate(action: string, message: string, context: Record<string, unknown> = {}): never {
  throw new FloeError('INVALID_ARGUMENT', `${action}: ${message}`, { context: { action, ...context } });
}

/** A stable text form of a JSON-shaped value (keys sorted, `undefined` members dropped), for equality tests. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Java `Schema.sameSchema`: the same fields (ids, names, types, docs, defaults) and identifier fields; ids aside. */
export function sameSchema(a: Schema, b: Schema): boolean {
  const ids = (s: Schema): string => canonicalJson([...new Set(s['identifier-field-ids'] ?? [])].sort((x, y) => x - y));
  return canonicalJson(a.fields) === canonicalJson(b.fields) && ids(a) === ids(b);
}

/** Java `PartitionSpec.compatibleWith`: the same source, transform and name per field, in order; field ids aside. */
export function compatibleSpec(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return (
        f['source-id'] === g['source-id'] &&
        canonicalJson(f['source-ids'] ?? [f['source-id']]) === canonicalJson(g['source-ids'] ?? [g['source-id']]) &&
        sameTransform(f.transform, g.transform) &&
        f.name === g.name
      );
    })
  );
}

/** Java `SortOrder.sameOrder`: the same fields in the same order; the order id aside. */
export function sameOrder(a: SortOrder, b: SortOrder): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return (
        canonicalJson({ ...f, transform: undefined }) === canonicalJson({ ...g, transform: undefined }) &&
        sameTransform(f.transform, g.transform)
      );
    })
  );
}

function sameTransform(a: string, b: string): boolean {
  return normalTransform(a) === normalTransform(b);
}

/** The spec's spelling of a transform (names are case-insensitive); a malformed one as written. */
function normalTransform(text: string): string {
  try {
    return transformToString(parseTransform(text));
  } catch {
    return text;
  }
}

/** Highest field id of a schema (struct fields, list elements, map keys and values), 0 when it has none. */
export function highestFieldId(schema: Pick<Schema, 'fields'>): number {
  let max = 0;
  for (const id of indexById(schema).keys()) max = Math.max(max, id);
  return max;
}

/** Types that need format v3 (spec "Primitive Types"; Java `Schema.MIN_FORMAT_VERSIONS`). */
const V3_TYPES = new Set(['timestamp_ns', 'timestamptz_ns', 'unknown', 'variant', 'geometry', 'geography']);

/**
 * Checks a schema a commit adds: field ids unique, identifier fields present, and (Java `Schema.checkCompatibility`)
 * no v3-only type nor non-null `initial-default` in a v1/v2 table (spec "Default values": defaults are v3).
 */
export function checkSchema(action: string, schema: Schema, formatVersion: number): void {
  const seen = new Set<number>();
  const visitType = (type: IcebergType, path: string): void => {
    if (typeof type === 'string') {
      const kind = parsePrimitiveOrInvalid(action, type, path).kind;
      if (formatVersion < 3 && V3_TYPES.has(kind)) {
        invalidUpdate(action, `${path}: type ${type} needs format version 3`, { field: path });
      }
      return;
    }
    if (type.type === 'struct') {
      for (const f of type.fields) {
        const p = path === '' ? f.name : `${path}.${f.name}`;
        visitId(f.id, p);
        const init = f['initial-default'];
        if (formatVersion < 3 && init !== undefined && init !== null) {
          invalidUpdate(action, `${p}: a non-null initial-default needs format version 3`, { field: p });
        }
        visitType(f.type, p);
      }
    } else if (type.type === 'list') {
      visitId(type['element-id'], `${path}.element`);
      visitType(type.element, `${path}.element`);
    } else {
      visitId(type['key-id'], `${path}.key`);
      visitId(type['value-id'], `${path}.value`);
      visitType(type.key, `${path}.key`);
      visitType(type.value, `${path}.value`);
    }
  };
  const visitId = (id: number, path: string): void => {
    if (seen.has(id)) invalidUpdate(action, `field id ${id} (${path}) is used twice`, { fieldId: id });
    seen.add(id);
  };
  visitType({ type: 'struct', fields: schema.fields }, '');
  for (const id of schema['identifier-field-ids'] ?? []) {
    if (!seen.has(id)) invalidUpdate(action, `identifier field id ${id} is not in the schema`, { fieldId: id });
  }
}

function parsePrimitiveOrInvalid(action: string, type: string, path: string): ReturnType<typeof parsePrimitive> {
  try {
    return parsePrimitive(type);
  } catch {
    return invalidUpdate(action, `${path}: unknown type ${JSON.stringify(type)}`, { field: path });
  }
}

/**
 * Checks a partition spec against the schema it will partition (Java `PartitionSpec.checkCompatibility`): sources
 * exist and are primitive, transforms apply to them (void fields may name dropped columns, spec "Partition
 * Evolution"); field ids unique; in v1, field ids 1000, 1001, ... as v1 requires (Appendix C "Partition Specs").
 */
export function checkSpec(
  action: string,
  spec: PartitionSpec,
  schema: Schema | undefined,
  formatVersion: number,
): void {
  if (schema === undefined) invalidUpdate(action, 'the table has no current schema', { specId: spec['spec-id'] });
  const ids = new Set(spec.fields.map((f) => f['field-id']));
  if (ids.size !== spec.fields.length) invalidUpdate(action, 'partition field ids repeat', { specId: spec['spec-id'] });
  if (formatVersion === 1 && spec.fields.some((f, i) => f['field-id'] !== V1_FIRST_PARTITION_FIELD_ID + i)) {
    invalidUpdate(action, 'v1 partition field ids must be 1000, 1001, ... in order', { specId: spec['spec-id'] });
  }
  try {
    partitionType(spec, schema);
  } catch (err) {
    if (!isFloeError(err)) throw err;
    invalidUpdate(action, err.message, { specId: spec['spec-id'] });
  }
}

/**
 * Checks a sort order against the schema (Java `SortOrder.checkCompatibility`): every source is a primitive column
 * its transform applies to.
 */
export function checkSortOrder(action: string, order: SortOrder, schema: Schema | undefined): void {
  if (order.fields.length === 0) return;
  if (schema === undefined) invalidUpdate(action, 'the table has no current schema', { orderId: order['order-id'] });
  const byId = indexById(schema);
  for (const f of order.fields) {
    for (const id of f['source-ids'] ?? [f['source-id']]) {
      const type = byId.get(id)?.field.type;
      let ok = typeof type === 'string';
      try {
        ok = ok && canTransform(parseTransform(f.transform), type as string);
      } catch {
        ok = false;
      }
      if (!ok) {
        invalidUpdate(action, `sort field source ${id} is missing, not primitive, or cannot take ${f.transform}`, {
          orderId: order['order-id'],
          sourceId: id,
        });
      }
    }
  }
}

/**
 * Checks that the current schema, default spec and default sort order exist and fit together, as Java's
 * `TableMetadata.Builder.build` does. Run when a commit changed one of them (and on create).
 */
export function checkDefaults(md: TableMetadata): void {
  const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id']);
  if (schema === undefined) invalidUpdate('commit', 'the table has no current schema');
  const spec = md['partition-specs'].find((s) => s['spec-id'] === md['default-spec-id']);
  if (spec === undefined) invalidUpdate('commit', 'the table has no default partition spec');
  const order = md['sort-orders'].find((s) => s['order-id'] === md['default-sort-order-id']);
  if (order === undefined) invalidUpdate('commit', 'the table has no default sort order');
  // The v1 field-id rule is checked when a spec is added; here only the fit with the schema matters.
  checkSpec('commit', spec, schema, 2);
  checkSortOrder('commit', order, schema);
}

/** A format version floe writes: `INVALID_ARGUMENT` for nonsense, `UNSUPPORTED` above {@link MAX_FORMAT_VERSION}. */
export function checkFormatVersion(v: number): 1 | 2 | 3 {
  if (!Number.isInteger(v) || v < 1) invalidUpdate('upgrade-format-version', `invalid format version ${v}`);
  if (v > MAX_FORMAT_VERSION) {
    const message = `format version ${v} is not supported (floe writes 1 to ${MAX_FORMAT_VERSION})`;
    throw new FloeError('UNSUPPORTED', message, {
      context: { action: 'upgrade-format-version', formatVersion: v },
    });
  }
  return v as 1 | 2 | 3;
}

/**
 * A snapshot reference from a set-snapshot-ref update, checked as spec "Snapshot References" and Java's
 * `SnapshotRef` require: a branch or tag; retention settings positive; `min-snapshots-to-keep` and
 * `max-snapshot-age-ms` only on branches; `main` only a branch.
 */
export function buildRef(name: string, f: SnapshotRef): SnapshotRef {
  const bad = (why: string): never => invalidUpdate('set-snapshot-ref', `${name}: ${why}`, { ref: name });
  if (f.type !== 'branch' && f.type !== 'tag') bad(`type must be "branch" or "tag", got ${JSON.stringify(f.type)}`);
  if (name === MAIN_BRANCH && f.type !== 'branch') bad('main must be a branch');
  if (f['snapshot-id'] === undefined || f['snapshot-id'] === null) bad('snapshot-id is required');
  const ref: SnapshotRef = { 'snapshot-id': BigInt(f['snapshot-id']), type: f.type };
  const minKeep = f['min-snapshots-to-keep'];
  const maxSnapAge = f['max-snapshot-age-ms'];
  const maxRefAge = f['max-ref-age-ms'];
  if (f.type === 'tag' && (minKeep != null || maxSnapAge != null)) {
    bad('tags take no min-snapshots-to-keep or max-snapshot-age-ms');
  }
  if (minKeep != null) {
    if (!Number.isInteger(minKeep) || minKeep <= 0) bad('min-snapshots-to-keep must be positive');
    ref['min-snapshots-to-keep'] = minKeep;
  }
  if (maxSnapAge != null) {
    if (BigInt(maxSnapAge) <= 0n) bad('max-snapshot-age-ms must be positive');
    ref['max-snapshot-age-ms'] = BigInt(maxSnapAge);
  }
  if (maxRefAge != null) {
    if (BigInt(maxRefAge) <= 0n) bad('max-ref-age-ms must be positive');
    ref['max-ref-age-ms'] = BigInt(maxRefAge);
  }
  return ref;
}
