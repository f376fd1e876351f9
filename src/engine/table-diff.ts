/**
 * Comparing two versions of a table (REQUIREMENTS.md §4 "compare two versions"): row counts added, removed and
 * modified, optionally the rows, and the field-level schema changes. Computed in DuckDB over floe's own scans of
 * both snapshots, each read with its snapshot's schema (spec: "Snapshots" schema-id) and compared on the columns
 * present in both, matched by field id (so a renamed column still compares; a promoted one is cast to its newer
 * type; a nested column whose type changed is left out and not listed in `compared_columns`).
 *
 * - With key columns, rows are matched by key (null-safe): added = keys only in `to`, removed = keys only in
 *   `from`, modified = keys in both whose other compared columns differ (null-safe). Key columns are meant to be a
 *   key: a key found twice among one side's compared rows is DUPLICATE_KEY (a diff by a non-key would mislead);
 *   duplicates confined to shared, skipped files are not looked for.
 * - Without keys, the versions are compared by content as multisets of rows: a changed row counts as one removed
 *   and one added, and rows_modified is 0.
 *
 * Files both versions share are skipped: a data file live in both at the same data sequence number, with the same
 * set of delete files applying to it, yields the same rows on both sides (same bytes, same deletes), so removing
 * those rows from both sides changes neither multiset difference nor, with unique keys, the keyed result. Only the
 * rest is read and compared; a version pair sharing nothing falls back to a full comparison.
 */
import { FloeError } from '../errors.js';
import type { Catalog, TableIdentifier } from '../iceberg/catalog/catalog.js';
import { diffSchemas, type SchemaChange } from '../iceberg/spec/schema-diff.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { Snapshot } from '../iceberg/spec/snapshot.js';
import type { IcebergType } from '../iceberg/spec/types.js';
import { tableOf } from '../iceberg/table/commit.js';
import { planScan, type FileScanTask, type ScanPlan } from '../iceberg/table/scan-planner.js';
import type { Table } from '../iceberg/table/table.js';
import { resolveVersion, versionSelector, type VersionRef } from '../iceberg/table/versions.js';
import { Engine } from './duckdb-engine.js';
import { buildScanSql, scanColumnNames } from './scan-sql.js';
import { duckdbType, quoteIdent } from './sql-literals.js';

/** Options of {@link diffVersions}. */
export interface DiffOptions {
  /** Key column names (as named in the `to` version); present in both versions. */
  key?: string[];
  /** Return the differing rows too: `true` for up to 100 of each kind, a number for that many. */
  rows?: boolean | number;
  /** Engine to run on (a new in-memory one by default). */
  engine?: Engine;
}

/** One side of a diff. */
export interface DiffSide {
  version: string;
  snapshot_id: bigint;
  schema_id: number;
  committed_at: string;
}

/** A modified row: its key, and the compared columns before and after. */
export interface ModifiedRow {
  key: Record<string, unknown>;
  from: Record<string, unknown>;
  to: Record<string, unknown>;
}

/** The result of {@link diffVersions}. */
export interface VersionDiff {
  from: DiffSide;
  to: DiffSide;
  rows_added: number;
  rows_removed: number;
  rows_modified: number;
  schema_changes: SchemaChange[];
  /** Columns compared (names in `to`). */
  compared_columns: string[];
  key?: string[];
  /** Data files both versions share (skipped), and data files read per side. */
  files: { shared: number; read_from: number; read_to: number };
  added?: Record<string, unknown>[];
  removed?: Record<string, unknown>[];
  modified?: ModifiedRow[];
}

interface Compared {
  id: number;
  /** Column in the temp tables. */
  col: string;
  toName: string;
  fromName: string;
  /** DuckDB type to cast the `from` side to, when the type was promoted. */
  castFrom?: string;
}

let counter = 0;

const sameType = (a: IcebergType, b: IcebergType) => JSON.stringify(a) === JSON.stringify(b);

function comparedColumns(from: Schema, to: Schema): Compared[] {
  const fromNames = scanColumnNames(from);
  const toNames = scanColumnNames(to);
  const out: Compared[] = [];
  for (const f of to.fields) {
    const old = from.fields.find((x) => x.id === f.id);
    if (!old) continue;
    const c: Compared = { id: f.id, col: `c${f.id}`, toName: toNames.get(f.id)!, fromName: fromNames.get(f.id)! };
    if (!sameType(old.type, f.type)) {
      // A promoted primitive compares at its newer, wider type; a changed nested type cannot be compared as a whole.
      if (typeof old.type !== 'string' || typeof f.type !== 'string') continue;
      c.castFrom = duckdbType(f.type);
    }
    out.push(c);
  }
  return out;
}

