/**
 * Windowed extraction (ARCHITECTURE.md "sources own extract(window)"): every source streams a half-open key range
 * of a table into a new DuckDB table, typed so that values stay exact, without holding the rows in JS memory.
 * The adapters live beside their introspection (`<dialect>/<dialect>-extract.ts`); this file holds the contract,
 * `openExtractor`, and what the adapters share (type mapping, bound formatting, CSV staging into DuckDB).
 */
import type { CreateFileIOOptions } from '../iceberg/io/file-io-for.js';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { FloeError } from '../errors.js';
import { redactUrl } from './schema-builder.js';
import type { SourceColumn } from './source-schema.js';

/** A window bound: numbers/bigints for numeric keys, text otherwise (ISO text for dates and timestamps). */
export type BoundValue = string | number | bigint | null;

/**
 * A half-open key range `[start, end)`. A `null` bound is unbounded on that side. NULL keys belong to no range
 * unless `includeNulls` is set; the planner's dedicated NULL window is the empty range `[v, v)` with
 * `includeNulls`, whose predicate reduces to `column IS NULL` in every dialect.
 */
export interface KeyRange {
  column: string;
  /** Inclusive; null = unbounded. */
  start: BoundValue;
  /** Exclusive; null = unbounded. */
  end: BoundValue;
  includeNulls?: boolean;
}

/** What to read: a table, optionally some of its columns and a key range. */
export interface WindowQuery {
  table: string;
  columns?: string[];
  range?: KeyRange;
}

/** Real statistics of one column, read from the source. */
export interface ColumnStats {
  count: bigint;
  nulls: bigint;
  min: BoundValue;
  max: BoundValue;
  kind: 'integer' | 'temporal' | 'text' | 'other';
}

/** A column as extraction types it: `type` is the DuckDB type the extracted table gets. */
export interface ExtractColumn {
  name: string;
  type: string;
  nullable: boolean;
}

/** What extracting a window did. */
export interface ExtractResult {
  rows: bigint;
  sourceCount?: bigint;
}

/** Reads windows of a source's tables. One extractor may serve several windows at once (it pools connections). */
export interface Extractor {
  /** postgresql | mysql | sqlite | duckdb | parquet | csv | json */
  readonly dialect: string;
  /** The source URL or path with any password redacted: the source identity of a plan. */
  readonly source: string;
  /** True when extractInto reports the source's own count of the rows it sent (`sourceCount`). */
  readonly countsExtraction?: boolean;
  /** The table's columns with their DuckDB types. Unknown table: TABLE_NOT_FOUND. */
  columns(table: string): Promise<ExtractColumn[]>;
  /** Real COUNT, NULL count, MIN and MAX of a column. Unknown column: NOT_FOUND. */
  columnStats(table: string, column: string): Promise<ColumnStats>;
  /**
   * Optional, for planning: exact MIN, MAX and NULL count, but `count` may be the source's own estimate
   * (`estimated: true`) when an exact one would cost a scan of the whole table that the planner's bucket counts
   * repeat anyway. Undefined when it would not be cheaper than columnStats (no index to read MIN/MAX from, no
   * statistics to estimate with).
   */
  planningStats?(table: string, column: string): Promise<(ColumnStats & { estimated?: boolean }) | undefined>;
  /** Rows per half-open bucket `[b[i], b[i+1])` (boundaries.length - 1 buckets; a null bound is unbounded). */
  countByBoundaries(table: string, column: string, boundaries: BoundValue[]): Promise<bigint[]>;
  /** Rows of a window. */
  count(q: WindowQuery): Promise<bigint>;
  /**
   * Streams a window into a new DuckDB table `target` typed per columns(); never holds the table in JS memory.
   * `rows` is what DuckDB loaded; `sourceCount`, when the source reports it for the same read (PostgreSQL's `COPY n`
   * command tag), is the source's own count of the rows it sent, which reconciliation then needs no COUNT for.
   */
  extractInto(engine: Engine, q: WindowQuery, target: string, opts?: { signal?: AbortSignal }): Promise<ExtractResult>;
  /** Up to `n` rows picked at random into a new DuckDB table `target`. */
  sample(engine: Engine, table: string, n: number, target: string): Promise<{ rows: bigint; method: string }>;
  /**
   * The non-NULL values at ranks 1, 1 + every, 1 + 2·every, … of the column's order (the source's own ordering
   * and collation): keyset window boundaries.
   */
  nthValues(table: string, column: string, every: number): Promise<BoundValue[]>;
  /** The primary key's columns (empty when there is none, or for files). */
  primaryKey(table: string): Promise<string[]>;
  close(): Promise<void>;
}

