/**
 * Table changes and commit preconditions, in the shape of the Iceberg REST catalog's `TableUpdate` and
 * `TableRequirement` (open-api/rest-catalog-open-api.yaml). Every table change in floe is a list of updates plus
 * the requirements that must hold on the base metadata; one pure function applies them (see
 * `apply-updates.ts`), so every catalog commits the same way.
 */
import type { PartitionSpec } from './partition-spec.js';
import type { Schema } from './schema.js';
import type { SortOrder } from './sort-order.js';
import type { Snapshot, SnapshotRef } from './snapshot.js';
import type { StatisticsFile, PartitionStatisticsFile } from './table-metadata.js';

/** A change to table metadata (REST `TableUpdate`, discriminated by `action`). */
export type TableUpdate =
  | { action: 'assign-uuid'; uuid: string }
  | { action: 'upgrade-format-version'; 'format-version': number }
  /** `last-column-id` is optional as in REST (deprecated there); the applier derives it when absent. */
  | { action: 'add-schema'; schema: Schema; 'last-column-id'?: number }
  /** -1 means the schema added last in this same commit (REST convention). */
  | { action: 'set-current-schema'; 'schema-id': number }
  | { action: 'add-spec'; spec: PartitionSpec }
  | { action: 'set-default-spec'; 'spec-id': number }
  | { action: 'add-sort-order'; 'sort-order': SortOrder }
  | { action: 'set-default-sort-order'; 'sort-order-id': number }
  | { action: 'add-snapshot'; snapshot: Snapshot }
  | ({ action: 'set-snapshot-ref'; 'ref-name': string } & SnapshotRef)
  | { action: 'remove-snapshots'; 'snapshot-ids': bigint[] }
  | { action: 'remove-snapshot-ref'; 'ref-name': string }
  | { action: 'set-location'; location: string }
  | { action: 'set-properties'; updates: Record<string, string> }
  | { action: 'remove-properties'; removals: string[] }
  | { action: 'set-statistics'; 'snapshot-id'?: bigint; statistics: StatisticsFile }
  | { action: 'remove-statistics'; 'snapshot-id': bigint }
  | { action: 'set-partition-statistics'; 'partition-statistics': PartitionStatisticsFile }
  | { action: 'remove-partition-statistics'; 'snapshot-id': bigint }
  | { action: 'remove-partition-specs'; 'spec-ids': number[] }
  | { action: 'remove-schemas'; 'schema-ids': number[] }
  | { action: 'add-encryption-key'; 'encryption-key': EncryptedKey }
  | { action: 'remove-encryption-key'; 'key-id': string };

/** A table encryption key (REST `EncryptedKey`, spec "Encryption Keys"); key metadata is base64. */
export interface EncryptedKey {
  'key-id': string;
  'encrypted-key-metadata': string;
  'encrypted-by-id'?: string;
  properties?: Record<string, string>;
}

/** A precondition on the base metadata of a commit (REST `TableRequirement`, discriminated by `type`). */
export type TableRequirement =
  | { type: 'assert-create' }
  | { type: 'assert-table-uuid'; uuid: string }
  /** `snapshot-id` null: the ref must not exist. */
  | { type: 'assert-ref-snapshot-id'; ref: string; 'snapshot-id': bigint | null }
  | { type: 'assert-last-assigned-field-id'; 'last-assigned-field-id': number }
  | { type: 'assert-current-schema-id'; 'current-schema-id': number }
  | { type: 'assert-last-assigned-partition-id'; 'last-assigned-partition-id': number }
  | { type: 'assert-default-spec-id'; 'default-spec-id': number }
  | { type: 'assert-default-sort-order-id'; 'default-sort-order-id': number };

/** What every table action produces (ARCHITECTURE.md convention 5). */
export interface TableChange {
  updates: TableUpdate[];
  requirements: TableRequirement[];
}
