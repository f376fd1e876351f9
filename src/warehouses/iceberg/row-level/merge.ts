/**
 * Upsert and MERGE into an Iceberg table (`merge-spec.ts` for the semantics). The incoming rows are materialized
 * once in DuckDB; then, per attempt:
 *
 * 1. candidate files: those whose partitions and key bounds can hold an incoming key (`key-filter.ts`);
 * 2. matches: a scan of the candidates' key columns only (with each row's file index and position) joined with
 *    the incoming rows in DuckDB, already deleted rows dropped after the join (`key-matches.ts`);
 * 3. decisions: an upsert whose incoming rows carry every column needs nothing more (matched rows are replaced by
 *    the incoming ones); otherwise the matched rows' full values are read from the touched files and each pair's
 *    clause and updated values computed in one query;
 * 4. writes: merge-on-read writes position deletes (v2) or deletion vectors (v3) for the updated and deleted rows
 *    plus data files of the new rows; copy-on-write rewrites each touched file without them, with the new rows.
 *    An upsert with `delete_files: 'equality'` writes the incoming keys as an equality delete file and the incoming
 *    rows as data, reading nothing of the table (`equality-upsert.ts`);
 * 5. commit with conflict validation; a conflict re-runs the attempt from a fresh load.
 */
import type { Table } from '../../../iceberg/table/table.js';
import { FloeError } from '../../../errors.js';
import { StepTimer } from '../../../engine/step-timer.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import { quoteIdent } from '../../../engine/sql-literals.js';
import type { Catalog, TableIdentifier } from '../../../iceberg/catalog/catalog.js';
import { incomingKeyFilter } from './key-filter.js';
import { isPlainUpsert, type MergeSpec } from './merge-spec.js';
import { equalityUpsert } from './equality-upsert.js';
import { emptyRelation } from './predicate.js';
import { withReruns, type RerunOptions } from './rerun.js';
import { inSubset, touchedFiles, writeRowDeletes } from './row-deletes.js';
import { matchRows, type Incoming } from './key-matches.js';
import {
  commitRowChange,
  discardWritten,
  loadTableAt,
  planCandidates,
  rowLevelMode,
  withScan,
  writeRows,
  type LoadedTable,
  type RowChange,
  type RowLevelMode,
} from './row-operation.js';

/** Options of {@link mergeInto}. */
export interface MergeOptions {
  branch?: string;
  /** Overrides the table's mode property. */
  mode?: RowLevelMode;
  /** Table property choosing the mode (`write.merge.mode`; upserts fall back to `write.update.mode`). */
  upsert?: boolean;
  /** `equality`: an upsert writes the incoming keys as equality deletes (no table read). Default `position`. */
  deleteFiles?: 'position' | 'equality';
  reruns?: RerunOptions;
  /** Extra snapshot summary properties (a backfill's run and window ids). */
  summary?: Record<string, string>;
  /** An extra commit-time check on each attempt's base (e.g. "this window is not committed yet"). */
  validate?: (base: Table) => Promise<void>;
}

/** What a merge did. */
export interface MergeResult {
  rows_inserted: number;
  rows_updated: number;
  rows_deleted: number;
  /** New rows written (inserted and updated; copy-on-write also rewrites the touched files' other rows). */
  rows_written: number;
  files_written: number;
  /** Data files removed and rewritten (copy-on-write). */
  files_rewritten: number;
  delete_files_written: number;
  snapshot_id: string | null;
  mode: RowLevelMode;
  table_location: string;
  /** Manifests of the committed snapshot (for the writer's `iceberg.write.complete` event). */
  manifest_files?: number;
}

const RID = '__floe_rid';
let counter = 0;

