/**
 * Point-in-time recovery: make a table's current state an earlier version's, as a NEW snapshot on `main`, so the
 * history (including what is being undone) is kept and can itself be restored. Unlike a rollback, which moves the
 * branch pointer back, the restore commits forward:
 *
 * - every live file of the current snapshot (data and delete files) that the version does not have is removed;
 * - every live file of the version that the current snapshot lacks is added back with its ORIGINAL data sequence
 *   number (spec: "Sequence Numbers", "Scan Planning"), so equality deletes apply to exactly the data files they
 *   applied to in the version, and position deletes and deletion vectors keep their targets;
 * - files both have stay as they are (same path, same data sequence number);
 * - when the version was written with another schema, the table's current schema becomes the version's again
 *   (`set-current-schema` to that schema's id, in the same commit), so the restored table reads exactly as the
 *   version did, column names included. Column ids are never reused: columns added since stay dropped, and adding
 *   them again creates new ids. The default partition spec and sort order are left as they are (they only guide
 *   future writes).
 *
 * Concurrency: the change is planned against the current snapshot; if another writer commits first, the restore is
 * planned again on the new state (a restore means "exactly that version", whatever happened meanwhile).
 */
import { FloeError, isFloeError } from '../../errors.js';
import { EntryStatus, type DataFile } from '../avro/manifest.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import type { Snapshot } from '../spec/snapshot.js';
import { currentSnapshot, schemaForSnapshot, type TableMetadata } from '../spec/table-metadata.js';
import { commitWithRetry, surelyNotCommitted, tableOf } from './commit.js';
import { SnapshotProducer, type AddedFile } from './snapshot-producer.js';
import { loadSnapshotManifests } from './snapshot-manifests.js';
import type { Table } from './table.js';
import { resolveVersion, type VersionRef } from './versions.js';

/** What a restore did. */
export interface RestoreResult {
  /** The new snapshot (the current one, unchanged, when the table already was the version). */
  snapshot_id: bigint;
  /** The snapshot restored. */
  restored_snapshot_id: bigint;
  /** False when the table already equalled the version: nothing was committed. */
  changed: boolean;
  files_added: number;
  files_removed: number;
  /** The schema id now current, and whether the restore switched to it. */
  schema_id: number;
  schema_changed: boolean;
}

interface LiveFile {
  file: DataFile;
  specId: number;
  seq: bigint;
}

async function liveFiles(table: Table, snap: Snapshot | undefined): Promise<Map<string, LiveFile>> {
  const out = new Map<string, LiveFile>();
  if (!snap) return out;
  for (const { manifest, entries } of await loadSnapshotManifests(table, snap)) {
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue;
      out.set(e.data_file.file_path, { file: e.data_file, specId: manifest.partition_spec_id, seq: e.sequence_number ?? 0n });
    }
  }
  return out;
}

const MAX_REPLANS = 5;

/**
 * Restores `version` (a tag or branch name, a snapshot id or an ISO time) as a new snapshot on main. Errors:
 * `REF_NOT_FOUND` / `SNAPSHOT_NOT_FOUND` for an unknown version (nothing changes), `COMMIT_CONFLICT` when other
 * writers keep committing first, `UNSUPPORTED` for a file present in both states with different sequence numbers.
 */
export async function restoreVersion(catalog: Catalog, id: TableIdentifier, version: VersionRef): Promise<RestoreResult> {
  for (let replan = 0; ; replan++) {
    const table = tableOf(await catalog.loadTable(id));
    const md = table.metadata;
    const target = resolveVersion(md, version);
    const head = currentSnapshot(md);
    try {
      return await restoreOnce(catalog, id, table, target, head);
    } catch (err) {
      if (replan < MAX_REPLANS && isFloeError(err, 'COMMIT_CONFLICT') && err.context.restoreReplan === true) continue;
      throw err;
    }
  }
}

async function restoreOnce(
  catalog: Catalog,
  id: TableIdentifier,
  table: Table,
  target: Snapshot,
  head: Snapshot | undefined,
): Promise<RestoreResult> {
  const md = table.metadata;
  const targetSchema = schemaForSnapshot(md, target);
  const schemaChanged = targetSchema['schema-id'] !== md['current-schema-id'];
  const [want, have] = await Promise.all([liveFiles(table, target), liveFiles(table, head)]);
  const toAdd: AddedFile[] = [];
  for (const [path, f] of want) {
    const h = have.get(path);
    if (h && h.seq !== f.seq) {
      throw new FloeError('UNSUPPORTED', `file ${path} is live in both states with different data sequence numbers (${h.seq}, ${f.seq})`, {
        context: { path },
      });
    }
    if (!h) toAdd.push({ file: f.file, specId: f.specId, dataSequenceNumber: md['format-version'] === 1 ? undefined : f.seq });
  }
  const toRemove = [...have.keys()].filter((p) => !want.has(p));
  const result = (snapshotId: bigint, changed: boolean, schemaId: number): RestoreResult => ({
    snapshot_id: snapshotId,
    restored_snapshot_id: target['snapshot-id'],
    changed,
    files_added: toAdd.length,
    files_removed: toRemove.length,
    schema_id: schemaId,
    schema_changed: changed && schemaChanged,
  });
  if (head && toAdd.length === 0 && toRemove.length === 0 && !schemaChanged) {
    return result(head['snapshot-id'], false, md['current-schema-id']);
  }

  const headId = head?.['snapshot-id'];
  const wanted = new Set(want.keys());
  const producer = new SnapshotProducer(table.io, {
    operation: 'overwrite',
    added: [],
    addedFiles: toAdd,
    removes: (f) => !wanted.has(f.file_path),
    summary: { 'floe.restore.snapshot-id': target['snapshot-id'].toString() },
    validate: async (base) => {
      // The plan holds for the snapshot it was made on only: a newer one is planned again. (A concurrent schema
      // change alone does not matter: the restore sets the version's schema whatever is current.)
      if (base.metadata.refs.main?.['snapshot-id'] !== headId) {
        throw new FloeError('COMMIT_CONFLICT', 'the table changed while the restore was planned', {
          retryable: true,
          context: { restoreReplan: true },
        });
      }
    },
  });
  try {
    const res = await commitWithRetry(catalog, id, async (base) => {
      // The snapshot records the schema it is read with (spec: "Snapshots" schema-id): the version's.
      const viewed: TableMetadata = { ...base.metadata, 'current-schema-id': targetSchema['schema-id'] };
      const change = await producer.produce({ ...base, metadata: viewed });
      if (!schemaChanged) return change;
      return {
        updates: [{ action: 'set-current-schema', 'schema-id': targetSchema['schema-id'] }, ...change.updates],
        requirements: [...change.requirements, { type: 'assert-current-schema-id', 'current-schema-id': base.metadata['current-schema-id'] }],
      };
    });
    await Promise.all(producer.filesOfFailedAttempts().map((p) => table.io.delete(p).catch(() => undefined)));
    return result(producer.snapshotId, true, res.metadata['current-schema-id']);
  } catch (err) {
    // Only the manifests and lists this restore wrote go: the files it re-added belong to the version.
    if (surelyNotCommitted(err)) await Promise.all(producer.allFiles().map((p) => table.io.delete(p).catch(() => undefined)));
    throw err;
  }
}