function taskKey(t: FileScanTask): string {
  return `${t.file.file_path}\u0000${t.dataSequenceNumber}\u0000${t.deletes.map((d) => d.file.file_path).sort().join('\u0000')}`;
}

function side(v: VersionRef, snap: Snapshot, schema: Schema): DiffSide {
  return {
    version: typeof v === 'object' && Object.keys(v).length === 0 ? 'current' : typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v),
    snapshot_id: snap['snapshot-id'],
    schema_id: schema['schema-id'],
    committed_at: new Date(Number(snap['timestamp-ms'])).toISOString(),
  };
}

/** Compares two versions of a catalog table. Errors: REF_NOT_FOUND / SNAPSHOT_NOT_FOUND, INVALID_ARGUMENT, DUPLICATE_KEY. */
export async function diffVersions(
  catalog: Catalog,
  id: TableIdentifier,
  from: VersionRef,
  to: VersionRef,
  opts: DiffOptions = {},
): Promise<VersionDiff> {
  return diffTableVersions(tableOf(await catalog.loadTable(id)), from, to, opts);
}

/** Compares two versions of an opened table (see the module comment). */
export async function diffTableVersions(table: Table, from: VersionRef, to: VersionRef, opts: DiffOptions = {}): Promise<VersionDiff> {
  const md = table.metadata;
  const fromSnap = resolveVersion(md, from);
  const toSnap = resolveVersion(md, to);
  const limit = opts.rows === undefined || opts.rows === false ? 0 : opts.rows === true ? 100 : Math.max(0, Math.floor(opts.rows));
  // Each side reads as the version names it: the current state and branches with the table's current schema, a
  // tag, snapshot id or time with its snapshot's schema (so columns added since show as schema changes).
  const [planF, planT] = await Promise.all([planScan(table, versionSelector(md, from)), planScan(table, versionSelector(md, to))]);
  const compared = comparedColumns(planF.schema, planT.schema);
  const keyCols = (opts.key ?? []).map((name) => {
    const c = compared.find((x) => x.toName === name);
    if (!c) {
      throw new FloeError('INVALID_ARGUMENT', `key column '${name}' is not a comparable column of both versions`, {
        context: { column: name, to: toSnap['snapshot-id'].toString(), from: fromSnap['snapshot-id'].toString() },
      });
    }
    return c;
  });
  if (new Set(keyCols.map((k) => k.id)).size !== keyCols.length) throw new FloeError('INVALID_ARGUMENT', 'a key column is named twice');

  const keysF = new Set(planF.tasks.map(taskKey));
  const keysT = new Set(planT.tasks.map(taskKey));
  const restF: ScanPlan = { ...planF, tasks: planF.tasks.filter((t) => !keysT.has(taskKey(t))) };
  const restT: ScanPlan = { ...planT, tasks: planT.tasks.filter((t) => !keysF.has(taskKey(t))) };
  const result: VersionDiff = {
    from: side(from, fromSnap, planF.schema),
    to: side(to, toSnap, planT.schema),
    rows_added: 0,
    rows_removed: 0,
    rows_modified: 0,
    schema_changes: diffSchemas(planF.schema, planT.schema),
    compared_columns: compared.map((c) => c.toName),
    ...(keyCols.length > 0 ? { key: keyCols.map((k) => k.toName) } : {}),
    files: { shared: planT.tasks.length - restT.tasks.length, read_from: restF.tasks.length, read_to: restT.tasks.length },
  };
  if (limit > 0) {
    result.added = [];
    result.removed = [];
    if (keyCols.length > 0) result.modified = [];
  }
  if (restF.tasks.length === 0 && restT.tasks.length === 0) return result;

  const engine = opts.engine ?? (await Engine.create());
  const n = ++counter;
  const f = `__floe_diff_${process.pid}_${n}_from`;
  const t = `__floe_diff_${process.pid}_${n}_to`;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const scanF = await buildScanSql(engine, table, restF);
    cleanups.push(scanF.cleanup);
    const scanT = await buildScanSql(engine, table, restT);
    cleanups.push(scanT.cleanup);
    const selF = compared.map((c) => {
      const v = `s.${quoteIdent(c.fromName)}`;
      return `${c.castFrom ? `CAST(${v} AS ${c.castFrom})` : v} AS ${c.col}`;
    });
    const selT = compared.map((c) => `s.${quoteIdent(c.toName)} AS ${c.col}`);
    await engine.run(`CREATE TEMP TABLE ${f} AS SELECT ${[...selF, 'true AS __present'].join(', ')} FROM ${scanF.sql} AS s`);
    await engine.run(`CREATE TEMP TABLE ${t} AS SELECT ${[...selT, 'true AS __present'].join(', ')} FROM ${scanT.sql} AS s`);
    const named = (row: Record<string, unknown>, cols: Compared[]) => Object.fromEntries(cols.map((c) => [c.toName, row[c.col]]));
    const query = async (sql: string) => (await (await engine.run(sql)).getRowObjectsJS()) as Record<string, unknown>[];
    const all = ['__present', ...compared.map((c) => c.col)].join(', ');

    if (keyCols.length === 0) {
      const added = `SELECT ${all} FROM ${t} EXCEPT ALL SELECT ${all} FROM ${f}`;
      const removed = `SELECT ${all} FROM ${f} EXCEPT ALL SELECT ${all} FROM ${t}`;
      const [counts] = await query(`SELECT (SELECT count(*) FROM (${added})) AS a, (SELECT count(*) FROM (${removed})) AS r`);
      result.rows_added = Number(counts.a);
      result.rows_removed = Number(counts.r);
      if (limit > 0) {
        result.added = (await query(`${added} LIMIT ${limit}`)).map((r) => named(r, compared));
        result.removed = (await query(`${removed} LIMIT ${limit}`)).map((r) => named(r, compared));
      }
      return result;
    }

    const keyList = keyCols.map((k) => k.col).join(', ');
    for (const [rel, which] of [[f, 'from'], [t, 'to']] as const) {
      const dups = await query(`SELECT ${keyList}, count(*) AS n FROM ${rel} GROUP BY ${keyList} HAVING count(*) > 1 LIMIT 5`);
      if (dups.length > 0) {
        const examples = dups.map((d) => JSON.stringify(named(d, keyCols), (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
        throw new FloeError('DUPLICATE_KEY', `key (${keyCols.map((k) => k.toName).join(', ')}) is not unique in the '${which}' version, e.g. ${examples.join(', ')}`, {
          context: { side: which, examples },
        });
      }
    }
    const on = keyCols.map((k) => `f.${k.col} IS NOT DISTINCT FROM t.${k.col}`).join(' AND ');
    const others = compared.filter((c) => !keyCols.includes(c));
    const differs = others.length === 0 ? 'false' : others.map((c) => `f.${c.col} IS DISTINCT FROM t.${c.col}`).join(' OR ');
    const order = keyCols.map((k) => k.col).join(', ');
    const [counts] = await query(
      `SELECT count(*) FILTER (WHERE f.__present IS NULL) AS a, count(*) FILTER (WHERE t.__present IS NULL) AS r, ` +
        `count(*) FILTER (WHERE f.__present AND t.__present AND (${differs})) AS m FROM ${f} AS f FULL OUTER JOIN ${t} AS t ON ${on}`,
    );
    result.rows_added = Number(counts.a);
    result.rows_removed = Number(counts.r);
    result.rows_modified = Number(counts.m);
    if (limit > 0) {
      const cols = compared.map((c) => c.col).join(', ');
      result.added = (await query(`SELECT ${cols} FROM ${t} AS t ANTI JOIN ${f} AS f ON ${on} ORDER BY ${order} LIMIT ${limit}`)).map((r) => named(r, compared));
      result.removed = (await query(`SELECT ${cols} FROM ${f} AS f ANTI JOIN ${t} AS t ON ${on} ORDER BY ${order} LIMIT ${limit}`)).map((r) => named(r, compared));
      const both = compared.map((c) => `f.${c.col} AS f_${c.col}, t.${c.col} AS t_${c.col}`).join(', ');
      const rows = await query(`SELECT ${both} FROM ${f} AS f JOIN ${t} AS t ON ${on} WHERE ${differs} ORDER BY ${keyCols.map((k) => `t.${k.col}`).join(', ')} LIMIT ${limit}`);
      result.modified = rows.map((r) => ({
        key: Object.fromEntries(keyCols.map((k) => [k.toName, r[`t_${k.col}`]])),
        from: Object.fromEntries(others.map((c) => [c.toName, r[`f_${c.col}`]])),
        to: Object.fromEntries(others.map((c) => [c.toName, r[`t_${c.col}`]])),
      }));
    }
    return result;
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${f}`).catch(() => undefined);
    await engine.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    for (const c of cleanups) await c().catch(() => undefined);
    if (!opts.engine) engine.close();
  }
}
