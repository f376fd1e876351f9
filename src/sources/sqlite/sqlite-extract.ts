/**
 * SQLite extraction: better-sqlite3 `iterate()` streams the window (raw rows, 64-bit integers as bigint) into a
 * temporary CSV file in batches, which DuckDB loads casting each column to its type. SQLite's values need not
 * match their declared types (type affinity), so the casts happen in DuckDB, where a bad value fails the window.
 * Date/time columns are compared through `strftime('%Y-%m-%d %H:%M:%f', col)`, which reads every text and
 * offset form SQLite knows, so windows cut by instant whatever format the rows were written in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Engine } from '../../engine/duckdb-engine.js';
import { FloeError, isFloeError } from '../../errors.js';
import {
  CsvFileWriter, countBuckets, createTarget, duckdbTypeOfSource, findColumn, kindOfDuckdbType, loadCsvInto, rangeWhere,
  selectColumns, tempDir, throwIfAborted, toBound,
  type BoundValue, type ColumnStats, type ExtractColumn, type Extractor, type Param, type StagedColumn, type WindowQuery,
} from '../extract.js';
import { normalizeSqliteType, typeParameters } from '../normalize-type.js';
import { quoteIdent } from '../schema-builder.js';

const TIME_FORMAT = `'%Y-%m-%d %H:%M:%f'`;

interface XInfo { name: string; type: string; notnull: number; pk: number; hidden: number }

/** A SQLite failure as a FloeError: unreadable file IO_ERROR, busy/locked SOURCE_UNAVAILABLE, bad SQL INVALID_ARGUMENT. */
function sqliteError(cause: unknown, what: string): FloeError {
  if (isFloeError(cause)) return cause;
  const err = cause as { code?: string; message?: string };
  const message = `${what}: ${err.message ?? String(cause)}`;
  if (/BUSY|LOCKED/.test(err.code ?? '')) return new FloeError('SOURCE_UNAVAILABLE', message, { cause, retryable: true });
  if (/no such table/i.test(message)) return new FloeError('TABLE_NOT_FOUND', message, { cause });
  if (/no such column/i.test(message)) return new FloeError('NOT_FOUND', message, { cause });
  if (/NOTADB|CORRUPT|IOERR|CANTOPEN/.test(err.code ?? '')) return new FloeError('IO_ERROR', message, { cause });
  return new FloeError('INVALID_ARGUMENT', message, { cause });
}

interface SqliteColumn extends ExtractColumn {
  /** The expression windows compare: the column, or its normalized instant for date/time columns. */
  key: string;
}

/** Extracts windows from a SQLite database file (opened read-only). */
export class SqliteExtractor implements Extractor {
  readonly dialect = 'sqlite';
  private readonly meta = new Map<string, SqliteColumn[]>();

  private constructor(
    private readonly Database: typeof BetterSqlite3,
    private readonly db: BetterSqlite3.Database,
    private readonly path: string,
    readonly source: string,
  ) {}

