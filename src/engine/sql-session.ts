/**
 * A SQL session: DuckDB plus floe's Iceberg table functions. Statements run in order on one connection; calls of
 * `iceberg_scan`, `iceberg_metadata` and `iceberg_snapshots` are planned by floe and replaced by the SQL that
 * reads their result, and the settings DuckDB's iceberg extension adds are handled here.
 */
import { FloeError } from '../errors.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { LocalFileIO } from '../iceberg/io/local-file-io.js';
import { Engine } from './duckdb-engine.js';
import { extractScanFilter, extractTableFilter } from './scan-filter.js';
import { scanSchema } from '../iceberg/table/scan-planner.js';
import { icebergMetadataSql, icebergScanSql, icebergSnapshotsSql, openForCall, type IcebergSessionSettings } from './iceberg-functions.js';
import { quoteIdent, quoteString } from './sql-literals.js';
import { findCalls, findQualifiedNames, mentionsIdentifier, splitStatements, type CallArgument } from './sql-scanner.js';
import { existsSync } from 'node:fs';
import type { Catalog } from '../iceberg/catalog/catalog.js';
import { looksLikeTableName, parseTableName } from '../iceberg/catalog/open-catalog.js';
import { tableOf } from '../iceberg/table/commit.js';

/** A column of a query result. */
export interface ResultColumn {
  name: string;
  /** DuckDB type name, e.g. `BIGINT`, `VARCHAR`, `DECIMAL(10,2)`. */
  type: string;
}

/** The result of the last statement: values rendered as DuckDB casts them to VARCHAR, and typed JSON values. */
export interface SqlResult {
  columns: ResultColumn[];
  /** Each value as DuckDB renders it when cast to VARCHAR; null for NULL. */
  text: (string | null)[][];
  /** JSON-ready values: numbers, booleans, strings; integers beyond 2^53 as strings; nested values as JSON. */
  json: unknown[][];
}

const ICEBERG_FUNCTIONS = ['iceberg_scan', 'iceberg_metadata', 'iceberg_snapshots'];
const JSON_NATIVE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|BOOLEAN|DECIMAL.*)$/;
const JSON_NESTED = /(\[\]$|^STRUCT|^MAP|^UNION|^JSON$|\[\d+\]$)/;

/** A DuckDB session with Iceberg table functions. */
export class SqlSession {
  private readonly settings: IcebergSessionSettings = { unsafeEnableVersionGuessing: false };

  private constructor(
    readonly engine: Engine,
    private readonly io: FileIO,
    private readonly ownsEngine: boolean,
    private readonly catalogSource?: Catalog | (() => Promise<Catalog | undefined>),
  ) {}

  private catalogLoaded = false;
  private catalogValue?: Catalog;

  /** The session's catalog, opened on first use (so queries over paths never touch it). */
  private async catalog(): Promise<Catalog | undefined> {
    if (!this.catalogLoaded) {
      this.catalogLoaded = true;
      this.catalogValue = typeof this.catalogSource === 'function' ? await this.catalogSource() : this.catalogSource;
    }
    return this.catalogValue;
  }

  /**
   * Opens a session on a new in-memory DuckDB, or on `engine` when given. With a `catalog`, its tables can be
   * queried by name (`SELECT * FROM db.events`) and named in the Iceberg table functions.
   */
  static async open(
    opts: { engine?: Engine; io?: FileIO; catalog?: Catalog | (() => Promise<Catalog | undefined>) } = {},
  ): Promise<SqlSession> {
    const engine = opts.engine ?? (await Engine.create());
    return new SqlSession(engine, opts.io ?? new LocalFileIO(), !opts.engine, opts.catalog);
  }

  /** Runs `;`-separated statements in order and returns the last one's result. */
  async execute(sqlText: string): Promise<SqlResult> {
    const statements = splitStatements(sqlText);
    if (statements.length === 0) throw new FloeError('INVALID_ARGUMENT', 'no SQL statement given');
    let last: SqlResult = { columns: [], text: [], json: [] };
    for (let i = 0; i < statements.length; i++) {
      last = await this.runStatement(statements[i], i === statements.length - 1);
    }
    return last;
  }

  /** Closes the session (and its DuckDB when the session opened it). */
  close(): void {
    if (this.ownsEngine) this.engine.close();
    if (this.catalogValue && typeof this.catalogSource === 'function') void this.catalogValue.close();
  }

