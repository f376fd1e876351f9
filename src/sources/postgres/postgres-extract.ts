/**
 * PostgreSQL extraction: a window is `COPY (SELECT cols FROM t WHERE range) TO STDOUT (FORMAT csv)` read off the
 * socket (postgres-copy-extract.ts) into chunk files that DuckDB parses with explicit column types while the COPY
 * goes on; the COPY's command tag is the source's own count of the rows it sent. No row passes
 * through JS; PostgreSQL's own text output (ISO dates in UTC, shortest-exact floats) keeps every value exact.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { postgresSettings } from './postgres-url.js';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine } from '../../engine/duckdb-engine.js';
import { FloeError, isFloeError } from '../../errors.js';
import {
  countBuckets, createTarget, duckdbTypeOfSource, findColumn, kindOfDuckdbType, loadCsvInto, rangeWhere, selectColumns,
  tempDir, throwIfAborted, toBound,
  type BoundValue, type ColumnStats, type ExtractColumn, type ExtractResult, type Extractor, type Param, type StagedColumn, type WindowQuery, AsyncCache } from '../extract.js';
import { normalizePostgresType, typeParameters } from '../normalize-type.js';
import { quoteIdent, redactUrl } from '../schema-builder.js';
import { copyOut, temporalFromSend } from './postgres-copy-extract.js';
import { postgresError } from './postgres-source.js';

/** Inner boundaries up to which countByBoundaries uses cumulative FILTER counts (one comparison each per row). */
const CUMULATIVE_MAX = 32;

/** Connections kept for windows extracted at the same time. */
const POOL_SIZE = 8;

/**
 * A failure as a FloeError: lost or refused connections, server shutdowns and serialization failures are
 * SOURCE_UNAVAILABLE (retryable); unknown tables and columns NOT_FOUND; other statement errors INVALID_ARGUMENT.
 */
export function postgresExtractError(cause: unknown, what: string): FloeError {
  if (isFloeError(cause)) return cause;
  const err = cause as { code?: string; message?: string };
  const code = err.code ?? '';
  const message = `${what}: ${err.message ?? String(cause)}`;
  if (/^(08|53|57P0)/.test(code) || code === '40001' || code === '40P01') {
    return new FloeError('SOURCE_UNAVAILABLE', message, { cause, retryable: true });
  }
  if (code === '42P01') return new FloeError('TABLE_NOT_FOUND', message, { cause });
  if (code === '42703') return new FloeError('NOT_FOUND', message, { cause });
  if (/^(42|22)/.test(code)) return new FloeError('INVALID_ARGUMENT', message, { cause });
  if (code === '57014') return new FloeError('CANCELLED', message, { cause });
  return postgresError(cause, what);
}

/** A PostgreSQL string literal (E'' form when it has backslashes, so any standard_conforming_strings works). */
function literal(s: string): string {
  const body = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\\') ? ` E${body.replace(/\\/g, '\\\\')}` : body;
}

interface PgColumn extends ExtractColumn {
  /** The PostgreSQL type, as format_type prints it. */
  pgType: string;
}