/** Errors of a bad SQL fragment in the merge spec are the caller's: INVALID_ARGUMENT. */
async function checkSql(engine: Engine, sql: string, what: string): Promise<void> {
  try {
    await engine.run(sql);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQL_ERROR') {
      throw new FloeError('INVALID_ARGUMENT', `bad ${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    throw err;
  }
}

/** The incoming rows' column names. */
async function columnsOf(engine: Engine, relation: string): Promise<string[]> {
  const res = await engine.run(`SELECT * FROM ${relation} LIMIT 0`);
  return res.columnNames();
}

/**
 * Merges the rows of `source` (a DuckDB relation) into `identifier` by `spec`. Errors: INVALID_ARGUMENT (key column
 * not in the table or the source, bad condition), DUPLICATE_KEY (two incoming rows with one key, or a table row
 * matched by two incoming rows), SCHEMA_MISMATCH (incoming rows that do not fit the table), COMMIT_CONFLICT
 * (retryable) when concurrent commits kept conflicting. Nothing is committed on error.
 */
export async function mergeInto(
  catalog: Catalog,
  identifier: TableIdentifier,
  engine: Engine,
  source: string,
  spec: MergeSpec,
  opts: MergeOptions = {},
): Promise<MergeResult> {
  const timer = new StepTimer('merge');
  const src = `__floe_src_${process.pid}_${++counter}`;
  const numbered = `${src}_n`;
  await engine.run(`CREATE TEMP TABLE ${src} AS SELECT * FROM ${source} AS s`);
  try {
    const srcColumns = await columnsOf(engine, src);
    // A row's id is the temporary table's rowid (free), unless the rows have a column of that name.
    let incoming: Incoming & { relation: string } = { table: src, relation: src, rid: (a) => `${a}.rowid` };
    if (srcColumns.some((c) => c.toLowerCase() === 'rowid')) {
      await engine.run(`CREATE TEMP TABLE ${numbered} AS SELECT *, row_number() OVER () AS ${RID} FROM ${src}`);
      incoming = { table: numbered, relation: `(SELECT * EXCLUDE (${RID}) FROM ${numbered})`, rid: (a) => `${a}.${RID}` };
    }
    timer.lap('materialize');
    const first = await loadTableAt(catalog, identifier, opts.branch);
    await checkSpec(engine, first, src, srcColumns, spec);
    const srcRows = Number((await (await engine.run(`SELECT count(*) FROM ${src}`)).getRowsJS())[0][0]);
    timer.lap('check');
    return await withReruns(
      (n) => mergeAttempt(catalog, identifier, engine, incoming, srcColumns, srcRows, spec, opts, n === 0 ? first : undefined),
      opts.reruns,
    );
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${src}`);
    await engine.run(`DROP TABLE IF EXISTS ${numbered}`);
  }
}

/** Validates the spec against the table and the incoming rows (once: nothing here depends on the snapshot). */
async function checkSpec(engine: Engine, loaded: LoadedTable, src: string, srcColumns: string[], spec: MergeSpec): Promise<void> {
  const tableColumns = loaded.schema.fields.map((f) => f.name);
  if (Array.isArray(spec.on)) {
    for (const k of spec.on) {
      if (!tableColumns.includes(k)) {
        throw new FloeError('INVALID_ARGUMENT', `key column ${k} is not a column of the table (${tableColumns.join(', ')})`, { context: { column: k } });
      }
      const f = loaded.schema.fields.find((x) => x.name === k)!;
      if (typeof f.type !== 'string') throw new FloeError('INVALID_ARGUMENT', `key column ${k} is not a primitive column`, { context: { column: k } });
      if (!srcColumns.includes(k)) {
        throw new FloeError('INVALID_ARGUMENT', `key column ${k} is not in the incoming rows (${srcColumns.join(', ')})`, { context: { column: k } });
      }
    }
    const keys = spec.on.map(quoteIdent).join(', ');
    const dups = (await (
      await engine.run(`SELECT ${spec.on.map((k) => `${quoteIdent(k)}::VARCHAR`).join(', ')} FROM ${src} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 5`)
    ).getRowsJS()) as unknown[][];
    if (dups.length > 0) {
      const examples = dups.map((r) => (r.length === 1 ? String(r[0]) : `(${r.map(String).join(', ')})`));
      throw new FloeError('DUPLICATE_KEY', `the incoming rows hold duplicate keys (${spec.on.join(', ')}), e.g. ${examples.join('; ')}: a merge needs one incoming row per key`, {
        context: { key_columns: spec.on, examples },
      });
    }
  }
  const t = emptyRelation(loaded.schema);
  const exprs: string[] = [];
  if (!Array.isArray(spec.on)) exprs.push(`(${spec.on}) IS TRUE`);
  for (const c of spec.when_matched ?? []) {
    if (c.condition) exprs.push(`(${c.condition}) IS TRUE`);
    if (c.action === 'update') {
      for (const [col, e] of Object.entries(c.set ?? {})) {
        if (!tableColumns.includes(col)) throw new FloeError('INVALID_ARGUMENT', `set names ${col}, which is not a column of the table`, { context: { column: col } });
        exprs.push(`(${e})`);
      }
    }
  }
  for (const c of spec.when_not_matched ?? []) if (c.condition) exprs.push(`(${c.condition}) IS TRUE`);
  if (exprs.length > 0) await checkSql(engine, `SELECT ${exprs.join(', ')} FROM ${t} AS t, ${src} AS s WHERE false`, 'merge condition or expression');
}

