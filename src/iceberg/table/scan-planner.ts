/**
 * Scan planning (spec: "Scan Planning"): choose a snapshot, read its manifests, keep the live data files that may
 * hold rows matching the filter, and attach to each the delete files that apply to it.
 */
import type { Expression } from '../expr/expression.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import type { Snapshot } from '../spec/snapshot.js';
import { currentSchema, schemaForSnapshot, type TableMetadata } from '../spec/table-metadata.js';
import { EntryStatus } from '../avro/manifest.js';
import { DeleteIndex, type PlannedFile } from './delete-index.js';
import { createPruner, type SkippedFile } from './scan-pruner.js';
import { loadSnapshotManifests } from './snapshot-manifests.js';
import { selectSnapshot, type SnapshotSelector, type Table } from './table.js';

/** A data file to read and the deletes that apply to it. */
export interface FileScanTask extends PlannedFile {
  deletes: PlannedFile[];
}

/** The result of planning a scan. */
export interface ScanPlan {
  /** The snapshot read; undefined for a table with no snapshots (an empty scan). */
  snapshot?: Snapshot;
  /** The schema rows are projected to: the snapshot's schema for time travel, else the current one. */
  schema: Schema;
  tasks: FileScanTask[];
  /** Data files skipped by the filter, with the reason (for logs and explain). */
  skipped: SkippedFile[];
  specs: Map<number, PartitionSpec>;
}

/** Options of {@link planScan}. */
export interface PlanScanOptions extends SnapshotSelector {
  /** Row filter used to skip files; rows are still filtered by the engine. */
  filter?: Expression;
  caseSensitive?: boolean;
}

/**
 * The schema a scan reads with. Time travel reads with the schema of the snapshot (spec: "Snapshots" schema-id);
 * the current read uses the current schema so renamed and added columns show as the table has them now. A branch
 * is a line the table's schema applies to (its next commit is written with it), so it reads with the current
 * schema too; a tag is a fixed point in history and reads with its snapshot's schema, as Iceberg's Java reader does.
 */
export function scanSchema(md: TableMetadata, opts: SnapshotSelector = {}): Schema {
  const snapshot = selectSnapshot(md, opts);
  const onBranch = opts.ref !== undefined && md.refs[opts.ref]?.type === 'branch';
  const timeTravel = opts.snapshotId !== undefined || opts.asOfTimestampMs !== undefined || (opts.ref !== undefined && !onBranch);
  return snapshot && timeTravel ? schemaForSnapshot(md, snapshot) : currentSchema(md);
}

/** Plans a scan of `table`. */
export async function planScan(table: Table, opts: PlanScanOptions = {}): Promise<ScanPlan> {
  const md = table.metadata;
  const specs = new Map(md['partition-specs'].map((s) => [s['spec-id'], s] as const));
  const snapshot = selectSnapshot(md, opts);
  const schema = scanSchema(md, opts);
  if (!snapshot) return { schema, tasks: [], skipped: [], specs };

  // Files without field ids are read through the name mapping, which may have changed since their metrics were
  // recorded by field id (a column unmapped now reads as null whatever its old null count says): with a mapping,
  // only partition values prune.
  const trustMetrics = md.properties['schema.name-mapping.default'] === undefined;
  const pruner = createPruner(opts.filter, schema, specs, opts.caseSensitive ?? true, trustMetrics);
  const manifests = await loadSnapshotManifests(table, snapshot);
  const data: PlannedFile[] = [];
  const deletes: PlannedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const { manifest, entries } of manifests) {
    const dataManifest = manifest.content === 0;
    if (dataManifest && !pruner.manifestMightMatch(manifest)) {
      for (const e of entries) {
        if (e.status !== EntryStatus.DELETED) skipped.push({ file: e.data_file, reason: 'manifest partition summary' });
      }
      continue;
    }
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue;
      const planned: PlannedFile = {
        file: e.data_file,
        readPath: table.resolvePath(e.data_file.file_path),
        specId: manifest.partition_spec_id,
        dataSequenceNumber: e.sequence_number ?? 0n,
      };
      if (e.data_file.content === 0) {
        const reason = pruner.fileSkipReason(planned);
        if (reason) skipped.push({ file: e.data_file, reason });
        else data.push(planned);
      } else {
        deletes.push(planned);
      }
    }
  }
  const index = new DeleteIndex(deletes, specs);
  const tasks = data.map((d) => ({ ...d, deletes: index.isEmpty ? [] : index.deletesFor(d) }));
  return { snapshot, schema, tasks, skipped, specs };
}