/** Extracts windows from a PostgreSQL schema. */
export class PostgresExtractor implements Extractor {
  readonly dialect = 'postgresql';
  readonly countsExtraction = true;
  private readonly meta = new AsyncCache<PgColumn[]>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    readonly source: string,
  ) {}

  /** Connects to `url` (`?schema=` picks the schema, default `public`). */
  static async open(url: string): Promise<PostgresExtractor> {
    const { connectionString, schema } = postgresSettings(url);
    const pool = new pg.Pool({
      connectionString,
      connectionTimeoutMillis: 10_000,
      max: POOL_SIZE,
      // Session settings for text output DuckDB reads back exactly: ISO dates, instants in UTC, shortest
      // round-trip floats (extra_float_digits > 0 on PostgreSQL 12+). No JIT: planning's whole-table counts cross
      // jit_above_cost, and compiling them costs more (~150 ms each, measured) than the simple scans it speeds up.
      options: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=3 -c client_encoding=UTF8 -c bytea_output=hex -c jit=off',
    });
    // An idle connection the server drops would otherwise be an unhandled 'error' event.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const ex = new PostgresExtractor(pool, schema, redactUrl(url));
    try {
      await pool.query('SELECT 1');
    } catch (cause) {
      await pool.end().catch(() => {});
      throw postgresExtractError(cause, `cannot connect to PostgreSQL at ${redactUrl(url)}`);
    }
    return ex;
  }

  private async query<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query(sql, values)).rows as T[];
    } catch (cause) {
      throw postgresExtractError(cause, 'PostgreSQL query failed');
    }
  }

  private ref(table: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(table)}`;
  }

  private meta_(table: string): Promise<PgColumn[]> {
    return this.meta.get(table, () => this.readColumns(table));
  }

  private async readColumns(table: string): Promise<PgColumn[]> {
    const rows = await this.query<{ attname: string; type: string; base_type: string | null; attnotnull: boolean; is_enum: boolean }>(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
              a.attnotnull, t.typtype = 'e' AS is_enum
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [this.schema, table],
    );
    if (rows.length === 0) {
      throw new FloeError('TABLE_NOT_FOUND', `table ${this.schema}.${table} not found in ${this.source}`, { context: { table } });
    }
    return rows.map((r, i) => {
      const pgType = r.base_type ?? r.type;
      const normalized = r.is_enum ? 'enum' : normalizePostgresType(pgType);
      const type = duckdbTypeOfSource(
        { name: r.attname, type: pgType, normalized, nullable: !r.attnotnull, ...typeParameters(pgType, normalized), ordinal: i + 1 },
        this.dialect,
      );
      return { name: r.attname, type, nullable: !r.attnotnull, pgType };
    });
  }

  async columns(table: string): Promise<ExtractColumn[]> {
    return (await this.meta_(table)).map(({ name, type, nullable }) => ({ name, type, nullable }));
  }

  async primaryKey(table: string): Promise<string[]> {
    await this.meta_(table);
    const rows = await this.query<{ cols: string[] }>(
      `SELECT ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND con.contype = 'p'`,
      [this.schema, table],
    );
    return rows[0]?.cols ?? [];
  }

  /** A Param binding `$n` placeholders (as text: PostgreSQL infers each one's type from the column it meets). */
  private static params(): { param: Param; values: unknown[] } {
    const values: unknown[] = [];
    return { values, param: (v) => (values.push(typeof v === 'string' ? v : String(v)), `$${values.length}`) };
  }

  async columnStats(table: string, column: string): Promise<ColumnStats> {
    const col = findColumn(await this.meta_(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = quoteIdent(column);
    const agg = (f: string) => (kind === 'integer' ? `${f}(${x})` : `${f}(${x})::text`);
    const [r] = await this.query<{ n: string; nn: string; lo: unknown; hi: unknown }>(
      `SELECT count(*) AS n, count(${x}) AS nn, ${agg('min')} AS lo, ${agg('max')} AS hi FROM ${this.ref(table)}`,
    );
    return { count: BigInt(r.n), nulls: BigInt(r.n) - BigInt(r.nn), min: toBound(r.lo, kind), max: toBound(r.hi, kind), kind };
  }

  /**
   * MIN and MAX from a btree index leading with the column (two index probes), NULLs from NOT NULL (none), and the
   * row count estimated from pg_class.reltuples (kept by ANALYZE and autovacuum): no scan of the table, whose rows
   * the planner's bucket counts then count exactly. Undefined for a nullable or unindexed column, or a table never
   * analyzed.
   */
  async planningStats(table: string, column: string): Promise<(ColumnStats & { estimated: boolean }) | undefined> {
    const col = findColumn(await this.meta_(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    if (col.nullable || (kind !== 'integer' && kind !== 'temporal')) return undefined;
    const [info] = await this.query<{ est: string; indexed: boolean }>(
      `SELECT c.reltuples::bigint::text AS est,
              EXISTS (SELECT 1 FROM pg_index i JOIN pg_am am ON am.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
                       WHERE i.indrelid = c.oid AND am.amname = 'btree' AND i.indpred IS NULL
                         AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid AND attname = $3)) AS indexed
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [this.schema, table, column],
    );
    if (!info || !info.indexed || BigInt(info.est) < 0n) return undefined;
    const x = quoteIdent(column);
    const agg = (f: string) => (kind === 'integer' ? `${f}(${x})` : `${f}(${x})::text`);
    const [r] = await this.query<{ lo: unknown; hi: unknown }>(`SELECT ${agg('min')} AS lo, ${agg('max')} AS hi FROM ${this.ref(table)}`);
    const min = toBound(r.lo, kind);
    const est = BigInt(info.est);
    // A table with rows that ANALYZE has not seen yet still gets windows: at least one row when MIN exists.
    return { count: min === null ? 0n : est > 0n ? est : 1n, nulls: 0n, min, max: toBound(r.hi, kind), kind, estimated: true };
  }

  async countByBoundaries(table: string, column: string, boundaries: BoundValue[]): Promise<bigint[]> {
    findColumn(await this.meta_(table), table, column);
    const x = quoteIdent(column);
    if (boundaries.length - 2 <= CUMULATIVE_MAX && boundaries.length >= 2 && boundaries.slice(1, -1).every((b) => b !== null)) {
      return this.cumulativeCounts(table, x, boundaries);
    }
    return countBuckets(x, boundaries, async (build) => {
      const { param, values } = PostgresExtractor.params();
      const { bucket, where } = build(param);
      const rows = await this.query<{ j: number; n: string }>(
        `SELECT ${bucket} AS j, count(*) AS n FROM ${this.ref(table)} WHERE ${where} GROUP BY 1`,
        values,
      );
      return rows.map((r) => [r.j, r.n]);
    });
  }

  /**
   * Few buckets: one plain aggregate of `count(*) FILTER (WHERE x < b)` per inner boundary, differenced. Unlike
   * GROUP BY over the bucket expression (which PostgreSQL estimates at one group per distinct key, so it will not
   * aggregate in parallel workers), a plain aggregate runs as a parallel scan. Same `<` comparisons as the
   * predicate, so each row still lands in exactly the bucket its window's range holds it in.
   */
  private async cumulativeCounts(table: string, x: string, boundaries: BoundValue[]): Promise<bigint[]> {
    const { param, values } = PostgresExtractor.params();
    const inner = boundaries.slice(1, -1) as Array<Exclude<BoundValue, null>>;
    const below = inner.map((b, i) => `count(*) FILTER (WHERE ${x} < ${param(b)}) AS c${i}`);
    const where = rangeWhere(x, { column: '', start: boundaries[0], end: boundaries[boundaries.length - 1] }, param);
    const [r] = await this.query<Record<string, string>>(`SELECT ${[...below, 'count(*) AS total'].join(', ')} FROM ${this.ref(table)} WHERE ${where}`, values);
    const cum = [0n, ...inner.map((_, i) => BigInt(r[`c${i}`])), BigInt(r.total)];
    return cum.slice(1).map((c, i) => c - cum[i]);
  }

  async count(q: WindowQuery): Promise<bigint> {
    const cols = await this.meta_(q.table);
    const { param, values } = PostgresExtractor.params();
    let where = '';
    if (q.range) {
      findColumn(cols, q.table, q.range.column);
      where = ` WHERE ${rangeWhere(quoteIdent(q.range.column), q.range, param)}`;
    }
    const [r] = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.ref(q.table)}${where}`, values);
    return BigInt(r.n);
  }

  async nthValues(table: string, column: string, every: number): Promise<BoundValue[]> {
    const col = findColumn(await this.meta_(table), table, column);
    const kind = kindOfDuckdbType(col.type);
    const x = quoteIdent(column);
    const rows = await this.query<{ v: unknown }>(
      `SELECT v FROM (SELECT ${kind === 'integer' ? x : `${x}::text`} AS v, row_number() OVER (ORDER BY ${x}) AS rn
                        FROM ${this.ref(table)} WHERE ${x} IS NOT NULL) s
        WHERE (rn - 1) % $1 = 0 ORDER BY rn`,
      [Math.max(1, Math.floor(every))],
    );
    return rows.map((r) => toBound(r.v, kind));
  }

  /** How each column leaves PostgreSQL (a select expression) and enters DuckDB. */
  private staged(cols: PgColumn[]): Array<StagedColumn & { select: string }> {
    return cols.map((c) => {
      const x = quoteIdent(c.name);
      // bytea's text form (\x0102) is not DuckDB's blob text: move it as hex.
      if (c.type === 'BLOB') return { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => `from_hex(${v})`, select: `encode(${x}, 'hex')` };
      // Dates and timestamps move in their binary form (days / microseconds since 2000-01-01, as bytea hex): their
      // text form writes years BC as a trailing "BC", which DuckDB rejects for timestamps and silently reads as AD
      // for dates. It costs PostgreSQL no more than formatting the text (measured).
      if (c.type === 'TIMESTAMPTZ' || c.type === 'TIMESTAMP' || c.type === 'DATE') {
        const send = c.type === 'TIMESTAMPTZ' ? 'timestamptz_send' : c.type === 'TIMESTAMP' ? 'timestamp_send' : 'date_send';
        return { name: c.name, type: c.type, csvType: 'VARCHAR', expr: (v) => temporalFromSend(v, c.type as 'TIMESTAMP' | 'TIMESTAMPTZ' | 'DATE'), select: `${send}(${x})` };
      }
      return { name: c.name, type: c.type, select: x };
    });
  }

  async extractInto(engine: Engine, q: WindowQuery, target: string, opts: { signal?: AbortSignal } = {}): Promise<ExtractResult> {
    const all = await this.meta_(q.table);
    const cols = selectColumns(all, q) as PgColumn[];
    let where = '';
    if (q.range) {
      findColumn(all, q.table, q.range.column);
      // COPY takes no parameters: bounds are quoted literals, which PostgreSQL types from the column they meet.
      where = ` WHERE ${rangeWhere(quoteIdent(q.range.column), q.range, (v) => literal(String(v)))}`;
    }
    return this.copyInto(engine, cols, `FROM ${this.ref(q.table)}${where}`, target, opts.signal);
  }

  async sample(engine: Engine, table: string, n: number, target: string): Promise<{ rows: bigint; method: string }> {
    const cols = await this.meta_(table);
    const limit = Math.max(0, Math.floor(n));
    const { rows } = await this.copyInto(engine, cols, `FROM ${this.ref(table)} ORDER BY random() LIMIT ${limit}`, target, undefined);
    return { rows, method: 'random' };
  }

  private async copyInto(engine: Engine, cols: PgColumn[], from: string, target: string, signal: AbortSignal | undefined): Promise<{ rows: bigint; sourceCount: bigint }> {
    throwIfAborted(signal);
    const staged = this.staged(cols);
    const sql = `COPY (SELECT ${staged.map((c) => c.select).join(', ')} ${from}) TO STDOUT WITH (FORMAT csv)`;
    const tmp = await tempDir('floe-pg-extract-');
    try {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (cause) {
        throw postgresExtractError(cause, `cannot connect to PostgreSQL at ${this.source}`);
      }
      await createTarget(engine, target, staged);
      // A one-thread engine (a backfill worker sharing the cores) parses each chunk on that thread, which costs less
      // CPU than DuckDB's parallel CSV reader run on one thread; an engine with more threads parses in parallel.
      const parallel = Number((await (await engine.run(`SELECT current_setting('threads')`)).getRows())[0]?.[0] ?? 1) > 1;
      const chunks = new ChunkFiles(tmp.dir, (file) => loadCsvInto(engine, file, target, staged, { parallel }));
      let broken = false;
      try {
        const copied = await copyOut(client, sql, (data) => chunks.write(data), signal);
        const rows = await chunks.finish();
        return { rows, sourceCount: copied.serverRows };
      } catch (cause) {
        broken = true;
        await chunks.abandon();
        if (signal?.aborted) throw new FloeError('CANCELLED', 'extraction cancelled', { cause });
        throw postgresExtractError(cause, 'PostgreSQL COPY failed');
      } finally {
        // A connection left mid-COPY cannot be reused.
        client.release(broken);
      }
    } finally {
      await tmp.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}

/** Bytes of CSV per chunk file: big enough for DuckDB's CSV parser, small enough to overlap with the COPY. */
const CHUNK_BYTES = 16 << 20;

/**
 * A COPY's CSV output as chunk files, each loaded into DuckDB as soon as it is complete while the COPY goes on, so
 * PostgreSQL's export and DuckDB's parsing overlap. The buffers written end at row boundaries (copyOut's
 * guarantee), so a chunk ends where a buffer does.
 */
class ChunkFiles {
  private file?: FileHandle;
  private path = '';
  private size = 0;
  private n = 0;
  private loaded = 0n;
  private readonly loads: Array<Promise<void>> = [];

  constructor(private readonly dir: string, private readonly load: (file: string) => Promise<bigint>) {}

  async write(data: Buffer): Promise<void> {
    if (!this.file) {
      this.path = join(this.dir, `chunk-${this.n++}.csv`);
      this.file = await open(this.path, 'w');
      this.size = 0;
    }
    for (let at = 0; at < data.length; ) at += (await this.file.write(data, at, data.length - at)).bytesWritten;
    this.size += data.length;
    if (this.size >= CHUNK_BYTES) await this.rotate();
  }

  /** Closes the current chunk and starts loading it. */
  private async rotate(): Promise<void> {
    const file = this.file;
    const path = this.path;
    if (!file) return;
    this.file = undefined;
    await file.close();
    const loaded = this.load(path).then(async (n) => {
      this.loaded += n;
      await rm(path, { force: true });
    });
    // Handled here so a failed load is not an unhandled rejection before finish() collects it.
    loaded.catch(() => {});
    this.loads.push(loaded);
  }

  /** Loads the last chunk and waits for every load: the rows DuckDB loaded. */
  async finish(): Promise<bigint> {
    await this.rotate();
    await Promise.all(this.loads);
    return this.loaded;
  }

  /** After a failure: closes the open chunk and waits for the loads already started, ignoring their outcome. */
  async abandon(): Promise<void> {
    await this.file?.close().catch(() => undefined);
    this.file = undefined;
    await Promise.allSettled(this.loads);
  }
}
