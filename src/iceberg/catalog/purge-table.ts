/**
 * Deleting every file a table's metadata can reach, for `dropTable(id, purge = true)`: what Java's
 * `CatalogUtil.dropTableData` removes (data and delete files named by manifests, manifests, manifest lists,
 * statistics files, earlier metadata files from `metadata-log`, and the current metadata file).
 */
import { isFloeError } from '../../errors.js';
import { readManifestList } from '../avro/manifest-list.js';
import { readManifest } from '../avro/manifest.js';
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/table-metadata.js';

/** How many deletes run at once: enough to hide object-store latency without flooding it. */
const DELETE_CONCURRENCY = 16;

async function readOrSkip(io: FileIO, path: string): Promise<Uint8Array | undefined> {
  try {
    return await io.read(path);
  } catch (err) {
    // A file that is already gone has nothing left to name; purge is best effort, as in Java.
    if (isFloeError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

async function deleteAll(io: FileIO, paths: Iterable<string>): Promise<void> {
  const queue = [...new Set(paths)];
  const worker = async (): Promise<void> => {
    for (let p = queue.pop(); p !== undefined; p = queue.pop()) await io.delete(p);
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, queue.length) }, worker));
}

/**
 * Deletes the files of a table. Manifests are read before anything is deleted, since they name the data files;
 * entries of every status are deleted (a DELETED entry may name a file no expiry has removed yet). Files already
 * missing are skipped; other read failures (corrupt manifests) are thrown before anything is deleted.
 */
export async function purgeTableFiles(io: FileIO, metadata: TableMetadata, metadataLocation: string): Promise<void> {
  const manifestLists = new Set<string>();
  const manifests = new Set<string>();
  for (const snap of metadata.snapshots) {
    for (const m of snap.manifests ?? []) manifests.add(m);
    const list = snap['manifest-list'];
    if (list === undefined) continue;
    manifestLists.add(list);
    const bytes = await readOrSkip(io, list);
    if (bytes) for (const mf of readManifestList(bytes, list)) manifests.add(mf.manifest_path);
  }
  const contentFiles = new Set<string>();
  for (const path of manifests) {
    const bytes = await readOrSkip(io, path);
    if (!bytes) continue;
    for (const e of readManifest(bytes, {}, path).entries) contentFiles.add(e.data_file.file_path);
  }
  await deleteAll(io, contentFiles);
  await deleteAll(io, manifests);
  await deleteAll(io, manifestLists);
  await deleteAll(io, [
    ...metadata.statistics.map((s) => s['statistics-path']),
    ...metadata['partition-statistics'].map((s) => s['statistics-path']),
    ...metadata['metadata-log'].map((e) => e['metadata-file']),
  ]);
  // The current metadata file goes last: while it exists, a failed purge can be re-run from it.
  await io.delete(metadataLocation);
}