/** One attempt of a merge, on a fresh load (or the first one). */
async function mergeAttempt(
  catalog: Catalog,
  identifier: TableIdentifier,
  engine: Engine,
  incoming: Incoming & { relation: string },
  srcColumns: string[],
  srcRows: number,
  spec: MergeSpec,
  opts: MergeOptions,
  given?: LoadedTable,
): Promise<MergeResult> {
  const timer = new StepTimer('merge');
  const loaded = given ?? (await loadTableAt(catalog, identifier, opts.branch));
  const md = loaded.table.metadata;
  const props = md.properties;
  const mode = opts.upsert
    ? rowLevelMode(props, props['write.merge.mode'] !== undefined ? 'write.merge.mode' : 'write.update.mode', opts.mode)
    : rowLevelMode(props, 'write.merge.mode', opts.mode);
  const result: MergeResult = {
    rows_inserted: 0,
    rows_updated: 0,
    rows_deleted: 0,
    rows_written: 0,
    files_written: 0,
    files_rewritten: 0,
    delete_files_written: 0,
    snapshot_id: null,
    mode,
    table_location: md.location,
  };
  const keys = Array.isArray(spec.on) ? spec.on : undefined;
  const srcRel = incoming.relation;
  const src = incoming.table;
  const rid = incoming.rid;
  const change: RowChange = {
    addedData: [],
    addedDeletes: [],
    removedDataFiles: new Set(),
    removedDeleteFiles: new Set(),
    scope: { startingSnapshotId: loaded.startingSnapshotId, branch: loaded.branch, referencedDataFiles: [], removedDeleteFiles: new Set(), checkAddedData: true },
  };
  const temps: string[] = [];
  const temp = () => {
    const name = `__floe_merge_${process.pid}_${++counter}`;
    temps.push(name);
    return name;
  };
  try {
    if (opts.deleteFiles === 'equality') {
      await equalityUpsert(engine, loaded, srcRel, keys, spec, change);
      result.rows_written = srcRows;
      result.files_written = change.addedData.length;
      result.delete_files_written = change.addedDeletes.length;
    } else {
      const filter = keys ? await incomingKeyFilter(engine, srcRel, loaded.schema, md['partition-specs'], keys) : undefined;
      change.scope.filter = filter;
      timer.lap('key filter');
      const plan = await planCandidates(loaded, filter);
      timer.lap('plan');
      const tableCols = loaded.schema.fields.map((f) => f.name);
      const fastUpsert = isPlainUpsert(spec) && tableCols.every((c) => srcColumns.includes(c));
      // 2. matches: (file index, position) of each live matched table row and the incoming row's id.
      const positionsOnly = keys !== undefined && fastUpsert && mode === 'merge-on-read' && md['format-version'] >= 3;
      const matches = await matchRows(engine, loaded, plan, incoming, { ...(keys ? { keys } : { condition: spec.on as string }), positionsOnly }, temp);
      timer.lap('matches');
      const matched = matches.table ?? '(SELECT NULL::INTEGER AS file_index, NULL::BIGINT AS pos, NULL::BIGINT AS rid WHERE false)';
      if (!keys) {
        const twice = Number(
          (await (await engine.run(`SELECT count(*) FROM (SELECT 1 FROM ${matched} GROUP BY file_index, pos HAVING count(*) > 1)`)).getRowsJS())[0][0],
        );
        if (twice > 0) {
          throw new FloeError('DUPLICATE_KEY', `${twice} table row(s) match more than one incoming row: a merge needs at most one incoming row per table row`, {
            context: { rows: twice },
          });
        }
      }
      // 3. decisions: positions to delete (`removed`, a relation of file_index, pos), rows to write.
      let removed = matched;
      const newRows: string[] = [];
      const matchedClauses = spec.when_matched ?? [];
      if (fastUpsert) {
        result.rows_updated = matches.live;
        newRows.push(srcRel);
        result.rows_inserted = srcRows - result.rows_updated;
      } else if (matchedClauses.length > 0) {
        const touchedAll = await touchedFiles(engine, plan.tasks, matched);
        const decided = temp();
        const cases = matchedClauses.map((c, i) => `WHEN ${c.condition ? `(${c.condition}) IS TRUE` : 'true'} THEN ${i}`).join(' ');
        const updates = matchedClauses.flatMap((c, i) =>
          c.action !== 'update'
            ? []
            : tableCols.map((col, j) => {
                const e = c.set?.[col] ?? (c.set === undefined && srcColumns.includes(col) ? `s.${quoteIdent(col)}` : `t.${quoteIdent(col)}`);
                return `(${e}) AS __u${i}_${j}`;
              }),
        );
        const touchedTasks = touchedAll.map((t) => t.task);
        const indexes = touchedAll.map((t) => t.index);
        await withScan(engine, loaded, plan, touchedTasks, { includeFileIndex: true }, (scan) =>
          engine.run(
            `CREATE TEMP TABLE ${decided} AS SELECT [${indexes.join(', ')}][t.file_index + 1] AS file_index, t.file_row_number AS pos, ` +
              `CASE ${cases} ELSE -1 END AS __clause${updates.length > 0 ? `, ${updates.join(', ')}` : ''} FROM ${scan} AS t ` +
              `JOIN ${inSubset(matched, touchedAll)} AS m ON t.file_index = m.file_index AND t.file_row_number = m.pos ` +
              `JOIN ${src} AS s ON ${rid('s')} = m.rid`,
          ),
        );
        removed = temp();
        await engine.run(`CREATE TEMP TABLE ${removed} AS SELECT file_index, pos FROM ${decided} WHERE __clause >= 0`);
        const counts = (await (await engine.run(`SELECT __clause, count(*) FROM ${decided} WHERE __clause >= 0 GROUP BY 1`)).getRowsJS()) as Array<[number, bigint]>;
        for (const [i, n] of counts) {
          if (matchedClauses[Number(i)].action === 'update') result.rows_updated += Number(n);
          else result.rows_deleted += Number(n);
        }
        matchedClauses.forEach((c, i) => {
          if (c.action !== 'update') return;
          newRows.push(`(SELECT ${tableCols.map((col, j) => `__u${i}_${j} AS ${quoteIdent(col)}`).join(', ')} FROM ${decided} WHERE __clause = ${i})`);
        });
      } else {
        removed = temp();
        await engine.run(`CREATE TEMP TABLE ${removed} AS SELECT file_index, pos FROM ${matched} WHERE false`);
      }
      if (!fastUpsert && (spec.when_not_matched ?? []).length > 0) {
        const conds = spec.when_not_matched!.map((c) => (c.condition ? `(${c.condition}) IS TRUE` : 'true'));
        // An upsert writes the incoming rows as they are (a column the table lacks is SCHEMA_MISMATCH). A merge, as
        // SQL MERGE, may carry source-only columns for its conditions and `set` expressions: only the table's
        // columns are inserted (those the source lacks are null).
        const shared = tableCols.filter((c) => srcColumns.includes(c));
        if (!opts.upsert && shared.length === 0) {
          throw new FloeError('INVALID_ARGUMENT', 'the incoming rows share no column with the table: nothing to insert', {
            context: { incoming: srcColumns.join(', ') },
          });
        }
        const star = !opts.upsert ? shared.map((c) => `s.${quoteIdent(c)}`).join(', ') : src === srcRel ? 's.*' : `s.* EXCLUDE (${RID})`;
        const inserted = `(SELECT ${star} FROM ${src} AS s WHERE ${rid('s')} NOT IN (SELECT rid FROM ${matched}) AND (${conds.join(' OR ')}))`;
        result.rows_inserted = Number((await (await engine.run(`SELECT count(*) FROM ${inserted}`)).getRowsJS())[0][0]);
        newRows.push(inserted);
      }
      timer.lap('decisions');
      // 4. writes.
      const touched = matches.positions
        ? [...matches.positions].map(([index, p]) => ({ task: plan.tasks[index], index, matched: BigInt(p.length) }))
        : await touchedFiles(engine, plan.tasks, removed);
      change.scope.referencedDataFiles = touched.map((t) => t.task);
      timer.lap('touched');
      const union = (parts: string[]) => `(${parts.map((p) => `SELECT * FROM ${p}`).join(' UNION ALL BY NAME ')})`;
      if (mode === 'merge-on-read') {
        const deletes = await writeRowDeletes(engine, loaded.table, touched, removed, {
          deleted: matches.deleted,
          ...(matches.positions ? { positions: matches.positions } : {}),
        });
        change.addedDeletes = deletes.added;
        change.removedDeleteFiles = deletes.removedDeleteFiles;
        change.scope.removedDeleteFiles = deletes.removedDeleteFiles;
        timer.lap('delete files');
        if (newRows.length > 0) change.addedData = await writeRows(engine, loaded, union(newRows));
        timer.lap('new rows');
      } else {
        const tasks = touched.map((t) => t.task);
        if (tasks.length > 0) {
          change.addedData = await withScan(engine, loaded, plan, tasks, { includeFileIndex: true }, (scan) => {
            const kept =
              `(SELECT t.* EXCLUDE (file_index, file_row_number) FROM ${scan} AS t ` +
              `ANTI JOIN ${inSubset(removed, touched)} AS r ON t.file_index = r.file_index AND t.file_row_number = r.pos)`;
            return writeRows(engine, loaded, union([kept, ...newRows]));
          });
        } else if (newRows.length > 0) {
          change.addedData = await writeRows(engine, loaded, union(newRows));
        }
        for (const t of tasks) change.removedDataFiles.add(t.file.file_path);
        result.files_rewritten = tasks.length;
        timer.lap('rewrite');
      }
      result.rows_written = result.rows_inserted + result.rows_updated;
      result.files_written = change.addedData.length;
      result.delete_files_written = change.addedDeletes.length;
    }
    if (change.addedData.length === 0 && change.addedDeletes.length === 0 && change.removedDataFiles.size === 0) return result;
    if (opts.summary) change.summary = { ...change.summary, ...opts.summary };
    if (opts.validate) change.validate = opts.validate;
    const committed = await commitRowChange(catalog, loaded, change);
    timer.lap('commit');
    result.snapshot_id = committed.snapshot['snapshot-id'].toString();
    result.table_location = committed.metadata.location;
    const sum = committed.snapshot.summary;
    result.manifest_files = Number(sum['manifests-created'] ?? 0) + Number(sum['manifests-kept'] ?? 0);
    return result;
  } catch (err) {
    if ((err as { code?: string }).code !== 'COMMIT_STATE_UNKNOWN') await discardWritten(loaded, change);
    throw err;
  } finally {
    for (const t of temps) await engine.run(`DROP TABLE IF EXISTS ${t}`);
  }
}