/** True for a Parquet/CSV/JSON file path or glob (local or s3://), by its extension. */
export function isFileSource(source: string): boolean {
  return /\.(parquet|csv|tsv|json|jsonl|ndjson)(\.(gz|zst))?$/i.test(source.replace(/^file:(\/\/)?/i, ''));
}

/**
 * Opens an extractor for `source`: `postgresql://`, `mysql://`, `mariadb://`, `sqlite:path`, `duckdb:path`, or a
 * Parquet/CSV/JSON file or glob (local or s3://). Adapters are imported only when their scheme is used.
 */
export async function openExtractor(source: string, options: CreateFileIOOptions = {}): Promise<Extractor> {
  if (isFileSource(source)) return (await import('./files/files-extract.js')).FilesExtractor.open(source, options);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(source)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgresql':
    case 'postgres':
      return (await import('./postgres/postgres-extract.js')).PostgresExtractor.open(source);
    case 'mysql':
    case 'mariadb':
      return (await import('./mysql/mysql-extract.js')).MysqlExtractor.open(source);
    case 'sqlite':
      return (await import('./sqlite/sqlite-extract.js')).SqliteExtractor.open(source);
    case 'duckdb':
      return (await import('./duckdb/duckdb-extract.js')).DuckdbExtractor.open(source);
    default:
      throw new FloeError(
        'INVALID_ARGUMENT',
        `unsupported source ${redactUrl(source)}: expected postgresql://, mysql://, mariadb://, sqlite:path, duckdb:path or a .parquet/.csv/.json file`,
      );
  }
}

/**
 * The DuckDB type that holds a source column's values exactly. DECIMAL keeps precision and scale up to DuckDB's
 * 38 digits; an unconstrained or wider numeric stays exact as text rather than being rounded to a double.
 */
export function duckdbTypeOfSource(c: SourceColumn, dialect: string): string {
  switch (c.normalized) {
    case 'boolean': return 'BOOLEAN';
    case 'smallint': return 'SMALLINT';
    case 'integer': return 'INTEGER';
    case 'bigint': return 'BIGINT';
    case 'decimal':
      if (c.precision !== undefined && c.precision >= 1 && c.precision <= 38) return `DECIMAL(${c.precision},${c.scale ?? 0})`;
      if (/\bbigint\b.*\bunsigned\b/i.test(c.type)) return 'DECIMAL(20,0)';
      // SQLite stores an undeclared-precision NUMERIC as INTEGER or REAL, never as an exact decimal.
      if (dialect === 'sqlite') return 'DOUBLE';
      return 'VARCHAR';
    case 'float': return 'FLOAT';
    case 'double': return 'DOUBLE';
    case 'date': return 'DATE';
    case 'time': return /with time zone/i.test(c.type) ? 'TIMETZ' : 'TIME';
    case 'timestamp': return 'TIMESTAMP';
    case 'timestamptz': return 'TIMESTAMPTZ';
    case 'uuid': return 'UUID';
    case 'binary': return 'BLOB';
    default: return 'VARCHAR';
  }
}

/** The window kind of a DuckDB type. */
export function kindOfDuckdbType(type: string): ColumnStats['kind'] {
  const t = type.trim().toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (/^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/.test(t)) return 'temporal';
  if (/^VARCHAR\b/.test(t)) return 'text';
  return 'other';
}

