/**
 * MySQL / MariaDB extraction: a streaming mysql2 query (rows as arrays, every value kept as the server's own text,
 * binary as hex) written in batches to a temporary CSV file that DuckDB loads with explicit column types. The
 * session runs in UTC so TIMESTAMP values and bounds mean the same instant on both sides.
 */
import { join } from 'node:path';
import { mysqlSettings } from './mysql-url.js';
import type { Pool, PoolConnection, TypeCastField } from 'mysql2';
import type { Engine } from '../../engine/duckdb-engine.js';
import { FloeError, isFloeError } from '../../errors.js';
import {
  CsvFileWriter, countBuckets, createTarget, duckdbTypeOfSource, findColumn, kindOfDuckdbType, loadCsvInto, rangeWhere,
  selectColumns, tempDir, throwIfAborted, toBound,
  type BoundValue, type ColumnStats, type ExtractColumn, type Extractor, type Param, type StagedColumn, type WindowQuery, AsyncCache } from '../extract.js';
import { normalizeMysqlType, typeParameters } from '../normalize-type.js';
import { quoteIdent, redactUrl } from '../schema-builder.js';
import { mysqlError } from './mysql-source.js';

const q = (name: string) => quoteIdent(name, '`');

/** Server errors that a retry may get past: lost connections, shutdowns, killed queries, deadlocks, lock waits. */
const RETRYABLE = new Set([1040, 1053, 1077, 1152, 1153, 1159, 1161, 1205, 1213, 1317, 1927, 2006, 2013]);

/** A failure as a FloeError: connection-level failures SOURCE_UNAVAILABLE (retryable), unknown names NOT_FOUND. */
export function mysqlExtractError(cause: unknown, what: string): FloeError {
  if (isFloeError(cause)) return cause;
  const err = cause as { code?: string; errno?: number; message?: string; fatal?: boolean };
  const message = `${what}: ${err.message ?? String(cause)}`;
  if (err.code === 'ER_NO_SUCH_TABLE') return new FloeError('TABLE_NOT_FOUND', message, { cause });
  if (err.code === 'ER_BAD_FIELD_ERROR') return new FloeError('NOT_FOUND', message, { cause });
  if (RETRYABLE.has(err.errno ?? -1) || err.fatal === true) return new FloeError('SOURCE_UNAVAILABLE', message, { cause, retryable: true });
  const mapped = mysqlError(cause, what);
  if (mapped.code === 'SQL_ERROR' && typeof err.errno === 'number') return new FloeError('INVALID_ARGUMENT', message, { cause });
  return mapped;
}

interface MyColumn extends ExtractColumn {
  /** COLUMN_TYPE, e.g. `decimal(10,2)`, `bit(1)`, `timestamp(6)`. */
  myType: string;
}

/** How a column crosses: the server's text, bit fields as their integer, binary as hex. */
type Transfer = 'text' | 'bits' | 'hex';

function transferOf(c: MyColumn): Transfer {
  if (/^bit\b/i.test(c.myType)) return 'bits';
  return c.type === 'BLOB' ? 'hex' : 'text';
}

function staged(c: MyColumn): StagedColumn {
  if (c.type === 'BLOB') return { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => `from_hex(${v})` };
  // tinyint(1) booleans may hold any small integer: non-zero is true, as MySQL itself reads them.
  if (c.type === 'BOOLEAN') return { name: c.name, type: c.type, csvType: 'BIGINT', expr: (v) => `(${v} <> 0)` };
  // The session is UTC, so a TIMESTAMP's text is a UTC wall time.
  if (c.type === 'TIMESTAMPTZ') return { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => `(${v} || '+00')` };
  return { name: c.name, type: c.type };
}

/** Extracts windows from a MySQL or MariaDB database. */
export class MysqlExtractor implements Extractor {
  readonly dialect = 'mysql';
  private readonly meta = new AsyncCache<MyColumn[]>();

  private constructor(private readonly pool: Pool, readonly source: string) {}

