/**
 * Step 2 of a merge: which table rows the incoming rows match. The candidate files' key columns (or, for a merge
 * with an SQL condition, all columns) are scanned with each row's file index and position and joined with the
 * incoming rows; then the matches already deleted by position deletes or deletion vectors are dropped.
 *
 * Why in that order: applying a deletion vector inside the scan is an anti join over every row of the file (10M
 * probes for a 10M-row file), while the matched rows are at most as many as the incoming ones. So the scan skips
 * position deletes (`skipPositionDeletes`; equality deletes still apply in it), and the matched positions of each
 * file with deletes are checked against its deleted positions in a bitset (`positions.ts`). The key scan reads
 * files by column name when their field ids agree (`engine/parquet-columns.ts`), so DuckDB builds the join's hash
 * table on the incoming rows.
 */
import type { Engine } from '../../../engine/duckdb-engine.js';
import { quoteIdent } from '../../../engine/sql-literals.js';
import { StepTimer } from '../../../engine/step-timer.js';
import { appendColumns } from '../../../engine/typed-columns.js';
import type { ScanPlan } from '../../../iceberg/table/scan-planner.js';
import { DeletedPositions, readPositionsByFile, type PositionsByFile } from './positions.js';
import { withScan, type LoadedTable } from './row-operation.js';

/** The incoming rows as a merge reads them. */
export interface Incoming {
  /** The temporary table holding them. */
  table: string;
  /** SQL of a row's id in `table` aliased `s` (unique per incoming row). */
  rid: (alias: string) => string;
}

/** Options of {@link matchRows}. */
export interface MatchOptions {
  /** Key columns (equal values match), or undefined with `condition`. */
  keys?: string[];
  /** The merge's SQL ON condition over `t` (table) and `s` (incoming), when there are no key columns. */
  condition?: string;
  /**
   * Only the matched positions are needed, in JS (an upsert writing deletion vectors): no table of matches is
   * made, and already deleted positions are only counted out (a vector holding them again is the same vector).
   */
  positionsOnly?: boolean;
}

/** The live matches. */
export interface Matches {
  /** Temporary table of `file_index` (into `plan.tasks`), `pos`, `rid` (the incoming row's id); not with `positionsOnly`. */
  table?: string;
  /**
   * With `positionsOnly`: the matched positions per file index of the files with live matches, possibly including
   * already deleted positions.
   */
  positions?: PositionsByFile;
  /** Number of live matched rows. */
  live: number;
  /** The deleted positions loaded on the way, for the delete writer to reuse. */
  deleted: DeletedPositions;
}

/** Finds the live table rows matched by incoming rows (see the module comment); `temp` names temporary tables. */
export async function matchRows(
  engine: Engine,
  loaded: LoadedTable,
  plan: ScanPlan,
  incoming: Incoming,
  opts: MatchOptions,
  temp: () => string,
): Promise<Matches> {
  const { keys } = opts;
  const timer = new StepTimer('matches');
  const on = keys ? keys.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ') : `(${opts.condition})`;
  const scanOpts = { includeFileIndex: true, skipPositionDeletes: true, ...(keys ? { columns: keys } : {}) };
  const deleted = new DeletedPositions(engine, loaded.table);

  if (opts.positionsOnly) {
    // A semi join: the positions go straight to JS, with no table in between.
    const positions = await withScan(engine, loaded, plan, plan.tasks, scanOpts, (scan) =>
      readPositionsByFile(engine, `(SELECT t.file_index, t.file_row_number AS pos FROM ${scan} AS t SEMI JOIN ${incoming.table} AS s ON ${on})`),
    );
    timer.lap('join');
    let live = 0;
    for (const [index, matched] of positions) {
      const task = plan.tasks[index];
      const fresh = DeletedPositions.has(task) ? (await deleted.set(task)).addAll(matched) : matched.length;
      // A file whose matched rows were all deleted already is not touched.
      if (fresh === 0) positions.delete(index);
      live += fresh;
    }
    timer.lap('existing deletes');
    return { positions, live, deleted };
  }

  const name = temp();
  await withScan(engine, loaded, plan, plan.tasks, scanOpts, (scan) =>
    engine.run(
      `CREATE TEMP TABLE ${name} AS SELECT t.file_index, t.file_row_number AS pos, ${incoming.rid('s')} AS rid ` +
        `FROM ${scan} AS t JOIN ${incoming.table} AS s ON ${on}`,
    ),
  );
  timer.lap('join');
  const withDeletes = plan.tasks.flatMap((t, i) => (DeletedPositions.has(t) ? [i] : []));
  const positions = await readPositionsByFile(engine, name, withDeletes);
  const staleFiles: number[] = [];
  const stalePositions: number[] = [];
  for (const [index, matched] of positions) {
    const gone = await deleted.set(plan.tasks[index]);
    for (const p of matched) {
      if (!gone.has(p)) continue;
      staleFiles.push(index);
      stalePositions.push(p);
    }
  }
  timer.lap('existing deletes');
  if (staleFiles.length > 0) {
    const stale = temp();
    await engine.run(`CREATE TEMP TABLE ${stale} (file_index INTEGER, pos BIGINT)`);
    await appendColumns(engine, stale, [Int32Array.from(staleFiles), BigInt64Array.from(stalePositions, BigInt)]);
    await engine.run(`DELETE FROM ${name} USING ${stale} AS x WHERE ${name}.file_index = x.file_index AND ${name}.pos = x.pos`);
    timer.lap('drop deleted');
  }
  const live = Number((await (await engine.run(`SELECT count(*) FROM ${name}`)).getRowsJS())[0][0]);
  return { table: name, live, deleted };
}
