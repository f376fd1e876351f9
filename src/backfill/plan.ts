/**
 * The backfill planner (REQUIREMENTS.md §7 "plan ingestion"): cuts a source table into half-open windows over an
 * integer key (ranges), any ordered key (keyset: boundaries are every Nth value in the source's own order), or a
 * time column (hour, day or month windows), all computed from the source's real MIN, MAX and counts. Dense
 * windows are split toward `windowSize` rows and sparse neighbours merged (window-splitter.ts); NULL keys get a
 * window of their own. The estimate comes from timing the extraction of real rows (at most 50k): for an integer
 * key a slice from MIN, extracted while the windows are counted; otherwise the first part of a planned window.
 * Where the source offers cheap planning statistics (exact MIN/MAX/NULLs, an estimated row count), the first cut
 * is sized from them and the whole-table COUNT is skipped: the window counts themselves are always exact.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Engine } from '../engine/duckdb-engine.js';
import { FloeError } from '../errors.js';
import { kindOfDuckdbType, type BoundValue, type ColumnStats, type ExtractColumn, type Extractor, type KeyRange } from '../sources/extract.js';
import { planHash } from './plan-hash.js';
import { refineWindows, splitIntegerRange, type Segment } from './window-splitter.js';
import { floorTo, formatInstant, nextUnit, parseInstant, timeStyleOf, type TimeStyle, type TimeUnit } from './window-time.js';

/** One window of a plan: rows with `start_offset <= key < end_offset` (a null bound is unbounded). */
export interface WindowPlan {
  window_id: string;
  start_offset: BoundValue;
  end_offset: BoundValue;
  record_count: number;
  /**
   * Set on the dedicated NULL-key window only. Its range is the empty `[v, v)`, so with NULLs included its
   * predicate is exactly `key IS NULL` (every row is in exactly one window).
   */
  include_nulls?: boolean;
}

/** The measured probe behind `estimated_duration_seconds`. */
export interface PlanProbe {
  window_id: string;
  rows: number;
  seconds: number;
  rows_per_second: number;
}

/** A backfill plan; field names are the public contract of `floe backfill plan`. */
export interface BackfillPlan {
  plan_hash: string;
  /** The source with its password redacted. */
  source: string;
  table: string;
  column: string;
  strategy: 'integer' | 'keyset' | 'hour' | 'day' | 'month';
  total_records: number;
  windows: number;
  parallel_windows: number;
  estimated_duration_seconds: number;
  execution_plan: WindowPlan[];
  /** How the estimate was measured: the window probed and the rows of it read (absent for an empty table). */
  probe?: PlanProbe;
}

/** What to plan. */
export interface PlanOptions {
  table: string;
  /** Default: the single-column primary key, else a timestamp column, else an integer column. */
  column?: string;
  by?: 'key' | 'hour' | 'day' | 'month';
  /** Target rows per window (default 1000). */
  windowSize?: number;
  /** Windows run at once (default: the core count, from 2 to 4). */
  parallel?: number;
}

/**
 * Windows run at once when the request does not say: the core count, at least 2 (one window's export from the
 * source overlaps another's write) and at most 4. A window keeps about one core busy (the source's export, DuckDB's
 * parse and Parquet write), so more windows than cores only queue for CPU; each worker's DuckDB gets its share of
 * the cores (window-runner.ts threadsPerWorker).
 */
export function defaultParallel(cores = availableParallelism()): number {
  return Math.min(4, Math.max(2, cores));
}

/** Time windows at most: a finer unit over a longer span should be asked for as a coarser one. */
const MAX_TIME_WINDOWS = 200_000;

const US_PER_DAY = 86_400_000_000n;
const US_PER_SECOND = 1_000_000n;

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new FloeError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  return v;
}

