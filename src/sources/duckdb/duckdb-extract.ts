/**
 * DuckDB-file extraction: the source file is ATTACHed READ_ONLY to the engine that receives the window and copied
 * with one `INSERT ... SELECT ... WHERE range`, so values keep their DuckDB types and never reach JS.
 * {@link DuckdbSqlExtractor} is the part shared with file sources, which differ only in the relation they read.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Engine } from '../../engine/duckdb-engine.js';
import { quoteIdent, quoteString } from '../../engine/sql-literals.js';
import { FloeError, isFloeError } from '../../errors.js';
import {
  countBuckets, findColumn, kindOfDuckdbType, rangeWhere, selectColumns, throwIfAborted, toBound,
  type BoundValue, type ColumnStats, type ExtractColumn, type Extractor, type Param, type WindowQuery, AsyncCache } from '../extract.js';

type Json = Record<string, unknown>;

/** Extraction over a relation DuckDB can read; subclasses say which relation a table is in a given engine. */
export abstract class DuckdbSqlExtractor implements Extractor {
  abstract readonly dialect: string;
  abstract readonly source: string;
  private readonly meta = new AsyncCache<ExtractColumn[]>();

  protected constructor(protected readonly engine: Engine) {}

  /** The relation (SQL text usable after FROM) of `table` in `engine`. */
  protected abstract relation(engine: Engine, table: string): string;
  /** Reads the table's columns (TABLE_NOT_FOUND when absent). */
  protected abstract readColumns(table: string): Promise<ExtractColumn[]>;
  /** Makes the relation readable in another engine; returns how to undo that. */
  protected abstract acquire(engine: Engine): Promise<() => Promise<void>>;

  abstract primaryKey(table: string): Promise<string[]>;
  abstract close(): Promise<void>;

  protected async rows(sql: string): Promise<Json[]> {
    return (await (await this.engine.run(sql)).getRowObjectsJson()) as Json[];
  }

  private cols(table: string): Promise<ExtractColumn[]> {
    return this.meta.get(table, () => this.readColumns(table));
  }

  async columns(table: string): Promise<ExtractColumn[]> {
    return (await this.cols(table)).map((c) => ({ ...c }));
  }

  /** Bounds as typed literals (cast to the column's type, so comparisons are the column's own). */
  private static param(type: string): Param {
    return (v) => (typeof v === 'string' ? `CAST(${quoteString(v)} AS ${type})` : `CAST(${v.toString()} AS ${type})`);
  }

