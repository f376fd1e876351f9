/**
 * What keeping versions costs in storage (REQUIREMENTS.md §4: "storage overhead of versioning under 10%"): the
 * bytes of every file the table's metadata still references, by kind, and the overhead ratio
 * `(metadata + deletes) / data`, where metadata is the metadata JSON files (the current one and those of the
 * metadata log that still exist; spec: "Table Metadata" `metadata-log`), manifest lists, manifests and statistics
 * files, over all retained snapshots. Each file counts once, however many snapshots share it. Data and delete file
 * sizes come from the manifests (`file_size_in_bytes`); metadata files are measured on storage.
 *
 * Old metadata JSON files are what grows without bound unless `write.metadata.previous-versions-max` (default
 * 100) bounds the log and `write.metadata.delete-after-commit.enabled` deletes what leaves it.
 */
import { EntryStatus } from '../avro/manifest.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { tableOf } from './commit.js';
import { loadManifest, snapshotManifestFiles } from './snapshot-manifests.js';
import type { Table } from './table.js';
import type { ManifestFile } from '../avro/manifest-list.js';

/** Bytes and file counts of one kind of file. */
export interface StorageItem {
  files: number;
  bytes: number;
}

/** The result of {@link storageReport}. */
export interface StorageReport {
  snapshots: number;
  metadata_json: StorageItem;
  /** Entries of the metadata log whose file no longer exists (deleted after commit, or by hand). */
  metadata_json_missing: number;
  manifest_lists: StorageItem;
  manifests: StorageItem;
  /** Puffin statistics and partition statistics files the metadata lists. */
  statistics: StorageItem;
  delete_files: StorageItem;
  data_files: StorageItem;
  /** metadata_json + manifest_lists + manifests + statistics. */
  metadata_bytes: number;
  /** (metadata_bytes + delete_files.bytes) / data_files.bytes; 0 for a table without data. */
  overhead: number;
}

async function sizeOrUndefined(table: Table, path: string): Promise<number | undefined> {
  try {
    return await table.io.size(table.resolvePath(path));
  } catch {
    return undefined;
  }
}

async function measured(table: Table, paths: Iterable<string>): Promise<{ item: StorageItem; missing: number }> {
  const sizes = await Promise.all([...paths].map((p) => sizeOrUndefined(table, p)));
  const found = sizes.filter((s): s is number => s !== undefined);
  return { item: { files: found.length, bytes: found.reduce((a, b) => a + b, 0) }, missing: sizes.length - found.length };
}

/** The storage report of a catalog table. */
export async function storageReport(catalog: Catalog, id: TableIdentifier): Promise<StorageReport> {
  return tableStorageReport(tableOf(await catalog.loadTable(id)));
}

/** The storage report of an opened table (see the module comment). */
export async function tableStorageReport(table: Table): Promise<StorageReport> {
  const md = table.metadata;
  const json = await measured(table, new Set([table.metadataLocation, ...md['metadata-log'].map((e) => e['metadata-file'])]));
  const lists = await measured(table, new Set(md.snapshots.map((s) => s['manifest-list']).filter((p): p is string => !!p)));
  const stats = await measured(table, new Set([...(md.statistics ?? []), ...(md['partition-statistics'] ?? [])].map((s) => s['statistics-path'])));

  // Every manifest of every retained snapshot, read once.
  const manifests = new Map<string, ManifestFile>();
  for (const s of md.snapshots) for (const m of await snapshotManifestFiles(table, s)) manifests.set(m.manifest_path, m);
  const manifestBytes = await Promise.all(
    [...manifests.values()].map(async (m) => (m.manifest_length > 0n ? Number(m.manifest_length) : ((await sizeOrUndefined(table, m.manifest_path)) ?? 0))),
  );
  const data = new Map<string, number>();
  const deletes = new Map<string, number>();
  const loaded = await Promise.all([...manifests.values()].map((m) => loadManifest(table, m)));
  for (const { entries } of loaded) {
    for (const e of entries) {
      // A DELETED entry's file is counted where it was live, if a retained snapshot still has it.
      if (e.status === EntryStatus.DELETED) continue;
      const f = e.data_file;
      // Deletion vectors of many data files share one Puffin file: its size counts once.
      (f.content === 0 ? data : deletes).set(f.file_path, Number(f.file_size_in_bytes));
    }
  }
  const sum = (m: Map<string, number>): StorageItem => ({ files: m.size, bytes: [...m.values()].reduce((a, b) => a + b, 0) });
  const manifestItem: StorageItem = { files: manifests.size, bytes: manifestBytes.reduce((a, b) => a + b, 0) };
  const dataItem = sum(data);
  const deleteItem = sum(deletes);
  const metadataBytes = json.item.bytes + lists.item.bytes + manifestItem.bytes + stats.item.bytes;
  return {
    snapshots: md.snapshots.length,
    metadata_json: json.item,
    metadata_json_missing: json.missing,
    manifest_lists: lists.item,
    manifests: manifestItem,
    statistics: stats.item,
    delete_files: deleteItem,
    data_files: dataItem,
    metadata_bytes: metadataBytes,
    overhead: dataItem.bytes === 0 ? 0 : (metadataBytes + deleteItem.bytes) / dataItem.bytes,
  };
}
