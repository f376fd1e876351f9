/**
 * Table metadata (spec: "Table Metadata"), normalized across format versions 1, 2 and 3: v1's single `schema`,
 * `partition-spec` and missing ids are lifted into the v2 shape on parse, so every reader sees one form.
 */
import type { Schema } from './schema.js';
import type { PartitionSpec } from './partition-spec.js';
import type { SortOrder } from './sort-order.js';
import type { MetadataLogEntry, Snapshot, SnapshotLogEntry, SnapshotRef } from './snapshot.js';

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
  /** v3 row lineage. */
  'next-row-id'?: bigint;
  /** v3 encryption keys, kept as read. */
  'encryption-keys'?: unknown[];
}