  async columnStats(table: string, column: string): Promise<ColumnStats> {
    const col = findColumn(await this.cols(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = quoteIdent(column);
    const agg = (f: string) => (kind === 'integer' ? `${f}(${x})::VARCHAR` : `CAST(${f}(${x}) AS VARCHAR)`);
    const [r] = await this.rows(`SELECT count(*)::VARCHAR AS n, count(${x})::VARCHAR AS nn, ${agg('min')} AS lo, ${agg('max')} AS hi FROM ${this.relation(this.engine, table)}`);
    const n = BigInt(String(r.n));
    return { count: n, nulls: n - BigInt(String(r.nn)), min: toBound(r.lo, kind), max: toBound(r.hi, kind), kind };
  }

  async countByBoundaries(table: string, column: string, boundaries: BoundValue[]): Promise<bigint[]> {
    const col = findColumn(await this.cols(table), table, column);
    const x = quoteIdent(column);
    return countBuckets(x, boundaries, async (build) => {
      const { bucket, where } = build(DuckdbSqlExtractor.param(col.type));
      const rows = await this.rows(`SELECT ${bucket} AS j, count(*)::VARCHAR AS n FROM ${this.relation(this.engine, table)} WHERE ${where} GROUP BY 1`);
      return rows.map((r) => [r.j, r.n]);
    });
  }

  private async where(table: string, q: WindowQuery): Promise<string> {
    if (!q.range) return '';
    const col = findColumn(await this.cols(table), table, q.range.column);
    return ` WHERE ${rangeWhere(quoteIdent(col.name), q.range, DuckdbSqlExtractor.param(col.type))}`;
  }

  async count(q: WindowQuery): Promise<bigint> {
    const where = await this.where(q.table, q);
    const [r] = await this.rows(`SELECT count(*)::VARCHAR AS n FROM ${this.relation(this.engine, q.table)}${where}`);
    return BigInt(String(r.n));
  }

  async nthValues(table: string, column: string, every: number): Promise<BoundValue[]> {
    const col = findColumn(await this.cols(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = quoteIdent(column);
    const rows = await this.rows(
      `SELECT CAST(v AS VARCHAR) AS v FROM (SELECT ${x} AS v, row_number() OVER (ORDER BY ${x}) AS rn
         FROM ${this.relation(this.engine, table)} WHERE ${x} IS NOT NULL) WHERE (rn - 1) % ${Math.max(1, Math.floor(every))} = 0 ORDER BY rn`,
    );
    return rows.map((r) => toBound(r.v, kind));
  }

  /** Creates `target` typed like the source columns and fills it `FROM from`. */
  private async copy(engine: Engine, cols: ExtractColumn[], from: string, target: string): Promise<bigint> {
    const release = await this.acquire(engine);
    try {
      await engine.run(`CREATE TABLE ${quoteIdent(target)} (${cols.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const r = await engine.run(
        `INSERT INTO ${quoteIdent(target)} SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')} FROM ${from}`,
      );
      return BigInt(String((await r.getRows())[0]?.[0] ?? 0));
    } finally {
      await release();
    }
  }

  async extractInto(engine: Engine, q: WindowQuery, target: string, opts: { signal?: AbortSignal } = {}): Promise<{ rows: bigint }> {
    throwIfAborted(opts.signal);
    const cols = selectColumns(await this.cols(q.table), q);
    const where = await this.where(q.table, q);
    const rows = await this.copy(engine, cols, `${this.relation(engine, q.table)}${where}`, target);
    throwIfAborted(opts.signal);
    return { rows };
  }

  async sample(engine: Engine, table: string, n: number, target: string): Promise<{ rows: bigint; method: string }> {
    const cols = await this.cols(table);
    const rows = await this.copy(engine, cols, `${this.relation(engine, table)} USING SAMPLE reservoir(${Math.max(0, Math.floor(n))} ROWS)`, target);
    return { rows, method: 'reservoir' };
  }
}

/** Attachments of source files per engine, shared by concurrent windows. */
const attachments = new WeakMap<Engine, Map<string, { users: number; ready: Promise<unknown> }>>();

/** Extracts windows from a DuckDB database file (its `main` schema). */
export class DuckdbExtractor extends DuckdbSqlExtractor {
  readonly dialect = 'duckdb';
  private readonly alias: string;

  private constructor(engine: Engine, private readonly path: string, readonly source: string) {
    super(engine);
    this.alias = `floe_src_${createHash('sha256').update(path).digest('hex').slice(0, 12)}`;
  }

  /** Opens `duckdb:path` read-only; a missing file is NOT_FOUND. */
  static async open(url: string): Promise<DuckdbExtractor> {
    const path = resolve(url.replace(/^duckdb:(\/\/)?/i, ''));
    if (!existsSync(path)) throw new FloeError('NOT_FOUND', `DuckDB database file not found: ${path}`, { context: { path } });
    const engine = await Engine.create();
    const ex = new DuckdbExtractor(engine, path, url);
    try {
      await engine.run(`SET TimeZone = 'UTC'`);
      await engine.run(`ATTACH ${quoteString(path)} AS ${ex.alias} (READ_ONLY)`);
    } catch (cause) {
      engine.close();
      throw isFloeError(cause) ? new FloeError('IO_ERROR', `cannot open DuckDB database ${path}: ${cause.message}`, { cause }) : cause;
    }
    return ex;
  }

  protected relation(_engine: Engine, table: string): string {
    return `${this.alias}.main.${quoteIdent(table)}`;
  }

  protected async readColumns(table: string): Promise<ExtractColumn[]> {
    const rows = await this.rows(
      `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
        WHERE database_name = ${quoteString(this.alias)} AND schema_name = 'main' AND table_name = ${quoteString(table)} ORDER BY column_index`,
    );
    if (rows.length === 0) throw new FloeError('TABLE_NOT_FOUND', `table ${table} not found in ${this.path}`, { context: { table } });
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type), nullable: r.is_nullable === true }));
  }

  async primaryKey(table: string): Promise<string[]> {
    await this.columns(table);
    const rows = await this.rows(
      `SELECT constraint_column_names AS cols FROM duckdb_constraints()
        WHERE database_name = ${quoteString(this.alias)} AND schema_name = 'main' AND table_name = ${quoteString(table)} AND constraint_type = 'PRIMARY KEY'`,
    );
    return ((rows[0]?.cols as string[] | undefined) ?? []).map(String);
  }

  protected async acquire(engine: Engine): Promise<() => Promise<void>> {
    if (engine === this.engine) return async () => undefined;
    let m = attachments.get(engine);
    if (!m) attachments.set(engine, (m = new Map()));
    let entry = m.get(this.alias);
    if (!entry) {
      entry = { users: 0, ready: engine.run(`ATTACH ${quoteString(this.path)} AS ${this.alias} (READ_ONLY)`) };
      m.set(this.alias, entry);
    }
    entry.users++;
    const e = entry;
    const map = m;
    try {
      await e.ready;
    } catch (cause) {
      e.users--;
      if (map.get(this.alias) === e) map.delete(this.alias);
      throw cause;
    }
    return async () => {
      if (--e.users > 0) return;
      if (map.get(this.alias) === e) map.delete(this.alias);
      await engine.run(`DETACH ${this.alias}`);
    };
  }

  async close(): Promise<void> {
    this.engine.close();
  }
}
