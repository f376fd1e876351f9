/**
 * Table metadata (spec: "Table Metadata"), normalized across format versions 1, 2 and 3: v1's single `schema`,
 * `partition-spec` and missing ids are lifted into the v2 shape on parse, so every reader sees one form.
 */
import { FloeError } from '../../errors.js';
import type { Schema } from './schema.js';
import type { PartitionSpec } from './partition-spec.js';
import type { SortOrder } from './sort-order.js';
import type { MetadataLogEntry, Snapshot, SnapshotLogEntry, SnapshotRef } from './snapshot.js';

export { MAX_FORMAT_VERSION, parseTableMetadata, tableMetadataFromJson } from './table-metadata-parse.js';
export { schemaToJson, serializeTableMetadata, tableMetadataToJson } from './table-metadata-serialize.js';

/** Statistics file (Puffin) of a snapshot. */
export interface StatisticsFile {
  'snapshot-id': bigint;
  'statistics-path': string;
  'file-size-in-bytes': bigint;
  'file-footer-size-in-bytes': bigint;
  'key-metadata'?: string;
  'blob-metadata': Array<{
    type: string;
    'snapshot-id': bigint;
    'sequence-number': bigint;
    fields: number[];
    properties?: Record<string, string>;
  }>;
}

/** Partition statistics file of a snapshot. */
export interface PartitionStatisticsFile {
  'snapshot-id': bigint;
  'statistics-path': string;
  'file-size-in-bytes': bigint;
}

/** Normalized table metadata. 64-bit values are bigint. */
export interface TableMetadata {
  'format-version': 1 | 2 | 3;
  /** Required from v2 on; `''` for a v1 table that has none (v1 made it optional). */
  'table-uuid': string;
  location: string;
  'last-sequence-number': bigint;
  'last-updated-ms': bigint;
  'last-column-id': number;
  schemas: Schema[];
  'current-schema-id': number;
  'partition-specs': PartitionSpec[];
  'default-spec-id': number;
  'last-partition-id': number;
  properties: Record<string, string>;
  'current-snapshot-id'?: bigint;
  snapshots: Snapshot[];
  'snapshot-log': SnapshotLogEntry[];
  'metadata-log': MetadataLogEntry[];
  'sort-orders': SortOrder[];
  'default-sort-order-id': number;
  refs: Record<string, SnapshotRef>;
  statistics: StatisticsFile[];
  'partition-statistics': PartitionStatisticsFile[];
  /** v3 row lineage: the next snapshot's `first-row-id`. Absent before v3 and for v3 tables written without it. */
  'next-row-id'?: bigint;
  /** v3 encryption keys, kept as read. */
  'encryption-keys'?: unknown[];
}

/** The schema with `id`. Throws `METADATA_INVALID` when the table has none: ids come from the metadata itself. */
export function schemaById(md: TableMetadata, id: number): Schema {
  const schema = md.schemas.find((s) => s['schema-id'] === id);
  if (schema === undefined) {
    throw new FloeError('METADATA_INVALID', `table has no schema with id ${id}`, { context: { schemaId: id } });
  }
  return schema;
}

/** The table's current schema (`current-schema-id`). */
export function currentSchema(md: TableMetadata): Schema {
  return schemaById(md, md['current-schema-id']);
}

/** The partition spec with `id` (manifests name their spec by id). Throws `METADATA_INVALID` when missing. */
export function specById(md: TableMetadata, id: number): PartitionSpec {
  const spec = md['partition-specs'].find((s) => s['spec-id'] === id);
  if (spec === undefined) {
    throw new FloeError('METADATA_INVALID', `table has no partition spec with id ${id}`, { context: { specId: id } });
  }
  return spec;
}

/** The default partition spec, used by writers (`default-spec-id`). */
export function defaultSpec(md: TableMetadata): PartitionSpec {
  return specById(md, md['default-spec-id']);
}

