/**
 * The live data files of a table's current snapshot, with the spec each was written with.
 */
import type { DataFile } from '../avro/manifest.js';
import { EntryStatus } from '../avro/manifest.js';
import { currentSnapshot } from '../spec/table-metadata.js';
import { loadSnapshotManifests } from './snapshot-manifests.js';
import type { Table } from './table.js';

/** Live data files (not delete files) of the current snapshot. */
export async function liveDataFiles(table: Table): Promise<Array<{ file: DataFile; specId: number }>> {
  const snap = currentSnapshot(table.metadata);
  if (!snap) return [];
  const out: Array<{ file: DataFile; specId: number }> = [];
  for (const { manifest, entries } of await loadSnapshotManifests(table, snap)) {
    if (manifest.content !== 0) continue;
    for (const e of entries) if (e.status !== EntryStatus.DELETED) out.push({ file: e.data_file, specId: manifest.partition_spec_id });
  }
  return out;
}