  private async runStatement(stmt: string, wantResult: boolean): Promise<SqlResult> {
    const empty: SqlResult = { columns: [], text: [], json: [] };
    const setting = /^(SET|RESET)\s+(?:(?:GLOBAL|SESSION|LOCAL)\s+)?unsafe_enable_version_guessing\b\s*(?:(?:=|TO)\s*(.+))?$/i.exec(stmt);
    if (setting) {
      const value = setting[1].toUpperCase() === 'RESET' ? 'false' : (setting[2] ?? '').trim().replace(/^'(.*)'$/, '$1');
      if (!/^(true|false|1|0|on|off)$/i.test(value)) {
        throw new FloeError('INVALID_ARGUMENT', `unsafe_enable_version_guessing takes a boolean, got ${value}`);
      }
      this.settings.unsafeEnableVersionGuessing = /^(true|1|on)$/i.test(value);
      return empty;
    }
    // DuckDB's iceberg extension lets bare deletion-vector blobs be read only with this setting; floe reads them
    // anyway (it still checks each blob's length, magic and CRC), so the setting is accepted and changes nothing.
    if (/^(SET|RESET)\s+(?:(?:GLOBAL|SESSION|LOCAL)\s+)?iceberg_unsafe_skip_puffin_verification\b/i.test(stmt)) return empty;
    // floe's Iceberg log entries use DuckDB's log with type 'Iceberg', which core DuckDB does not register:
    // enabling that type means enabling the log (entries are filtered by type when read).
    if (/^CALL\s+enable_logging\s*\(\s*'iceberg'\s*\)$/i.test(stmt)) stmt = 'CALL enable_logging()';

    const views = await this.bindCatalogTables(stmt);
    const { sql, cleanup: cleanupCalls } = await this.rewrite(stmt);
    const cleanup = async () => {
      await cleanupCalls();
      await views();
    };
    try {
      if (!wantResult) {
        await this.engine.run(sql);
        return empty;
      }
      return await this.runForResult(sql);
    } finally {
      await cleanup();
    }
  }

  /** Replaces Iceberg table function calls (last first, so earlier offsets stay valid). */
  private async rewrite(stmt: string): Promise<{ sql: string; cleanup: () => Promise<void> }> {
    const calls = findCalls(stmt, ICEBERG_FUNCTIONS);
    const cleanups: Array<() => Promise<void>> = [];
    const cleanup = async () => {
      for (const c of cleanups) await c();
    };
    if (calls.length === 0) return { sql: stmt, cleanup };
    const includeFilename = mentionsIdentifier(stmt, 'filename');
    let sql = stmt;
    try {
      for (const call of [...calls].reverse()) {
        const args = await this.evaluateArguments(call.name, call.args);
        const { table, selector } = await this.openCallTable(call.name, args);
        let replacement: string;
        if (call.name === 'iceberg_scan') {
          const filter = await extractScanFilter(this.engine, stmt, call.start, scanSchema(table.metadata, selector));
          const scan = await icebergScanSql(this.engine, table, selector, filter, includeFilename);
          cleanups.push(scan.cleanup);
          await this.logSkipped(scan.plan.skipped.map((s) => `skipped 'data_file': '${s.file.file_path}', ${s.reason}`));
          replacement = scan.sql;
        } else if (call.name === 'iceberg_metadata') {
          replacement = await icebergMetadataSql(table, selector);
        } else {
          replacement = icebergSnapshotsSql(table);
        }
        sql = sql.slice(0, call.start) + replacement + sql.slice(call.end);
      }
    } catch (err) {
      await cleanup();
      throw err;
    }
    return { sql, cleanup };
  }

  /** A call's table: a catalog table when the path is a table name (and no such path exists), else a path. */
  private async openCallTable(fn: string, args: { path: string; named: Map<string, unknown> }) {
    if (looksLikeTableName(args.path) && !existsSync(args.path)) {
      const catalog = await this.catalog();
      if (catalog) {
        const ct = await catalog.loadTable(parseTableName(args.path));
        // Parameters are checked, and snapshot selectors read, as for a path.
        const { selector } = await openForCall(ct.io, fn, { path: ct.metadataLocation, named: args.named }, this.settings);
        return { table: tableOf(ct), selector };
      }
    }
    return openForCall(this.io, fn, args, this.settings);
  }