  /** Opens `sqlite:path` read-only; a missing file is NOT_FOUND. */
  static async open(url: string): Promise<SqliteExtractor> {
    const path = url.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '' || !existsSync(path)) throw new FloeError('NOT_FOUND', `SQLite database file not found: ${path}`, { context: { path } });
    const Database = (await import('better-sqlite3')).default;
    return new SqliteExtractor(Database, SqliteExtractor.connect(Database, path), path, url);
  }

  private static connect(Database: typeof BetterSqlite3, path: string): BetterSqlite3.Database {
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      db.defaultSafeIntegers(true);
      return db;
    } catch (cause) {
      throw sqliteError(cause, `cannot open SQLite database ${path}`);
    }
  }

  private all<T>(sql: string, params: unknown[] = []): T[] {
    try {
      return this.db.prepare(sql).all(...params) as T[];
    } catch (cause) {
      throw sqliteError(cause, 'SQLite query failed');
    }
  }

  private cols(table: string): SqliteColumn[] {
    let cols = this.meta.get(table);
    if (cols) return cols;
    const xinfo = this.all<XInfo>(`SELECT * FROM pragma_table_xinfo(?)`, [table]).filter((c) => Number(c.hidden) !== 1);
    if (xinfo.length === 0) throw new FloeError('TABLE_NOT_FOUND', `table ${table} not found in ${this.path}`, { context: { table } });
    cols = xinfo.map((c, i) => {
      const normalized = normalizeSqliteType(c.type);
      const type = duckdbTypeOfSource({ name: c.name, type: c.type, normalized, nullable: true, ...typeParameters(c.type, normalized), ordinal: i + 1 }, this.dialect);
      const key = kindOfDuckdbType(type) === 'temporal' ? `strftime(${TIME_FORMAT}, ${quoteIdent(c.name)})` : quoteIdent(c.name);
      return { name: c.name, type, nullable: Number(c.notnull) === 0 && Number(c.pk) === 0, key };
    });
    this.meta.set(table, cols);
    return cols;
  }

  async columns(table: string): Promise<ExtractColumn[]> {
    return this.cols(table).map(({ name, type, nullable }) => ({ name, type, nullable }));
  }

  async primaryKey(table: string): Promise<string[]> {
    this.cols(table);
    return this.all<XInfo>(`SELECT * FROM pragma_table_xinfo(?)`, [table])
      .filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((c) => c.name);
  }

  /** A `?` Param; date/time bounds are normalized by the same strftime as the column. */
  private static params(col: SqliteColumn): { param: Param; values: unknown[] } {
    const values: unknown[] = [];
    const temporal = kindOfDuckdbType(col.type) === 'temporal';
    return { values, param: (v) => (values.push(v), temporal ? `strftime(${TIME_FORMAT}, ?)` : '?') };
  }

  async columnStats(table: string, column: string): Promise<ColumnStats> {
    const col = findColumn(this.cols(table), table, column) as SqliteColumn;
    const kind = kindOfDuckdbType(col.type);
    const [r] = this.all<{ n: bigint; nn: bigint; lo: unknown; hi: unknown }>(
      `SELECT count(*) AS n, count(${col.key}) AS nn, min(${col.key}) AS lo, max(${col.key}) AS hi FROM ${quoteIdent(table)}`,
    );
    return { count: BigInt(r.n), nulls: BigInt(r.n) - BigInt(r.nn), min: toBound(r.lo, kind), max: toBound(r.hi, kind), kind };
  }

  async countByBoundaries(table: string, column: string, boundaries: BoundValue[]): Promise<bigint[]> {
    const col = findColumn(this.cols(table), table, column) as SqliteColumn;
    return countBuckets(col.key, boundaries, async (build) => {
      const { param, values } = SqliteExtractor.params(col);
      const { bucket, where } = build(param);
      const rows = this.all<{ j: bigint; n: bigint }>(`SELECT ${bucket} AS j, count(*) AS n FROM ${quoteIdent(table)} WHERE ${where} GROUP BY 1`, values);
      return rows.map((r) => [r.j, r.n]);
    });
  }

  private where(table: string, q: WindowQuery): { sql: string; values: unknown[] } {
    if (!q.range) return { sql: '', values: [] };
    const col = findColumn(this.cols(table), table, q.range.column) as SqliteColumn;
    const { param, values } = SqliteExtractor.params(col);
    return { sql: ` WHERE ${rangeWhere(col.key, q.range, param)}`, values };
  }

  async count(q: WindowQuery): Promise<bigint> {
    const w = this.where(q.table, q);
    return BigInt(this.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${quoteIdent(q.table)}${w.sql}`, w.values)[0].n);
  }

  async nthValues(table: string, column: string, every: number): Promise<BoundValue[]> {
    const col = findColumn(this.cols(table), table, column) as SqliteColumn;
    const kind = kindOfDuckdbType(col.type);
    const rows = this.all<{ v: unknown }>(
      `SELECT v FROM (SELECT ${col.key} AS v, row_number() OVER (ORDER BY ${col.key}) AS rn FROM ${quoteIdent(table)} WHERE ${col.key} IS NOT NULL)
        WHERE (rn - 1) % ? = 0 ORDER BY rn`,
      [Math.max(1, Math.floor(every))],
    );
    return rows.map((r) => toBound(r.v, kind));
  }

  async extractInto(engine: Engine, q: WindowQuery, target: string, opts: { signal?: AbortSignal } = {}): Promise<{ rows: bigint }> {
    const cols = selectColumns(this.cols(q.table), q);
    const w = this.where(q.table, q);
    return this.stream(engine, cols, `FROM ${quoteIdent(q.table)}${w.sql}`, w.values, target, opts.signal);
  }

  async sample(engine: Engine, table: string, n: number, target: string): Promise<{ rows: bigint; method: string }> {
    const { rows } = await this.stream(engine, this.cols(table), `FROM ${quoteIdent(table)} ORDER BY random() LIMIT ?`, [Math.max(0, Math.floor(n))], target, undefined);
    return { rows, method: 'random' };
  }

  /**
   * Streams `SELECT cols <from>` into `target`. Each call reads on its own connection: an open iterator keeps a
   * connection busy, and windows of one extractor may run at the same time.
   */
  private async stream(engine: Engine, cols: ExtractColumn[], from: string, values: unknown[], target: string, signal: AbortSignal | undefined): Promise<{ rows: bigint }> {
    throwIfAborted(signal);
    // Every field is read as text and cast in DuckDB: SQLite may hold any value in any column.
    const staged: StagedColumn[] = cols.map((c) =>
      c.type === 'BLOB' ? { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => `from_hex(${v})` } : { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => v },
    );
    const tmp = await tempDir('floe-sqlite-extract-');
    const db = SqliteExtractor.connect(this.Database, this.path);
    try {
      const file = join(tmp.dir, 'window.csv');
      const out = new CsvFileWriter(file);
      try {
        const stmt = db.prepare(`SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')} ${from}`).raw(true);
        let n = 0;
        for (const row of stmt.iterate(...values) as IterableIterator<unknown[]>) {
          await out.write(row.map(text));
          if (++n % 10_000 === 0) throwIfAborted(signal);
        }
      } catch (cause) {
        throw sqliteError(cause, 'SQLite extraction failed');
      } finally {
        await out.close();
      }
      await createTarget(engine, target, staged);
      return { rows: await loadCsvInto(engine, file, target, staged) };
    } finally {
      db.close();
      await tmp.release();
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** A SQLite value as CSV text: integers exact, floats shortest round-trip, blobs as hex. */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  return String(v);
}
