/**
 * Applying table updates (REST `TableUpdate`, open-api/rest-catalog-open-api.yaml) to table metadata: the one pure
 * function every catalog commits through, plus building a new table's metadata and recording replaced metadata
 * files. The rules are those of Iceberg Java's `TableMetadata.Builder` (what the REST reference server applies):
 *
 * - add-schema / add-spec / add-sort-order: the table assigns the id (the next free one; sort order ids from 1, 0 is
 *   the unsorted order, spec "Sorting") and reuses the id of an identical schema / compatible spec / equal order;
 *   `last-column-id` and `last-partition-id` only grow (spec "Schema Evolution", "Partition Evolution").
 * - set-current-schema / set-default-spec / set-default-sort-order: `-1` is the one added last in this commit.
 * - add-snapshot: from v2 its sequence number must be above `last-sequence-number` (spec "Sequence Numbers"), which
 *   it becomes; in v3 its `first-row-id` must be at least `next-row-id`, which moves past its `added-rows` (spec
 *   "Row Lineage", "Snapshot Row IDs").
 * - set-snapshot-ref on `main` moves `current-snapshot-id` and appends to the snapshot log; remove-snapshots also
 *   drops the refs and statistics of removed snapshots and the snapshot-log entries up to the last removed one.
 * - Anything changed: `last-updated-ms` becomes the commit time.
 *
 * Errors (`FloeError` codes): `INVALID_ARGUMENT` for a caller's mistake — a reference to a schema, spec, order
 * or snapshot the table lacks, `-1` when nothing was added, a format downgrade, a tag as `main`, a duplicate snapshot
 * id, removing the current schema or default spec, a schema/spec/order that does not fit the table (`context.action`
 * names the update); `COMMIT_CONFLICT` (`retryable`) when a snapshot was planned against an older table (sequence
 * number or first row id behind the table's); `UNSUPPORTED` for an unknown action or a format version above 3.
 * `METADATA_INVALID` is kept for metadata read from storage, never for what a caller asks.
 */
import { randomUUID } from 'node:crypto';
import { lastAssignedFieldId } from './partition-spec.js';
import type { TableMetadata } from './table-metadata.js';
import type { TableUpdate } from './table-update.js';
import { DEFAULT_FORMAT_VERSION, updatesForNewTable, type NewTableRequest } from './new-table-updates.js';
import { UpdateApplier } from './table-update-applier.js';
import { checkDefaults, checkFormatVersion, invalidUpdate } from './update-checks.js';

export { checkRequirements } from './table-requirements.js';
export {
  assignFreshIds,
  DEFAULT_FORMAT_VERSION,
  FORMAT_VERSION_PROPERTY,
  updatesForNewTable,
  type FreshSchema,
  type NewTableRequest,
} from './new-table-updates.js';

/** The result of {@link applyUpdatesDetailed}. */
export interface AppliedUpdates {
  /** New metadata; the base is never modified. */
  metadata: TableMetadata;
  /** False when no update changed anything (a commit then writes no metadata file, as Java skips such commits). */
  changed: boolean;
}

/** Table property: how many previous metadata files the metadata log keeps (Java `TableProperties`). */
export const METADATA_PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
/** Default of {@link METADATA_PREVIOUS_VERSIONS_MAX}. */
export const METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT = 100;

/**
 * Applies `updates` in order to `base` and returns new metadata (rules and errors in the module comment);
 * `last-updated-ms` becomes `nowMs` (default: the clock) when anything changed. Requirements are checked apart, by
 * {@link checkRequirements}. The metadata log is not touched: the commit that replaces a metadata file records it
 * with {@link appendMetadataLog}.
 */
export function applyUpdates(base: TableMetadata, updates: TableUpdate[], nowMs?: bigint): TableMetadata {
  return applyUpdatesDetailed(base, updates, nowMs).metadata;
}