/** An integer bound as a number when exact, else a bigint. */
function intBound(v: bigint): BoundValue {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The column to window by when none is named. */
async function defaultColumn(ex: Extractor, table: string, cols: ExtractColumn[]): Promise<string> {
  const pk = await ex.primaryKey(table);
  if (pk.length === 1) return pk[0];
  const temporal = cols.filter((c) => kindOfDuckdbType(c.type) === 'temporal');
  const pick = temporal.find((c) => c.type.toUpperCase() !== 'DATE') ?? temporal[0];
  if (pick) return pick.name;
  // Files have no keys: any integer column still cuts them into exact ranges.
  const integer = cols.find((c) => kindOfDuckdbType(c.type) === 'integer');
  if (integer) return integer.name;
  throw new FloeError('INVALID_ARGUMENT', `table ${table} has no single-column primary key, date/timestamp or integer column: name the window column (--column)`, {
    context: { table },
  });
}

function chooseStrategy(by: PlanOptions['by'], stats: ColumnStats, col: ExtractColumn): BackfillPlan['strategy'] {
  if (by === 'hour' || by === 'day' || by === 'month') {
    if (stats.kind !== 'temporal') {
      throw new FloeError('INVALID_ARGUMENT', `--by ${by} needs a date or timestamp column; ${col.name} is ${col.type}`, { context: { column: col.name } });
    }
    if (by === 'hour' && col.type.toUpperCase() === 'DATE') {
      throw new FloeError('INVALID_ARGUMENT', `--by hour needs a timestamp column; ${col.name} is a DATE`, { context: { column: col.name } });
    }
    return by;
  }
  if (by !== undefined && by !== 'key') throw new FloeError('INVALID_ARGUMENT', `--by must be key, hour, day or month, got ${String(by)}`);
  if (stats.kind === 'integer') return 'integer';
  if (stats.kind === 'temporal' && by === undefined) return 'day';
  return 'keyset';
}

/** Plans a backfill of `opts.table` from `ex`. */
export async function planBackfill(ex: Extractor, opts: PlanOptions): Promise<BackfillPlan> {
  const windowSize = positiveInt(opts.windowSize ?? 1000, 'window size');
  const parallel = positiveInt(opts.parallel ?? defaultParallel(), 'parallel');
  const cols = await ex.columns(opts.table);
  const column = opts.column ?? (await defaultColumn(ex, opts.table, cols));
  const col = cols.find((c) => c.name === column);
  if (!col) throw new FloeError('NOT_FOUND', `column ${column} not found in ${opts.table}`, { context: { table: opts.table, column } });
  // The row count only sizes the first cut (the bucket counts that follow are exact), so an estimate saves a scan.
  const stats = (await ex.planningStats?.(opts.table, column)) ?? (await ex.columnStats(opts.table, column));
  const strategy = chooseStrategy(opts.by, stats, col);
  const style = stats.kind === 'temporal' ? timeStyleOf(col.type) : undefined;

  let segs: Array<Segment<BoundValue>> = [];
  // An integer key's probe slice follows from MIN, MAX and the count alone: it runs while the buckets are counted.
  let early: Promise<PlanProbe> | undefined;
  if (stats.min !== null) {
    const count = (b: BoundValue[]) => ex.countByBoundaries(opts.table, column, b);
    if (strategy === 'integer') {
      // An estimated count (say 5,000,228 for 5M rows) would add a window by rounding up: round it to the nearest.
      const estimated = 'estimated' in stats && stats.estimated === true;
      early = probeRange(ex, opts.table, { column, start: stats.min, end: integerSlice(stats, Math.min(windowSize, PROBE_ROWS)) }, '');
      // Settled below; a failure here must not be an unhandled rejection while the counts run.
      early.catch(() => undefined);
      segs = await integerWindows(stats, windowSize, count, estimated);
    } else if (strategy === 'keyset') segs = await keysetWindows(await ex.nthValues(opts.table, column, windowSize), windowSize, count);
    else segs = await timeWindows(stats, strategy, timeStyleOf(col.type), windowSize, count);
  }
  const width = Math.max(5, String(segs.length + 1).length);
  const id = (i: number) => `w${String(i + 1).padStart(width, '0')}`;
  const execution_plan: WindowPlan[] = segs.map((s, i) => ({ window_id: id(i), start_offset: s.start, end_offset: s.end, record_count: Number(s.count) }));
  if (stats.nulls > 0n) {
    execution_plan.push({ window_id: id(segs.length), start_offset: stats.min, end_offset: stats.min, record_count: Number(stats.nulls), include_nulls: true });
  }
  const total_records = execution_plan.reduce((n, w) => n + w.record_count, 0);
  const windows = execution_plan.length;
  const parallel_windows = Math.max(1, Math.min(parallel, windows));
  const plan_hash = planHash({
    source: ex.source,
    table: opts.table,
    column,
    strategy,
    windows: execution_plan.map((w) => ({ start: w.start_offset, end: w.end_offset, includeNulls: w.include_nulls })),
  });
  let probe = early ? await early : undefined;
  if (probe) probe = { ...probe, window_id: execution_plan[0]?.window_id ?? probe.window_id };
  // The slice may have held no row (keys bunched further up): measure a planned window then.
  if (total_records > 0 && (!probe || probe.rows === 0)) probe = await probeWindow(ex, opts.table, column, strategy, style, execution_plan, windowSize);
  if (total_records === 0) probe = undefined;
  const estimated_duration_seconds = probe ? round2(total_records / probe.rows_per_second / parallel_windows) : 0;
  return {
    plan_hash, source: ex.source, table: opts.table, column, strategy,
    total_records, windows, parallel_windows, estimated_duration_seconds, execution_plan,
    ...(probe ? { probe } : {}),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Integer ranges over `[min, max + 1)`, first cut evenly into total / windowSize ranges (rounded up; to the nearest for an estimated total). */
async function integerWindows(stats: ColumnStats, target: number, count: (b: BoundValue[]) => Promise<bigint[]>, estimated = false): Promise<Array<Segment<BoundValue>>> {
  const lo = BigInt(String(stats.min));
  const hi = BigInt(String(stats.max)) + 1n;
  const rows = stats.count - stats.nulls;
  const n = Number((rows + (estimated ? BigInt(target) / 2n : BigInt(target) - 1n)) / BigInt(target));
  const segs = await refineWindows<bigint>([lo, ...splitIntegerRange(lo, hi, Math.max(1, n)), hi], {
    target,
    count: (b) => count(b.map(intBound)),
    split: splitIntegerRange,
  });
  return segs.map((s) => ({ start: intBound(s.start), end: intBound(s.end), count: s.count }));
}

/** Keyset windows: every `target`-th value in the source's order starts a window; the last is unbounded above. */
async function keysetWindows(values: BoundValue[], target: number, count: (b: BoundValue[]) => Promise<bigint[]>): Promise<Array<Segment<BoundValue>>> {
  const starts: BoundValue[] = [];
  for (const v of values) if (starts.length === 0 || String(starts[starts.length - 1]) !== String(v)) starts.push(v);
  // A run of one repeated value cannot be split: the window holding it may exceed the target.
  return refineWindows<BoundValue>([...starts, null], { target, count, split: () => [] });
}

/** Hour/day/month windows from the unit holding MIN to the one after MAX; dense ones split within the unit. */
async function timeWindows(
  stats: ColumnStats,
  unit: TimeUnit,
  style: ReturnType<typeof timeStyleOf>,
  target: number,
  count: (b: BoundValue[]) => Promise<bigint[]>,
): Promise<Array<Segment<BoundValue>>> {
  const lo = floorTo(parseInstant(String(stats.min)), unit);
  const hi = nextUnit(floorTo(parseInstant(String(stats.max)), unit), unit);
  const bounds: bigint[] = [lo];
  while (bounds[bounds.length - 1] < hi) {
    bounds.push(nextUnit(bounds[bounds.length - 1], unit));
    if (bounds.length > MAX_TIME_WINDOWS + 1) {
      throw new FloeError('INVALID_ARGUMENT', `${unit} windows from ${String(stats.min)} to ${String(stats.max)} would be more than ${MAX_TIME_WINDOWS}: use a coarser --by`);
    }
  }
  const fmt = (us: bigint) => formatInstant(us, style);
  const segs = await refineWindows<bigint>(bounds, {
    target,
    count: (b) => count(b.map(fmt)),
    split: (a, b, parts) => {
      // A DATE cannot be cut inside a day; timestamps are cut at whole seconds while a second is fine enough.
      const step = style === 'date' ? US_PER_DAY : (b - a) / BigInt(parts) >= US_PER_SECOND ? US_PER_SECOND : 1n;
      return splitIntegerRange(a / step, b / step, parts).map((p) => p * step).filter((p) => p > a && p < b);
    },
  });
  return segs.map((s) => ({ start: fmt(s.start), end: fmt(s.end), count: s.count }));
}

/** The end of the integer range from MIN that holds about `rows` rows if the keys were spread evenly. */
function integerSlice(stats: ColumnStats, rows: number): BoundValue {
  const lo = BigInt(String(stats.min));
  const hi = BigInt(String(stats.max)) + 1n;
  const n = stats.count - stats.nulls > 0n ? stats.count - stats.nulls : 1n;
  const end = lo + ((hi - lo) * BigInt(rows)) / n + 1n;
  return intBound(end < hi ? end : hi);
}

/** Rows a probe reads at most: enough to measure throughput, little enough to keep planning cheap. */
const PROBE_ROWS = 50_000;

/**
 * Times the extraction of real rows (the window nearest min(windowSize, 50k) rows; of a bigger integer or time
 * window only its first part, cut in proportion) into a scratch DuckDB database: measured rows per second, which
 * the estimate extrapolates over all rows and `parallel` windows.
 */
async function probeWindow(ex: Extractor, table: string, column: string, strategy: BackfillPlan['strategy'], style: TimeStyle | undefined, plan: WindowPlan[], windowSize: number): Promise<PlanProbe> {
  const want = Math.min(windowSize, PROBE_ROWS);
  const candidates = plan.filter((w) => w.record_count > 0);
  const w = candidates.reduce((best, c) => (Math.abs(c.record_count - want) < Math.abs(best.record_count - want) ? c : best), candidates[0]);
  let end = w.end_offset;
  if (w.record_count > want && !w.include_nulls && w.start_offset !== null && w.end_offset !== null) {
    const share = (a: bigint, b: bigint) => a + ((b - a) * BigInt(want)) / BigInt(w.record_count) + 1n;
    if (strategy === 'integer') end = intBound(share(BigInt(String(w.start_offset)), BigInt(String(w.end_offset))));
    else if (style !== undefined && style !== 'date' && strategy !== 'keyset') end = formatInstant(share(parseInstant(String(w.start_offset)), parseInstant(String(w.end_offset))), style);
  }
  const range = (until: BoundValue): KeyRange => ({ column, start: w.start_offset, end: until, ...(w.include_nulls ? { includeNulls: true } : {}) });
  const probe = await probeRange(ex, table, range(end), w.window_id);
  // Rows bunched at the window's end leave its first part empty: measure the whole window then.
  if (probe.rows === 0 && end !== w.end_offset) return probeRange(ex, table, range(w.end_offset), w.window_id);
  return probe;
}

/** Times the extraction of `range` into a scratch DuckDB database (one thread: a probe is one window's share). */
async function probeRange(ex: Extractor, table: string, range: KeyRange, windowId: string): Promise<PlanProbe> {
  const engine = await Engine.create();
  try {
    await engine.run('SET threads = 1');
    const t0 = performance.now();
    const { rows } = await ex.extractInto(engine, { table, range }, '__floe_probe');
    const seconds = Math.max((performance.now() - t0) / 1000, 1e-6);
    return { window_id: windowId, rows: Number(rows), seconds: Math.round(seconds * 1e4) / 1e4, rows_per_second: Math.round(Number(rows) / seconds) || 1 };
  } finally {
    engine.close();
  }
}
