/**
 * Row-level DELETE (`floe delete <table> --where "<predicate>"`): removes the rows of a table matching a DuckDB SQL
 * predicate, as one snapshot. Files that cannot hold matching rows (by partition values and column bounds) are not
 * read; of the rest, only files with a matching live row are touched:
 *
 * - copy-on-write (`write.delete.mode`, the default): each touched file is rewritten without its matching rows
 *   (its existing deletes applied), or just removed when all its live rows match; operation `overwrite`, or
 *   `delete` when nothing is rewritten (Iceberg's OverwriteFiles);
 * - merge-on-read: position delete files (v2) or deletion vectors (v3) for the matching rows; operation `delete`
 *   (Iceberg's RowDelta).
 *
 * The commit is validated against concurrent commits (`conflicts.ts`); on a conflict the whole delete re-runs.
 */
import { FloeError } from '../../../errors.js';
import { Engine } from '../../../engine/duckdb-engine.js';
import type { Catalog, TableIdentifier } from '../../../iceberg/catalog/catalog.js';
import type { DataFile } from '../../../iceberg/avro/manifest.js';
import { checkPredicate, pruningFilter } from './predicate.js';
import { touchedFiles, writeRowDeletes } from './row-deletes.js';
import { withReruns, type RerunOptions } from './rerun.js';
import {
  commitRowChange,
  discardWritten,
  loadTableAt,
  planCandidates,
  rowLevelMode,
  withScan,
  writeRows,
  type RowChange,
  type RowLevelMode,
} from './row-operation.js';

/** Options of {@link deleteRows}. */
export interface DeleteRowsOptions {
  /** Branch to commit to (default `main`). */
  branch?: string;
  /** Overrides the table's `write.delete.mode`. */
  mode?: RowLevelMode;
  /** A DuckDB engine to use (else one is opened and closed). */
  engine?: Engine;
  reruns?: RerunOptions;
  /**
   * Rows to add in the same snapshot (an overwrite by filter: delete the matching rows, insert new ones). Called
   * once per run of the operation, after the deletes are decided: files of a run that did not commit are removed,
   * so a re-run after a conflict writes its own.
   */
  insert?: () => Promise<DataFile[]>;
  /** Extra snapshot summary properties. */
  summary?: Record<string, string>;
}

/** What a delete did. */
export interface DeleteRowsResult {
  rows_deleted: number;
  /** Data files rewritten without their matching rows (copy-on-write). */
  files_rewritten: number;
  /** Data files removed (rewritten, or all of whose rows matched). */
  files_removed: number;
  /** Position delete files or deletion vectors written (merge-on-read). */
  delete_files_written: number;
  /** The new snapshot; null when no row matched (nothing is committed then). */
  snapshot_id: string | null;
  mode: RowLevelMode;
  /** Data files read (candidates after pruning) and skipped. */
  files_scanned: number;
  files_skipped: number;
}

let counter = 0;

/**
 * Deletes the rows of `identifier` for which `predicate` (DuckDB SQL over the table's columns) is true.
 * Errors: INVALID_ARGUMENT for a bad predicate (the table untouched), CONFIG_INVALID for a bad
 * `write.delete.mode`, COMMIT_CONFLICT (retryable) when concurrent commits kept conflicting.
 */