  /**
   * Makes the catalog tables a statement names (`ns.table`) queryable: a view `ns.table` over their current scan,
   * dropped after the statement.
   */
  private async bindCatalogTables(stmt: string): Promise<() => Promise<void>> {
    const created: string[] = [];
    const cleanups: Array<() => Promise<void>> = [];
    const done = async () => {
      for (const v of created.reverse()) await this.engine.run(`DROP VIEW IF EXISTS ${v}`).catch(() => undefined);
      for (const c of cleanups) await c();
    };
    const names = findQualifiedNames(stmt);
    const catalog = names.length > 0 ? await this.catalog() : undefined;
    if (!catalog) return done;
    for (const [ns, name] of names) {
      const id = { namespace: [ns], name };
      let exists = false;
      try {
        exists = await catalog.tableExists(id);
      } catch {
        exists = false;
      }
      if (!exists) continue;
      const table = tableOf(await catalog.loadTable(id));
      // The view serves every read of the table in this statement: pruned only when there is one.
      const filter = await extractTableFilter(this.engine, stmt, ns, name, scanSchema(table.metadata));
      const scan = await icebergScanSql(this.engine, table, {}, filter, false);
      await this.logSkipped(scan.plan.skipped.map((s) => `skipped 'data_file': '${s.file.file_path}', ${s.reason}`));
      cleanups.push(scan.cleanup);
      const view = `${quoteIdent(ns)}.${quoteIdent(name)}`;
      await this.engine.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ns)}`);
      await this.engine.run(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${scan.sql}`);
      created.push(view);
    }
    return done;
  }

  private async evaluateArguments(fn: string, args: CallArgument[]): Promise<{ path: string; named: Map<string, unknown> }> {
    const positional = args.filter((a) => a.name === undefined);
    if (positional.length !== 1) {
      throw new FloeError('INVALID_ARGUMENT', `${fn} takes one positional argument (the table path), got ${positional.length}`);
    }
    const named = new Map<string, unknown>();
    for (const a of args) if (a.name !== undefined) named.set(a.name, await this.evaluate(a.text));
    const path = await this.evaluate(positional[0].text);
    if (typeof path !== 'string') throw new FloeError('INVALID_ARGUMENT', `${fn}: the table path must be a string`);
    return { path, named };
  }

  /** Evaluates a constant argument; a bare double-quoted name is taken as a string, as DuckDB does for parameters. */
  private async evaluate(text: string): Promise<unknown> {
    const quotedName = /^"((?:[^"]|"")*)"$/.exec(text);
    if (quotedName) return quotedName[1].replace(/""/g, '"');
    // A plain string literal (the usual table path) needs no round trip to DuckDB.
    const quotedString = /^'((?:[^']|'')*)'$/.exec(text);
    if (quotedString) return quotedString[1].replace(/''/g, "'");
    const res = await this.engine.run(`SELECT ${text}`);
    const rows = await res.getRowsJS();
    return rows[0]?.[0];
  }

  /** Writes planning decisions to DuckDB's log (type `Iceberg`) when logging is on. */
  private async logSkipped(messages: string[]): Promise<void> {
    if (messages.length === 0) return;
    const on = await (await this.engine.run(`SELECT current_setting('enable_logging')`)).getRowsJS();
    const flag = on[0]?.[0];
    if (!(flag === true || flag === 1 || flag === 1n || flag === 'true')) return;
    for (const m of messages) {
      await this.engine.run(`SELECT write_log(${quoteString(`Iceberg Filter Pushdown, ${m}`)}, level := 'info', log_type := 'Iceberg')`);
    }
  }

  private async runForResult(sql: string): Promise<SqlResult> {
    let columns: ResultColumn[] | undefined;
    try {
      const d = await (await this.engine.connection.run(`DESCRIBE ${sql}`)).getRowsJS();
      columns = d.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    } catch {
      columns = undefined; // not a query: run it as is
    }
    if (!columns) {
      const res = await this.engine.run(sql);
      const names = res.columnNames();
      const types = res.columnTypes().map((t) => t.toString());
      const rows = await res.getRows();
      const text = rows.map((r) => r.map((v) => (v === null ? null : String(v))));
      return { columns: names.map((n, i) => ({ name: n, type: types[i] })), text, json: text };
    }
    if (columns.length === 0) return { columns, text: [], json: [] };
    const exprs: string[] = [];
    columns.forEach((c, i) => {
      const ref = `#${i + 1}`;
      exprs.push(`CAST(${ref} AS VARCHAR)`);
      if (JSON_NATIVE.test(c.type)) exprs.push(c.type.startsWith('DECIMAL') ? `CAST(${ref} AS VARCHAR)` : ref);
      else if (JSON_NESTED.test(c.type)) exprs.push(`CAST(to_json(${ref}) AS VARCHAR)`);
      else exprs.push(`CAST(${ref} AS VARCHAR)`);
    });
    const res = await this.engine.run(`SELECT ${exprs.join(', ')} FROM (${sql}
) AS __floe_q`);
    const rows = await res.getRowsJS();
    const text: (string | null)[][] = [];
    const json: unknown[][] = [];
    for (const r of rows) {
      const t: (string | null)[] = [];
      const j: unknown[] = [];
      columns.forEach((c, i) => {
        t.push(r[2 * i] as string | null);
        j.push(toJsonValue(c.type, r[2 * i + 1]));
      });
      text.push(t);
      json.push(j);
    }
    return { columns, text, json };
  }
}

function toJsonValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  if (type.startsWith('DECIMAL') && typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) && String(n) === v.replace(/\.?0+$/, '').replace(/^-0$/, '0') ? n : v;
  }
  if (JSON_NESTED.test(type) && typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}
