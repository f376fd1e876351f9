/**
 * Table operations that add a snapshot: append and overwrite of already-written data files, committed with
 * retries. When a commit surely failed, every file written for it is deleted (metadata by this module, data files
 * by `deleteOnFailure`); when its state is unknown, everything is kept, since the commit may have landed.
 */
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import type { DataFile } from '../avro/manifest.js';
import type { FileIO } from '../io/file-io.js';
import type { Snapshot } from '../spec/snapshot.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { commitWithRetry, surelyNotCommitted } from './commit.js';
import { SnapshotProducer, type SnapshotChange } from './snapshot-producer.js';

/** Options of {@link commitSnapshot}. */
export interface CommitSnapshotOptions {
  /**
   * Delete the files this write produced (`added`, and `addedFiles` without an explicit sequence number) when the
   * commit surely fails; default true.
   */
  deleteOnFailure?: boolean;
}

/** The result of a committed snapshot. */
export interface CommittedSnapshot {
  snapshot: Snapshot;
  metadata: TableMetadata;
  metadataLocation: string;
  attempts: number;
}

async function deleteQuietly(io: FileIO, paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => io.delete(p).catch(() => undefined)));
}

/** Commits a snapshot that adds and/or removes files. */
export async function commitSnapshot(
  catalog: Catalog,
  identifier: TableIdentifier,
  io: FileIO,
  change: SnapshotChange,
  opts: CommitSnapshotOptions = {},
): Promise<CommittedSnapshot> {
  const producer = new SnapshotProducer(io, change);
  try {
    const res = await commitWithRetry(catalog, identifier, (table) => producer.produce(table));
    await deleteQuietly(io, producer.filesOfFailedAttempts());
    const snapshot = res.metadata.snapshots.find((s) => s['snapshot-id'] === producer.snapshotId);
    if (!snapshot) throw new Error(`committed metadata lacks snapshot ${producer.snapshotId}`);
    return { snapshot, metadata: res.metadata, metadataLocation: res.metadataLocation, attempts: res.attempts };
  } catch (err) {
    if (surelyNotCommitted(err)) {
      await deleteQuietly(io, producer.allFiles());
      if (opts.deleteOnFailure ?? true) {
        // Files re-added with an explicit sequence number (restores) were not written by this change: keep them.
        const written = (change.addedFiles ?? []).filter((a) => a.dataSequenceNumber === undefined).map((a) => a.file.file_path);
        await deleteQuietly(io, [...change.added.map((f) => f.file_path), ...written]);
      }
    }
    throw err;
  }
}

/** Appends written data files (operation `append`). */
export function appendFiles(
  catalog: Catalog,
  identifier: TableIdentifier,
  io: FileIO,
  files: DataFile[],
  extra: Omit<SnapshotChange, 'operation' | 'added'> = {},
): Promise<CommittedSnapshot> {
  return commitSnapshot(catalog, identifier, io, { ...extra, operation: 'append', added: files });
}

/**
 * Replaces live files chosen by `removes` (all of them for a full overwrite) with written files
 * (operation `overwrite`, or `delete` when nothing is added).
 */
export function overwriteFiles(
  catalog: Catalog,
  identifier: TableIdentifier,
  io: FileIO,
  files: DataFile[],
  removes: (file: DataFile, specId: number) => boolean,
  extra: Omit<SnapshotChange, 'operation' | 'added' | 'removes'> = {},
): Promise<CommittedSnapshot> {
  return commitSnapshot(catalog, identifier, io, {
    ...extra,
    operation: files.length === 0 ? 'delete' : 'overwrite',
    added: files,
    removes,
  });
}
