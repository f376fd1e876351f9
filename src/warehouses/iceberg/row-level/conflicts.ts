/**
 * Conflict validation of row-level operations against commits made since they started (serializable isolation,
 * as Iceberg's RowDelta and OverwriteFiles validate: `validateNoConflictingDataFiles`,
 * `validateNoConflictingDeleteFiles`, `validateDataFilesExist`). An operation read the table at its starting
 * snapshot and decided which rows to delete, rewrite or insert; a concurrent commit invalidates that when it
 *
 * - removed a data file the operation rewrites or writes deletes for (its rows moved or went away),
 * - added deletes that apply to such a data file (the rows the operation kept or rewrote may be deleted now; a
 *   second deletion vector for one data file is not even allowed in v3); a partition-scoped position delete file
 *   applies when its `file_path` bounds bracket such a file,
 * - removed a delete file the operation replaces (a deletion vector it merges into its own),
 * - added data files that may hold rows the operation's predicate or incoming keys match, judged by partition
 *   values and column bounds (such rows would escape the delete, or duplicate an upserted key).
 *
 * A concurrent append elsewhere (other partitions, other key ranges) conflicts with none of these and does not
 * force a re-run. A conflict throws COMMIT_CONFLICT marked `context.rerun`: the operation starts over from a fresh
 * load (see `rerun.ts`).
 */
import { FloeError } from '../../../errors.js';
import { DELETE_FILE_PATH_FIELD_ID } from '../../../engine/position-delete-writer.js';
import type { DataFile } from '../../../iceberg/avro/manifest.js';
import type { Expression } from '../../../iceberg/expr/expression.js';
import { isUnpartitioned, type PartitionSpec } from '../../../iceberg/spec/partition-spec.js';
import { currentSchema } from '../../../iceberg/spec/table-metadata.js';
import { changesSince } from '../../../iceberg/table/concurrent-changes.js';
import { partitionKey, type PlannedFile } from '../../../iceberg/table/delete-index.js';
import { createPruner } from '../../../iceberg/table/scan-pruner.js';
import type { Table } from '../../../iceberg/table/table.js';

/** What an operation relied on when it read the table. */
export interface ConflictScope {
  /** Head of the branch when the operation read it (undefined: the branch had no snapshot). */
  startingSnapshotId: bigint | undefined;
  branch: string;
  /** Data files (recorded paths, with spec and partition) the operation removes or writes deletes for. */
  referencedDataFiles: PlannedFile[];
  /** Delete files the operation removes (`file_path#content_offset`). */
  removedDeleteFiles: Set<string>;
  /**
   * Whether data files added concurrently may conflict (false for an upsert by equality deletes: its deletes,
   * committed later, apply to them anyway).
   */
  checkAddedData: boolean;
  /** Prunes concurrently added data files that cannot hold matching rows; undefined: every one may. */
  filter?: Expression;
}

/** The key of a delete file entry: Puffin files hold many vectors, told apart by offset. */
export function deleteFileKey(f: { file_path: string; content_offset?: bigint | null }): string {
  return `${f.file_path}#${f.content_offset ?? ''}`;
}

function conflict(message: string, context: Record<string, unknown>): FloeError {
  return new FloeError('COMMIT_CONFLICT', message, { context: { ...context, rerun: true } });
}

/**
 * Whether a position delete file scoped to a partition (no `referenced_data_file`, as `write.delete.granularity`
 * `partition` writes them) may name one of `paths`: its `file_path` lower and upper bounds (kept in full for
 * position deletes) bracket every path it names, in UTF-8 byte order. Without both bounds it may name any.
 */
function mayNameAny(f: DataFile, paths: Buffer[]): boolean {
  const lo = f.lower_bounds?.get(DELETE_FILE_PATH_FIELD_ID);
  const hi = f.upper_bounds?.get(DELETE_FILE_PATH_FIELD_ID);
  if (!lo || !hi) return true;
  return paths.some((p) => Buffer.compare(p, lo) >= 0 && Buffer.compare(p, hi) <= 0);
}

/** True when `err` is a conflict after which the whole operation should start over. */
export function isRerunConflict(err: unknown): boolean {
  return err instanceof FloeError && err.code === 'COMMIT_CONFLICT';
}

/** The `validate` hook of a row-level commit: throws COMMIT_CONFLICT when `base` conflicts with `scope`. */
export function conflictValidator(scope: ConflictScope): (base: Table) => Promise<void> {
  return async (base) => {
    const changes = await changesSince(base, scope.startingSnapshotId, scope.branch);
    if (changes.snapshots.length === 0) return;
    const referenced = new Map(scope.referencedDataFiles.map((f) => [f.file.file_path, f] as const));
    const referencedPaths = [...referenced.keys()].map((p) => Buffer.from(p, 'utf8'));
    const partitions = new Set(scope.referencedDataFiles.map((f) => partitionKey(f.specId, f.file.partition)));
    const specs = new Map<number, PartitionSpec>(base.metadata['partition-specs'].map((s) => [s['spec-id'], s] as const));

    for (const f of changes.removedDataFiles) {
      if (referenced.has(f.file.file_path)) {
        throw conflict(`a concurrent commit removed data file ${f.file.file_path}, which this operation changes`, {
          path: f.file.file_path,
        });
      }
    }
    for (const f of changes.removedDeleteFiles) {
      if (scope.removedDeleteFiles.has(deleteFileKey(f.file))) {
        throw conflict(`a concurrent commit removed delete file ${f.file.file_path}, which this operation replaces`, {
          path: f.file.file_path,
        });
      }
    }
    if (referenced.size > 0) {
      for (const d of changes.addedDeleteFiles) {
        const f = d.file;
        const spec = specs.get(d.specId);
        const applies =
          f.referenced_data_file != null
            ? referenced.has(f.referenced_data_file)
            : (f.content === 2 && (!spec || isUnpartitioned(spec))) ||
              (partitions.has(partitionKey(d.specId, f.partition)) && (f.content !== 1 || mayNameAny(f, referencedPaths)));
        if (applies) {
          throw conflict(`a concurrent commit added deletes (${f.file_path}) to data this operation changes`, { path: f.file_path });
        }
      }
    }
    if (scope.checkAddedData && changes.addedDataFiles.length > 0) {
      const pruner = createPruner(scope.filter, currentSchema(base.metadata), specs, true);
      const hit = changes.addedDataFiles.find((f) => pruner.fileSkipReason(f) === undefined);
      if (hit) {
        throw conflict(`a concurrent commit added data file ${hit.file.file_path}, which may hold rows this operation matches`, {
          path: hit.file.file_path,
        });
      }
    }
  };
}