/** The sort order with `id`. Throws `METADATA_INVALID` when missing. */
export function sortOrderById(md: TableMetadata, id: number): SortOrder {
  const order = md['sort-orders'].find((s) => s['order-id'] === id);
  if (order === undefined) {
    throw new FloeError('METADATA_INVALID', `table has no sort order with id ${id}`, { context: { orderId: id } });
  }
  return order;
}

/** The snapshot with `id`. Throws `SNAPSHOT_NOT_FOUND` (context `snapshotId` as a decimal string). */
export function snapshotById(md: TableMetadata, id: bigint): Snapshot {
  const snap = md.snapshots.find((s) => s['snapshot-id'] === id);
  if (snap === undefined) {
    throw new FloeError('SNAPSHOT_NOT_FOUND', `table has no snapshot with id ${id}`, {
      context: { snapshotId: id.toString() },
    });
  }
  return snap;
}

/** The current snapshot, or `undefined` for a table without one (e.g. just created). */
export function currentSnapshot(md: TableMetadata): Snapshot | undefined {
  const id = md['current-snapshot-id'];
  return id === undefined ? undefined : snapshotById(md, id);
}

/**
 * The snapshot a branch or tag points to. Throws `REF_NOT_FOUND` for an unknown name and `SNAPSHOT_NOT_FOUND` when
 * the ref points to a snapshot that is not in the metadata.
 */
export function snapshotByRef(md: TableMetadata, name: string): Snapshot {
  const ref = md.refs[name];
  if (ref === undefined || !Object.prototype.hasOwnProperty.call(md.refs, name)) {
    throw new FloeError('REF_NOT_FOUND', `table has no branch or tag named ${JSON.stringify(name)}`, {
      context: { ref: name },
    });
  }
  return snapshotById(md, ref['snapshot-id']);
}

/**
 * `snap` and its ancestors, newest first, following `parent-snapshot-id` while the parent is still in the metadata
 * (expired parents end the walk).
 */
export function snapshotAncestry(md: TableMetadata, snap: Snapshot): Snapshot[] {
  const byId = new Map(md.snapshots.map((s) => [s['snapshot-id'], s] as const));
  const out: Snapshot[] = [];
  const seen = new Set<bigint>();
  for (let s: Snapshot | undefined = snap; s !== undefined && !seen.has(s['snapshot-id']); ) {
    seen.add(s['snapshot-id']);
    out.push(s);
    const parent: bigint | undefined = s['parent-snapshot-id'];
    s = parent === undefined ? undefined : byId.get(parent);
  }
  return out;
}

/**
 * The snapshot that was current at `timestampMs` (milliseconds since the epoch): the last `snapshot-log` entry at or
 * before that time, as spec Appendix F "Point in Time Reads" prescribes. When the table keeps no snapshot log, the
 * current snapshot's ancestry is searched by `timestamp-ms` instead. Throws `SNAPSHOT_NOT_FOUND` when no snapshot
 * is that old, or when the logged snapshot has since expired.
 */
export function snapshotAsOf(md: TableMetadata, timestampMs: bigint): Snapshot {
  const log = md['snapshot-log'];
  if (log.length > 0) {
    let hit: SnapshotLogEntry | undefined;
    for (const e of log) {
      if (e['timestamp-ms'] <= timestampMs && (hit === undefined || e['timestamp-ms'] >= hit['timestamp-ms'])) hit = e;
    }
    if (hit !== undefined) return snapshotById(md, hit['snapshot-id']);
  } else {
    const current = currentSnapshot(md);
    const hit = current && snapshotAncestry(md, current).find((s) => s['timestamp-ms'] <= timestampMs);
    if (hit !== undefined) return hit;
  }
  throw new FloeError('SNAPSHOT_NOT_FOUND', `table has no snapshot at or before timestamp ${timestampMs} ms`, {
    context: { timestampMs: timestampMs.toString() },
  });
}

/**
 * The schema a snapshot was written with (its `schema-id`), or the current schema for snapshots that do not record
 * one (spec "Snapshots": `schema-id` is optional).
 */
export function schemaForSnapshot(md: TableMetadata, snap: Snapshot): Schema {
  const id = snap['schema-id'];
  return id === undefined ? currentSchema(md) : schemaById(md, id);
}
