/**
 * Snapshots and snapshot references (spec: "Snapshots", "Snapshot References").
 * Snapshot ids are 64-bit: they are `bigint` everywhere in floe, so ids above 2^53 stay exact.
 */

/** A snapshot summary: `operation` plus string-valued metrics (spec Appendix F). */
export interface SnapshotSummary {
  operation: 'append' | 'replace' | 'overwrite' | 'delete' | string;
  [key: string]: string;
}

/** A snapshot in the spec's JSON shape, ids as bigint. */
export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  /** v2+: required; v1: 0 when absent (spec: sequence numbers of v1 tables are 0). */
  'sequence-number': bigint;
  'timestamp-ms': bigint;
  /** Location of the manifest list; absent for v1 snapshots that list manifests inline. */
  'manifest-list'?: string;
  /** v1 only: manifest paths listed inline instead of a manifest list. */
  manifests?: string[];
  summary: SnapshotSummary;
  'schema-id'?: number;
  /** v3 row lineage. */
  'first-row-id'?: bigint;
  'added-rows'?: bigint;
  'key-id'?: string;
}

/** A named reference to a snapshot: a branch or a tag. */
export interface SnapshotRef {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
  'min-snapshots-to-keep'?: number;
  'max-snapshot-age-ms'?: bigint;
  'max-ref-age-ms'?: bigint;
}

/** An entry of the snapshot log. */
export interface SnapshotLogEntry {
  'timestamp-ms': bigint;
  'snapshot-id': bigint;
}

/** An entry of the metadata log. */
export interface MetadataLogEntry {
  'timestamp-ms': bigint;
  'metadata-file': string;
}
