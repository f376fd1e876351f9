/**
 * What other writers committed since an operation started: the snapshots on a branch after a starting snapshot,
 * and the files they added and removed. Operations that read the table before committing (row-level deletes,
 * upserts, merges, restores) validate against this on every commit attempt, as Iceberg's RowDelta and
 * OverwriteFiles do (spec: "Optimistic Concurrency" — a commit must re-check its assumptions against the new
 * base before it may be applied).
 */
import { FloeError } from '../../errors.js';
import { EntryStatus } from '../avro/manifest.js';
import type { Snapshot } from '../spec/snapshot.js';
import type { PlannedFile } from './delete-index.js';
import { loadManifest, snapshotManifestFiles } from './snapshot-manifests.js';
import type { Table } from './table.js';

/** Files committed to a branch after a starting snapshot. */
export interface ConcurrentChanges {
  /** Snapshots committed on the branch after the starting one, oldest first. */
  snapshots: Snapshot[];
  addedDataFiles: PlannedFile[];
  removedDataFiles: PlannedFile[];
  addedDeleteFiles: PlannedFile[];
  removedDeleteFiles: PlannedFile[];
}

/**
 * The snapshots of `branch` after `startingSnapshotId` (all of its history when undefined: the operation began
 * on an empty table), with the files each added and removed. Throws COMMIT_CONFLICT (not retryable as is: the
 * operation must start over) when the starting snapshot is no longer an ancestor of the branch head, e.g. after a
 * rollback or a branch replacement.
 */
export async function changesSince(
  table: Table,
  startingSnapshotId: bigint | undefined,
  branch = 'main',
): Promise<ConcurrentChanges> {
  const md = table.metadata;
  const byId = new Map(md.snapshots.map((s) => [s['snapshot-id'], s] as const));
  const newer: Snapshot[] = [];
  let id: bigint | undefined = md.refs[branch]?.['snapshot-id'];
  let found = startingSnapshotId === undefined;
  while (id !== undefined) {
    if (id === startingSnapshotId) {
      found = true;
      break;
    }
    const snap = byId.get(id);
    if (!snap) break; // expired history: the walk cannot go further
    newer.push(snap);
    id = snap['parent-snapshot-id'];
  }
  if (!found) {
    throw new FloeError(
      'COMMIT_CONFLICT',
      `snapshot ${startingSnapshotId} is no longer an ancestor of ${branch}: the table was rolled back or replaced while this operation ran`,
      { context: { branch, startingSnapshotId: String(startingSnapshotId) } },
    );
  }
  newer.reverse();
  const out: ConcurrentChanges = {
    snapshots: newer,
    addedDataFiles: [],
    removedDataFiles: [],
    addedDeleteFiles: [],
    removedDeleteFiles: [],
  };
  for (const snap of newer) {
    const sid = snap['snapshot-id'];
    // A snapshot's own changes are in the manifests it wrote (added_snapshot_id), as entries it stamped.
    const mine = (await snapshotManifestFiles(table, snap)).filter((m) => m.added_snapshot_id === sid);
    for (const m of mine) {
      const loaded = await loadManifest(table, m);
      for (const e of loaded.entries) {
        if (e.snapshot_id !== sid || e.status === EntryStatus.EXISTING) continue;
        const planned: PlannedFile = {
          file: e.data_file,
          readPath: table.resolvePath(e.data_file.file_path),
          specId: loaded.manifest.partition_spec_id,
          dataSequenceNumber: e.sequence_number ?? 0n,
        };
        const data = e.data_file.content === 0;
        if (e.status === EntryStatus.ADDED) (data ? out.addedDataFiles : out.addedDeleteFiles).push(planned);
        else (data ? out.removedDataFiles : out.removedDeleteFiles).push(planned);
      }
    }
  }
  return out;
}
