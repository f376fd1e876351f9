/**
 * Manifest merging, as Iceberg's merging snapshot producers do it (table properties
 * `commit.manifest-merge.enabled`, default true; `commit.manifest.min-count-to-merge`, default 100;
 * `commit.manifest.target-size-bytes`, default 8 MiB): once a spec's data manifests, or its delete manifests,
 * reach the minimum count, small manifests of that kind are bin-packed into manifests near the target size (Java
 * merges delete manifests with a second merge manager under the same properties). Without it every commit adds
 * manifests, and every manifest list names all of them: a list's size, and a commit's cost, grow with history.
 */
import { EntryStatus, type ManifestEntry } from '../avro/manifest.js';
import type { ManifestFile } from '../avro/manifest-list.js';
import type { FileIO } from '../io/file-io.js';
import { currentSchema, specById, type TableMetadata } from '../spec/table-metadata.js';
import { writeManifestFile } from './manifest-writing.js';
import { loadManifest } from './snapshot-manifests.js';
import type { Table } from './table.js';

/** The result of a merge pass. */
export interface MergeResult {
  manifests: ManifestFile[];
  written: string[];
  created: number;
  replaced: number;
  processed: number;
}

function intProperty(md: TableMetadata, key: string, fallback: number): number {
  const v = Number(md.properties[key]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Merges small manifests of `manifests` when the table's merge policy asks for it, data and delete manifests
 * apart (spec: a manifest holds one kind of content), per partition spec.
 */
export async function mergeManifests(
  base: Table,
  io: FileIO,
  md: TableMetadata,
  manifests: ManifestFile[],
  snapshotId: bigint,
): Promise<MergeResult> {
  const none: MergeResult = { manifests, written: [], created: 0, replaced: 0, processed: 0 };
  if ((md.properties['commit.manifest-merge.enabled'] ?? 'true').toLowerCase() === 'false') return none;
  const minCount = intProperty(md, 'commit.manifest.min-count-to-merge', 100);
  const target = BigInt(intProperty(md, 'commit.manifest.target-size-bytes', 8 * 1024 * 1024));

  const out: ManifestFile[] = [];
  const result: MergeResult = { manifests: out, written: [], created: 0, replaced: 0, processed: 0 };
  const bySpec = new Map<string, ManifestFile[]>();
  for (const m of manifests) {
    const key = `${m.content}:${m.partition_spec_id}`;
    const list = bySpec.get(key);
    if (list) list.push(m);
    else bySpec.set(key, [m]);
  }
  for (const group of bySpec.values()) {
    const specId = group[0].partition_spec_id;
    const content = group[0].content === 0 ? 'data' : 'deletes';
    if (group.length < minCount) {
      out.push(...group);
      continue;
    }
    // Bin-pack in list order (newest first), so recent small manifests are merged together.
    const bins: ManifestFile[][] = [];
    let bin: ManifestFile[] = [];
    let size = 0n;
    for (const m of group) {
      if (m.manifest_length >= target) {
        out.push(m);
        continue;
      }
      if (bin.length > 0 && size + m.manifest_length > target) {
        bins.push(bin);
        bin = [];
        size = 0n;
      }
      bin.push(m);
      size += m.manifest_length;
    }
    if (bin.length > 0) bins.push(bin);
    for (const b of bins) {
      if (b.length === 1) {
        out.push(b[0]);
        continue;
      }
      const entries: ManifestEntry[] = [];
      for (const m of b) {
        const loaded = await loadManifest(base, m);
        result.processed += loaded.entries.length;
        for (const e of loaded.entries) {
          // Deletions were recorded by the snapshot that made them; carried files become EXISTING with their
          // sequence numbers written out (spec: only ADDED entries inherit), which for delete files keeps the
          // data they apply to unchanged.
          if (e.status === EntryStatus.DELETED) continue;
          entries.push({ ...e, status: EntryStatus.EXISTING });
        }
      }
      const merged = await writeManifestFile(io, md, specById(md, specId), currentSchema(md), entries, content, snapshotId);
      result.written.push(merged.manifest_path);
      out.push(merged);
      result.created++;
      result.replaced += b.length;
    }
  }
  return result;
}