  /** Connects to `url` (`mysql://` or `mariadb://`); its path names the database. */
  static async open(url: string): Promise<MysqlExtractor> {
    const settings = mysqlSettings(url);
    const mysql = (await import('mysql2')).default;
    const pool = mysql.createPool({
      ...settings,
      connectTimeout: 10_000,
      connectionLimit: 8,
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
    });
    pool.on('connection', (conn) => {
      conn.on('error', () => {});
      conn.query(`SET time_zone = '+00:00'`);
    });
    const ex = new MysqlExtractor(pool, redactUrl(url));
    try {
      await ex.query('SELECT 1');
    } catch (cause) {
      await ex.close();
      throw mysqlExtractError(cause, `cannot connect to MySQL at ${redactUrl(url)}`);
    }
    return ex;
  }

  private async query<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.pool.promise().query(sql, values);
      return rows as T[];
    } catch (cause) {
      throw mysqlExtractError(cause, 'MySQL query failed');
    }
  }

  private cols(table: string): Promise<MyColumn[]> {
    return this.meta.get(table, () => this.readColumns(table));
  }

  private async readColumns(table: string): Promise<MyColumn[]> {
    const rows = await this.query<{ name: string; type: string; nullable: string }>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    if (rows.length === 0) throw new FloeError('TABLE_NOT_FOUND', `table ${table} not found in ${this.source}`, { context: { table } });
    return rows.map((r, i) => {
      const myType = String(r.type);
      const normalized = normalizeMysqlType(myType);
      const type = duckdbTypeOfSource({ name: r.name, type: myType, normalized, nullable: r.nullable === 'YES', ...typeParameters(myType, normalized), ordinal: i + 1 }, this.dialect);
      return { name: String(r.name), type, nullable: r.nullable === 'YES', myType };
    });
  }

  async columns(table: string): Promise<ExtractColumn[]> {
    return (await this.cols(table)).map(({ name, type, nullable }) => ({ name, type, nullable }));
  }

  async primaryKey(table: string): Promise<string[]> {
    await this.cols(table);
    const rows = await this.query<{ col: string }>(
      `SELECT COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [table],
    );
    return rows.map((r) => String(r.col));
  }

  /** `?` placeholders; integers inline (exact beyond 2^53); instants as UTC wall time (the session's zone). */
  private static params(): { param: Param; values: unknown[] } {
    const values: unknown[] = [];
    const param: Param = (v) => {
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return v.toString();
      if (typeof v === 'string') {
        const m = /^(\d{4,}-\d{2}-\d{2})[ T]([\d:.]+)(?:Z|\+00(?::?00)?)$/i.exec(v);
        values.push(m ? `${m[1]} ${m[2]}` : v);
      } else values.push(v);
      return '?';
    };
    return { param, values };
  }

  async columnStats(table: string, column: string): Promise<ColumnStats> {
    const col = findColumn(await this.cols(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = q(column);
    const [r] = await this.query<{ n: string; nn: string; lo: unknown; hi: unknown }>(
      `SELECT COUNT(*) AS n, COUNT(${x}) AS nn, MIN(${x}) AS lo, MAX(${x}) AS hi FROM ${q(table)}`,
    );
    return { count: BigInt(r.n), nulls: BigInt(r.n) - BigInt(r.nn), min: toBound(r.lo, kind), max: toBound(r.hi, kind), kind };
  }

  async countByBoundaries(table: string, column: string, boundaries: BoundValue[]): Promise<bigint[]> {
    findColumn(await this.cols(table), table, column);
    return countBuckets(q(column), boundaries, async (build) => {
      const { param, values } = MysqlExtractor.params();
      const { bucket, where } = build(param);
      const rows = await this.query<{ j: unknown; n: unknown }>(`SELECT ${bucket} AS j, COUNT(*) AS n FROM ${q(table)} WHERE ${where} GROUP BY 1`, values);
      return rows.map((r) => [r.j, r.n]);
    });
  }

  private async where(qy: WindowQuery): Promise<{ sql: string; values: unknown[] }> {
    if (!qy.range) return { sql: '', values: [] };
    findColumn(await this.cols(qy.table), qy.table, qy.range.column);
    const { param, values } = MysqlExtractor.params();
    return { sql: ` WHERE ${rangeWhere(q(qy.range.column), qy.range, param)}`, values };
  }

  async count(qy: WindowQuery): Promise<bigint> {
    const w = await this.where(qy);
    const [r] = await this.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${q(qy.table)}${w.sql}`, w.values);
    return BigInt(r.n);
  }

  async nthValues(table: string, column: string, every: number): Promise<BoundValue[]> {
    const col = findColumn(await this.cols(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = q(column);
    const rows = await this.query<{ v: unknown }>(
      `SELECT v FROM (SELECT ${x} AS v, ROW_NUMBER() OVER (ORDER BY ${x}) AS rn FROM ${q(table)} WHERE ${x} IS NOT NULL) s
        WHERE MOD(rn - 1, ?) = 0 ORDER BY rn`,
      [Math.max(1, Math.floor(every))],
    );
    return rows.map((r) => toBound(r.v, kind));
  }

  async extractInto(engine: Engine, qy: WindowQuery, target: string, opts: { signal?: AbortSignal } = {}): Promise<{ rows: bigint }> {
    const cols = selectColumns(await this.cols(qy.table), qy) as MyColumn[];
    const w = await this.where(qy);
    return this.stream(engine, cols, `FROM ${q(qy.table)}${w.sql}`, w.values, target, opts.signal);
  }

  async sample(engine: Engine, table: string, n: number, target: string): Promise<{ rows: bigint; method: string }> {
    const { rows } = await this.stream(engine, await this.cols(table), `FROM ${q(table)} ORDER BY RAND() LIMIT ${Math.max(0, Math.floor(n))}`, [], target, undefined);
    return { rows, method: 'random' };
  }

  private async stream(engine: Engine, cols: MyColumn[], from: string, values: unknown[], target: string, signal: AbortSignal | undefined): Promise<{ rows: bigint }> {
    throwIfAborted(signal);
    const transfer = cols.map(transferOf);
    const stage = cols.map(staged);
    const tmp = await tempDir('floe-mysql-extract-');
    try {
      const file = join(tmp.dir, 'window.csv');
      const out = new CsvFileWriter(file);
      let conn: PoolConnection;
      try {
        conn = await new Promise<PoolConnection>((resolve, reject) => this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
      } catch (cause) {
        await out.close();
        throw mysqlExtractError(cause, `cannot connect to MySQL at ${this.source}`);
      }
      let broken = false;
      const onAbort = () => conn.destroy();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        let i = 0;
        // The fields of a row arrive in select-list order, so the i-th cast is the (i mod n)-th column's.
        const typeCast = (field: TypeCastField): unknown => {
          const how = transfer[i++ % transfer.length];
          if (how === 'text') return field.string();
          const buf = field.buffer();
          if (buf === null) return null;
          return how === 'hex' ? buf.toString('hex') : BigInt(`0x${buf.toString('hex') || '0'}`).toString();
        };
        const query = conn.query({ sql: `SELECT ${cols.map((c) => q(c.name)).join(', ')} ${from}`, values, rowsAsArray: true, typeCast });
        for await (const row of query.stream({ highWaterMark: 2000 }) as AsyncIterable<Array<string | null>>) await out.write(row);
      } catch (cause) {
        broken = true;
        if (signal?.aborted) throw new FloeError('CANCELLED', 'extraction cancelled', { cause });
        throw mysqlExtractError(cause, 'MySQL extraction failed');
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await out.close();
        if (broken) conn.destroy();
        else conn.release();
      }
      await createTarget(engine, target, stage);
      return { rows: await loadCsvInto(engine, file, target, stage) };
    } finally {
      await tmp.release();
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }
}

