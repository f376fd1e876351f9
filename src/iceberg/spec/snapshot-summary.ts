/**
 * Snapshot summaries (spec Appendix F, "Optional Snapshot Summary Fields"): what a commit added and removed, and
 * the table's totals after it, carried forward from the parent's totals. Values are decimal strings.
 */
import type { DataFile } from '../avro/manifest.js';
import type { SnapshotSummary } from './snapshot.js';

/** Counts of what a snapshot adds or removes. */
export interface SummaryDelta {
  addedFiles: DataFile[];
  removedFiles: DataFile[];
  /** Partition keys touched, for `changed-partition-count`. */
  changedPartitions: number;
  manifestsCreated: number;
  manifestsKept: number;
  manifestsReplaced: number;
  entriesProcessed: number;
}

const TOTALS = [
  'total-data-files',
  'total-delete-files',
  'total-records',
  'total-files-size',
  'total-position-deletes',
  'total-equality-deletes',
] as const;

function sum(files: DataFile[], pick: (f: DataFile) => bigint): bigint {
  return files.reduce((s, f) => s + pick(f), 0n);
}

/**
 * Builds the summary of a new snapshot. `parent` is the parent snapshot's summary (totals are carried forward
 * from it; when the parent has none, `parentTotals` gives them).
 */
export function buildSummary(
  operation: SnapshotSummary['operation'],
  delta: SummaryDelta,
  parent: Partial<Record<string, string>> | undefined,
  extra: Record<string, string> = {},
): SnapshotSummary {
  const data = (fs: DataFile[]) => fs.filter((f) => f.content === 0);
  const posDel = (fs: DataFile[]) => fs.filter((f) => f.content === 1);
  const eqDel = (fs: DataFile[]) => fs.filter((f) => f.content === 2);
  const dvs = (fs: DataFile[]) => fs.filter((f) => f.content === 1 && f.file_format === 'PUFFIN');
  const rows = (f: DataFile) => f.record_count;
  const size = (f: DataFile) => f.file_size_in_bytes;
  const a = delta.addedFiles;
  const r = delta.removedFiles;
  const counts: Record<string, bigint> = {
    'added-data-files': BigInt(data(a).length),
    'deleted-data-files': BigInt(data(r).length),
    'added-delete-files': BigInt(posDel(a).length + eqDel(a).length),
    'removed-delete-files': BigInt(posDel(r).length + eqDel(r).length),
    'added-equality-delete-files': BigInt(eqDel(a).length),
    'removed-equality-delete-files': BigInt(eqDel(r).length),
    'added-position-delete-files': BigInt(posDel(a).length - dvs(a).length),
    'removed-position-delete-files': BigInt(posDel(r).length - dvs(r).length),
    'added-dvs': BigInt(dvs(a).length),
    'removed-dvs': BigInt(dvs(r).length),
    'added-records': sum(data(a), rows),
    'deleted-records': sum(data(r), rows),
    'added-files-size': sum(a, size),
    'removed-files-size': sum(r, size),
    'added-position-deletes': sum(posDel(a), rows),
    'removed-position-deletes': sum(posDel(r), rows),
    'added-equality-deletes': sum(eqDel(a), rows),
    'removed-equality-deletes': sum(eqDel(r), rows),
  };
  const out: SnapshotSummary = { operation };
  for (const [k, v] of Object.entries(counts)) if (v !== 0n) out[k] = v.toString();
  const prev = (k: string): bigint => {
    const v = parent?.[k];
    return v !== undefined && /^-?\d+$/.test(v) ? BigInt(v) : 0n;
  };
  const totals: Record<(typeof TOTALS)[number], bigint> = {
    'total-data-files': prev('total-data-files') + counts['added-data-files'] - counts['deleted-data-files'],
    'total-delete-files': prev('total-delete-files') + counts['added-delete-files'] - counts['removed-delete-files'],
    'total-records': prev('total-records') + counts['added-records'] - counts['deleted-records'],
    'total-files-size': prev('total-files-size') + counts['added-files-size'] - counts['removed-files-size'],
    'total-position-deletes':
      prev('total-position-deletes') + counts['added-position-deletes'] - counts['removed-position-deletes'],
    'total-equality-deletes':
      prev('total-equality-deletes') + counts['added-equality-deletes'] - counts['removed-equality-deletes'],
  };
  for (const k of TOTALS) out[k] = totals[k].toString();
  out['changed-partition-count'] = String(delta.changedPartitions);
  out['manifests-created'] = String(delta.manifestsCreated);
  out['manifests-kept'] = String(delta.manifestsKept);
  out['manifests-replaced'] = String(delta.manifestsReplaced);
  out['entries-processed'] = String(delta.entriesProcessed);
  return { ...out, ...extra };
}