/** A driver's value as a bound: integers as numbers when safe, else bigint; everything else as text. */
export function toBound(v: unknown, kind: ColumnStats['kind']): BoundValue {
  if (v === null || v === undefined) return null;
  if (kind === 'integer') {
    const b = typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? Math.trunc(v) : String(v));
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return kind === 'other' ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** The columns of `q` among `all` (all of them when not given); unknown names are NOT_FOUND. */
export function selectColumns(all: ExtractColumn[], q: WindowQuery): ExtractColumn[] {
  if (q.columns === undefined) return all;
  const byName = new Map(all.map((c) => [c.name, c]));
  return q.columns.map((n) => {
    const c = byName.get(n);
    if (!c) throw new FloeError('NOT_FOUND', `column ${n} not found in ${q.table}`, { context: { table: q.table, column: n } });
    return c;
  });
}

/** The column `name` of `all`, or NOT_FOUND. */
export function findColumn(all: ExtractColumn[], table: string, name: string): ExtractColumn {
  const c = all.find((x) => x.name === name);
  if (!c) throw new FloeError('NOT_FOUND', `column ${name} not found in ${table}`, { context: { table, column: name } });
  return c;
}

/** Checks boundaries for countByBoundaries: at least two. */
export function checkBoundaries(boundaries: BoundValue[]): void {
  if (boundaries.length < 2) throw new FloeError('INVALID_ARGUMENT', 'countByBoundaries needs at least two boundaries');
}

/** A CSV column being staged: its DuckDB type, the type read_csv parses it as, and the SQL turning one into the other. */
export interface StagedColumn {
  name: string;
  type: string;
  /** Type read_csv parses the field as (default: `type`). */
  csvType?: string;
  /** Expression over `v` (the parsed field) giving the final value (default: `v`). */
  expr?: (v: string) => string;
}

/** Whether process `pid` is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const swept = new Set<string>();

/**
 * Removes, once per process and prefix, the `<prefix><pid>-*` directories of processes no longer alive: a process
 * killed mid-window (SIGKILL, OOM, a crash) never ran its `release()`, and its chunk files would stay in the
 * temporary directory for good. A reused pid only keeps a dead process's directory a little longer.
 */
async function sweepDead(prefix: string): Promise<void> {
  if (swept.has(prefix)) return;
  swept.add(prefix);
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const m = name.startsWith(prefix) ? /^(\d+)-/.exec(name.slice(prefix.length)) : null;
      if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) return;
      await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => {});
    }),
  );
}

/**
 * A temporary directory `<tmpdir>/<prefix><pid>-XXXXXX`, removed by `release()`; creating one also removes those a
 * dead process of the same prefix left behind.
 */
export async function tempDir(prefix: string): Promise<{ dir: string; release(): Promise<void> }> {
  await sweepDead(prefix);
  const dir = await mkdtemp(join(tmpdir(), `${prefix}${process.pid}-`));
  return { dir, release: () => rm(dir, { recursive: true, force: true }) };
}

/** Creates `target` with the staged columns' types (so an empty window still has the right shape). */
export async function createTarget(engine: Engine, target: string, cols: StagedColumn[]): Promise<void> {
  await engine.run(`CREATE TABLE ${quoteIdent(target)} (${cols.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
}

/**
 * Loads a headerless RFC 4180 CSV file (unquoted empty field = NULL, `""` = empty string) into the existing table
 * `target` with explicit column types: no JS touches the values. `parallel: false` parses on one thread, which
 * costs less CPU in all: right when the load overlaps a COPY and other windows already keep the cores busy.
 */
export async function loadCsvInto(engine: Engine, path: string, target: string, cols: StagedColumn[], opts: { parallel?: boolean } = {}): Promise<bigint> {
  if ((await stat(path)).size === 0) return 0n;
  const spec = cols.map((c, i) => `${quoteString(`c${i}`)}: ${quoteString(c.csvType ?? c.type)}`).join(', ');
  const select = cols.map((c, i) => {
    const v = quoteIdent(`c${i}`);
    return c.expr ? `CAST(${c.expr(v)} AS ${c.type})` : v;
  });
  const r = await engine.run(
    `INSERT INTO ${quoteIdent(target)} SELECT ${select.join(', ')} FROM read_csv(${quoteString(path)}, columns = {${spec}}, ` +
      `header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, ` +
      `max_line_size = 268435456${opts.parallel === false ? ', parallel = false' : ''})`,
  );
  return BigInt(String((await r.getRows())[0]?.[0] ?? 0));
}

/** Writes CSV rows to a file with back-pressure; values are already text (or null). */
export class CsvFileWriter {
  private readonly out;
  private buf: string[] = [];
  private size = 0;
  rows = 0n;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }

  /** Quotes every non-null field, so an unquoted empty field unambiguously means NULL. */
  async write(fields: Array<string | null>): Promise<void> {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (i > 0) line += ',';
      if (f !== null) line += `"${f.includes('"') ? f.replace(/"/g, '""') : f}"`;
    }
    line += '\n';
    this.buf.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.out.write(chunk)) await new Promise<void>((resolve, reject) => {
      this.out.once('drain', resolve);
      this.out.once('error', reject);
    });
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}

