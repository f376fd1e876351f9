/**
 * Reading the manifests of a snapshot: the manifest list (or, for v1 snapshots written without one, the inline
 * `manifests` array), then every manifest, with snapshot ids and sequence numbers inherited as the spec says.
 */
import type { Snapshot } from '../spec/snapshot.js';
import { readManifestList, type ManifestFile } from '../avro/manifest-list.js';
import { readManifest, type ManifestEntry } from '../avro/manifest.js';
import type { Table } from './table.js';

/** A manifest and its decoded entries. */
export interface LoadedManifest {
  manifest: ManifestFile;
  entries: ManifestEntry[];
}

/** The manifest list entries of a snapshot. */
export async function snapshotManifestFiles(table: Table, snapshot: Snapshot): Promise<ManifestFile[]> {
  const listPath = snapshot['manifest-list'];
  if (listPath) {
    const bytes = await table.io.read(table.resolvePath(listPath));
    return readManifestList(bytes, listPath);
  }
  // v1 snapshots may list manifests inline (spec: "Snapshots", field `manifests`): data manifests at sequence 0.
  return (snapshot.manifests ?? []).map((path) => ({
    manifest_path: path,
    manifest_length: 0n,
    partition_spec_id: -1,
    content: 0,
    sequence_number: 0n,
    min_sequence_number: 0n,
    added_snapshot_id: snapshot['snapshot-id'],
    added_files_count: null,
    existing_files_count: null,
    deleted_files_count: null,
    added_rows_count: null,
    existing_rows_count: null,
    deleted_rows_count: null,
  }));
}

/** Reads one manifest, filling the spec id from its header when the list did not carry one (inline v1 lists). */
export async function loadManifest(table: Table, manifest: ManifestFile): Promise<LoadedManifest> {
  const bytes = await table.io.read(table.resolvePath(manifest.manifest_path));
  const m = readManifest(bytes, { manifestFile: manifest }, manifest.manifest_path);
  if (manifest.partition_spec_id < 0) {
    manifest = { ...manifest, partition_spec_id: Number(m.meta['partition-spec-id'] ?? 0) };
  }
  return { manifest, entries: m.entries };
}

/** Reads all manifests of a snapshot in parallel, keeping list order. */
export async function loadSnapshotManifests(table: Table, snapshot: Snapshot): Promise<LoadedManifest[]> {
  const files = await snapshotManifestFiles(table, snapshot);
  return Promise.all(files.map((f) => loadManifest(table, f)));
}