export async function deleteRows(
  catalog: Catalog,
  identifier: TableIdentifier,
  predicate: string,
  opts: DeleteRowsOptions = {},
): Promise<DeleteRowsResult> {
  const engine = opts.engine ?? (await Engine.create());
  try {
    return await withReruns(async () => {
      const loaded = await loadTableAt(catalog, identifier, opts.branch);
      const md = loaded.table.metadata;
      const mode = rowLevelMode(md.properties, 'write.delete.mode', opts.mode);
      if (mode === 'merge-on-read' && md['format-version'] < 2) {
        throw new FloeError('UNSUPPORTED', 'merge-on-read deletes need a format version 2 or 3 table');
      }
      await checkPredicate(engine, loaded.schema, predicate);
      const filter = await pruningFilter(engine, loaded.schema, predicate);
      const plan = await planCandidates(loaded, filter);
      const result: DeleteRowsResult = {
        rows_deleted: 0,
        files_rewritten: 0,
        files_removed: 0,
        delete_files_written: 0,
        snapshot_id: null,
        mode,
        files_scanned: plan.tasks.length,
        files_skipped: plan.skipped.length,
      };
      if (plan.tasks.length === 0 && !opts.insert) return result;
      const pred = `(${predicate.trim()})`;
      const matched = `__floe_deleted_${process.pid}_${++counter}`;
      // Copy-on-write needs only counts per file (matching and live rows); merge-on-read the matching positions.
      const select =
        mode === 'copy-on-write'
          ? `SELECT file_index, count(*) FILTER (WHERE ${pred}) AS matched, count(*) AS live FROM __scan AS t GROUP BY file_index`
          : `SELECT file_index, file_row_number AS pos FROM __scan AS t WHERE ${pred}`;
      await withScan(engine, loaded, plan, plan.tasks, { includeFileIndex: true }, (scan) =>
        engine.run(`CREATE TEMP TABLE ${matched} AS ${select.replace('__scan', scan)}`),
      );
      let change: RowChange | undefined;
      try {
        const touched = await touchedFiles(engine, plan.tasks, matched, mode === 'copy-on-write');
        result.rows_deleted = Number(touched.reduce((n, t) => n + t.matched, 0n));
        if (touched.length === 0 && !opts.insert) return result;
        change = {
          addedData: [],
          addedDeletes: [],
          removedDataFiles: new Set(),
          removedDeleteFiles: new Set(),
          scope: {
            startingSnapshotId: loaded.startingSnapshotId,
            branch: loaded.branch,
            referencedDataFiles: touched.map((t) => t.task),
            removedDeleteFiles: new Set(),
            checkAddedData: true,
            filter,
          },
        };
        if (mode === 'copy-on-write') {
          const tasks = touched.map((t) => t.task);
          // Files whose live rows all match are only removed; the others are rewritten with their other rows.
          const toRewrite = touched.filter((t) => t.live !== undefined && t.live > t.matched).map((t) => t.task);
          if (toRewrite.length > 0) {
            change.addedData = await withScan(engine, loaded, plan, toRewrite, {}, (scan) =>
              writeRows(engine, loaded, `(SELECT * FROM ${scan} AS t WHERE ${pred} IS NOT TRUE)`),
            );
          }
          for (const t of tasks) change.removedDataFiles.add(t.file.file_path);
          result.files_removed = tasks.length;
          result.files_rewritten = toRewrite.length;
        } else {
          const deletes = await writeRowDeletes(engine, loaded.table, touched, matched);
          change.addedDeletes = deletes.added;
          change.removedDeleteFiles = deletes.removedDeleteFiles;
          change.scope.removedDeleteFiles = deletes.removedDeleteFiles;
          result.delete_files_written = deletes.added.length;
        }
        if (opts.insert) change.addedData.push(...(await opts.insert()));
        if (opts.summary) change.summary = { ...change.summary, ...opts.summary };
        const committed = await commitRowChange(catalog, loaded, change);
        result.snapshot_id = committed.snapshot['snapshot-id'].toString();
        return result;
      } catch (err) {
        // Files of a change that never reached the commit are ours alone to remove (commitRowChange removes
        // its own on a surely failed commit).
        if (change && (err as { code?: string }).code !== 'COMMIT_STATE_UNKNOWN') await discardWritten(loaded, change);
        throw err;
      } finally {
        await engine.run(`DROP TABLE IF EXISTS ${matched}`);
      }
    }, opts.reruns);
  } finally {
    if (!opts.engine) engine.close();
  }
}