/** Renders a non-null bound as SQL (a placeholder it binds, or a safely quoted literal). Stateful per statement. */
export type Param = (v: Exclude<BoundValue, null>) => string;

/**
 * The half-open predicate of `range` over the expression `x`: `x >= start AND x < end` (unbounded sides left
 * out; `x IS NOT NULL` when both are), `OR x IS NULL` with `includeNulls`. The same text every adapter uses for
 * counting and extracting, so a row's window is decided by one comparison semantics.
 */
export function rangeWhere(x: string, range: KeyRange, param: Param): string {
  const parts: string[] = [];
  if (range.start !== null) parts.push(`${x} >= ${param(range.start)}`);
  if (range.end !== null) parts.push(`${x} < ${param(range.end)}`);
  const inRange = parts.length === 0 ? `${x} IS NOT NULL` : parts.join(' AND ');
  return range.includeNulls ? `((${inRange}) OR ${x} IS NULL)` : `(${inRange})`;
}

/**
 * SQL computing, for a non-null `x`, how many of the sorted `thresholds` are <= x: a balanced tree of CASEs, so
 * every row costs log2(n) comparisons of exactly the predicate's semantics (collation, type coercion) in any SQL
 * dialect, in one scan.
 */
export function bucketExpr(x: string, thresholds: Array<Exclude<BoundValue, null>>, param: Param): string {
  const build = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo);
    const mid = (lo + hi) >> 1;
    return `CASE WHEN ${x} < ${param(thresholds[mid])} THEN ${build(lo, mid)} ELSE ${build(mid + 1, hi)} END`;
  };
  return build(0, thresholds.length);
}

/** Buckets per statement of {@link countBuckets}: keeps statements and their parameter lists moderate. */
const BUCKETS_PER_STATEMENT = 2000;

/**
 * countByBoundaries for any SQL source: `query(where, bucket)` runs `SELECT bucket AS j, COUNT(*) AS n FROM t
 * WHERE where GROUP BY j` (in that order) with a fresh Param, and returns [j, n] pairs; buckets are `[b[i], b[i+1])`.
 */
export async function countBuckets(
  x: string,
  boundaries: BoundValue[],
  query: (build: (param: Param) => { where: string; bucket: string }) => Promise<Array<[unknown, unknown]>>,
): Promise<bigint[]> {
  checkBoundaries(boundaries);
  for (let i = 1; i < boundaries.length - 1; i++) {
    if (boundaries[i] === null) throw new FloeError('INVALID_ARGUMENT', 'only the first and last boundaries may be null (unbounded)');
  }
  const out: bigint[] = [];
  for (let s = 0; s < boundaries.length - 1; s += BUCKETS_PER_STATEMENT) {
    const slice = boundaries.slice(s, Math.min(boundaries.length, s + BUCKETS_PER_STATEMENT + 1));
    const counts = new Array<bigint>(slice.length - 1).fill(0n);
    const rows = await query((param) => {
      // The bucket is rendered first: it comes first in the statement, and `?` placeholders bind by position.
      const bucket = bucketExpr(x, slice.slice(1, -1) as Array<Exclude<BoundValue, null>>, param);
      const where = rangeWhere(x, { column: '', start: slice[0], end: slice[slice.length - 1] }, param);
      return { where, bucket };
    });
    for (const [j, n] of rows) counts[Number(j)] += BigInt(String(n));
    out.push(...counts);
  }
  return out;
}

/** Throws CANCELLED when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FloeError('CANCELLED', 'extraction cancelled');
}

/**
 * Per-key memo of an async lookup (a table's columns): concurrent windows share one query, and a failed lookup
 * is forgotten so the next call tries again.
 */
export class AsyncCache<V> {
  private readonly entries = new Map<string, Promise<V>>();

  /** The value for `key`, loading it with `load` unless already loaded or loading. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    let p = this.entries.get(key);
    if (!p) {
      p = load();
      p.catch(() => this.entries.delete(key));
      this.entries.set(key, p);
    }
    return p;
  }
}