/** Like {@link applyUpdates}, also saying whether anything changed. */
export function applyUpdatesDetailed(base: TableMetadata, updates: TableUpdate[], nowMs?: bigint): AppliedUpdates {
  // Copy on write: the applier replaces arrays rather than changing them and edits only `refs` and `properties` in
  // place, so those two are copied; everything else stays shared with `base`, which is never changed (metadata
  // objects may be cached and shared between readers).
  const copy: TableMetadata = { ...base, refs: { ...base.refs }, properties: { ...base.properties } };
  const applier = new UpdateApplier(copy, nowMs ?? BigInt(Date.now()));
  for (const u of updates) applier.apply(u);
  return { metadata: applier.finish(), changed: applier.changed };
}

/**
 * Metadata to which a create commit's updates apply, as Java's `TableMetadata.buildFromEmpty`: no schema, spec or
 * sort order (their current/default ids -1, so nothing resolves until added), no snapshots, last sequence number 0,
 * `next-row-id` 0 in v3, a random UUID (an `assign-uuid` update replaces it), empty location.
 */
export function emptyMetadataForCreate(
  formatVersion: 1 | 2 | 3 = DEFAULT_FORMAT_VERSION,
  nowMs?: bigint,
): TableMetadata {
  const md: TableMetadata = {
    'format-version': formatVersion,
    'table-uuid': randomUUID(),
    location: '',
    'last-sequence-number': 0n,
    'last-updated-ms': nowMs ?? BigInt(Date.now()),
    'last-column-id': 0,
    schemas: [],
    'current-schema-id': -1,
    'partition-specs': [],
    'default-spec-id': -1,
    // One below the first partition field id: what an unpartitioned table records (Java `lastAssignedFieldId`).
    'last-partition-id': lastAssignedFieldId({ 'spec-id': 0, fields: [] }),
    properties: {},
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [],
    'default-sort-order-id': -1,
    refs: {},
    statistics: [],
    'partition-statistics': [],
  };
  // Spec "Row Lineage": a v3 table starts handing out row ids at 0.
  if (formatVersion >= 3) md['next-row-id'] = 0n;
  return md;
}

/**
 * The metadata of a new table from a create commit's updates, as the REST reference server builds it: the first
 * `upgrade-format-version` picks the format version (default 2), and the updates apply to
 * {@link emptyMetadataForCreate}. Throws `INVALID_ARGUMENT` when the result lacks a location, a current schema, a
 * default spec or a default sort order, besides the errors of {@link applyUpdates}.
 */
export function metadataFromUpdates(updates: TableUpdate[], nowMs?: bigint): TableMetadata {
  const upgrade = updates.find((u) => u.action === 'upgrade-format-version');
  const version = upgrade === undefined ? DEFAULT_FORMAT_VERSION : checkFormatVersion(upgrade['format-version']);
  const md = applyUpdates(emptyMetadataForCreate(version, nowMs), updates, nowMs);
  if (md.location === '') invalidUpdate('create', 'the table has no location (set-location)');
  checkDefaults(md);
  return md;
}

/**
 * The metadata of a new table, ids assigned fresh: {@link updatesForNewTable} applied by
 * {@link metadataFromUpdates}. No snapshots, no `main` ref, last sequence number 0.
 */
export function newTableMetadata(req: NewTableRequest, nowMs?: bigint): TableMetadata {
  return metadataFromUpdates(updatesForNewTable(req), nowMs);
}

/**
 * `updated` with `baseLocation` — the metadata file it replaces — appended to its metadata log, stamped with the
 * base's `last-updated-ms` (as Java does), keeping only the newest `write.metadata.previous-versions-max` entries
 * (default 100, at least 1; spec "Table Metadata Fields", `metadata-log`). A malformed property counts as unset
 * rather than blocking every commit.
 */
export function appendMetadataLog(base: TableMetadata, baseLocation: string, updated: TableMetadata): TableMetadata {
  const raw = updated.properties[METADATA_PREVIOUS_VERSIONS_MAX];
  const max =
    raw !== undefined && /^\s*-?\d+\s*$/.test(raw) ? Math.max(1, Number(raw)) : METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT;
  const entry = { 'timestamp-ms': base['last-updated-ms'], 'metadata-file': baseLocation };
  return { ...updated, 'metadata-log': [...updated['metadata-log'], entry].slice(-max) };
}
