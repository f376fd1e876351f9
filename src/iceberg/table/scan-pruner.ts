/**
 * File skipping for scan planning: a filter is bound to the scan schema, projected to each partition spec and
 * evaluated against manifest summaries, partition tuples and column metrics (spec: "Scan Planning"). Skipping is
 * conservative: whatever cannot be evaluated might match.
 */
import type { DataFile } from '../avro/manifest.js';
import type { ManifestFile } from '../avro/manifest-list.js';
import type { Expression } from '../expr/expression.js';
import { bindExpression, type BoundExpression } from '../expr/bind.js';
import { fileMightMatch } from '../expr/metrics-evaluator.js';
import { manifestMightMatch } from '../expr/manifest-evaluator.js';
import { partitionMightMatch, projectToPartition } from '../expr/partition-evaluator.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import { partitionType } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import type { StructType } from '../spec/types.js';
import type { PlannedFile } from './delete-index.js';

/** A data file the filter ruled out. */
export interface SkippedFile {
  file: DataFile;
  reason: string;
}

/** Decides which manifests and files a filter rules out. */
export interface Pruner {
  manifestMightMatch(manifest: ManifestFile): boolean;
  /** The reason a file cannot match, or undefined when it might. */
  fileSkipReason(file: PlannedFile): string | undefined;
}

const keepAll: Pruner = { manifestMightMatch: () => true, fileSkipReason: () => undefined };

/** Builds the pruner for a filter; without a filter nothing is skipped. */
export function createPruner(
  filter: Expression | undefined,
  schema: Schema,
  specs: Map<number, PartitionSpec>,
  caseSensitive: boolean,
  trustMetrics = true,
): Pruner {
  if (!filter || filter.kind === 'true') return keepAll;
  const bound = bindExpression(filter, schema, caseSensitive);
  const projections = new Map<number, { projected: BoundExpression; type: StructType } | null>();
  const projectionFor = (specId: number) => {
    if (!projections.has(specId)) {
      const spec = specs.get(specId);
      let entry: { projected: BoundExpression; type: StructType } | null = null;
      if (spec && spec.fields.length > 0) {
        try {
          entry = { projected: projectToPartition(bound, spec, schema), type: partitionType(spec, schema) };
        } catch {
          entry = null; // a spec whose source columns are gone cannot prune
        }
      }
      projections.set(specId, entry);
    }
    return projections.get(specId) ?? null;
  };
  return {
    manifestMightMatch(manifest) {
      const p = projectionFor(manifest.partition_spec_id);
      const spec = specs.get(manifest.partition_spec_id);
      return !p || !spec || manifestMightMatch(p.projected, spec, p.type, manifest);
    },
    fileSkipReason(file) {
      const p = projectionFor(file.specId);
      if (p && !partitionMightMatch(p.projected, file.file.partition)) return 'partition values do not match the filter';
      if (trustMetrics && !fileMightMatch(bound, file.file)) return 'column bounds do not match the filter';
      return undefined;
    },
  };
}
