/**
 * `npm run bench -- append`: what writing to an Iceberg table through floe costs, in two parts (docs/benchmarks.md).
 *
 * 1. Throughput: `rows` generated rows (the generator of `bench/scan-table.ts`) appended through `writeIceberg` to a
 *    table of the embedded default catalog kind (a SQLite SQL catalog and a local warehouse, in a temp directory),
 *    against DuckDB's plain `COPY (<same query>) TO ... (FORMAT parquet, COMPRESSION zstd)` in the same run. A third
 *    measure replays the exact COPY statement floe issues (field ids, RETURN_STATS, file size, footer metadata), so
 *    the gap splits into "DuckDB writing what Iceberg needs" and "floe's own work". Target: ratio at most 1.25, and
 *    at least 1M rows/s.
 * 2. Commit latency: a one-file append (`appendFiles` of a 1-row Parquet file) to a table with 0 earlier snapshots
 *    vs with `snapshots` (1,000) earlier ones, default manifest merge settings. Target: within 2x.
 *
 * Each round writes fresh output and deletes it (or resets the table) untimed; measures are interleaved round by
 * round and medians compared. Correctness is checked once per part, before timing. When a target is missed the
 * printed profile says which step costs.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../src/engine/duckdb-engine.js';
import { describeParquetFile } from '../src/engine/parquet-data-file.js';
import { quoteString } from '../src/engine/sql-literals.js';
import { SqlSession } from '../src/engine/sql-session.js';
import type { DataFile } from '../src/iceberg/avro/manifest.js';
import type { Catalog, CatalogTable, CommitTableRequest, CommitTableResponse, TableIdentifier } from '../src/iceberg/catalog/catalog.js';
import { createCatalog } from '../src/iceberg/catalog/create-catalog.js';
import { newMetadataLocation, writeMetadataFile } from '../src/iceberg/catalog/metadata-files.js';
import type { FileIO } from '../src/iceberg/io/file-io.js';
import { appendMetadataLog, applyUpdatesDetailed, checkRequirements } from '../src/iceberg/spec/apply-updates.js';
import { tableMetadataFromJson } from '../src/iceberg/spec/table-metadata-parse.js';
import { tableMetadataToJson } from '../src/iceberg/spec/table-metadata-serialize.js';
import { currentSnapshot, type TableMetadata } from '../src/iceberg/spec/table-metadata.js';
import { tableOf } from '../src/iceberg/table/commit.js';
import { snapshotManifestFiles } from '../src/iceberg/table/snapshot-manifests.js';
import { appendFiles } from '../src/iceberg/table/table-operations.js';
import { parseJson, stringifyJson } from '../src/util/json.js';
import { writeIceberg, type IcebergWriterConfig } from '../src/warehouses/iceberg/iceberg-writer.js';
import { formatMs, intOption, markdownTable, median, parseArgs, timed, UsageError } from './harness.js';
import { SCAN_SCHEMA } from './scan-table.js';

/** Pass mark of part 1: writeIceberg median / DuckDB COPY median. */
export const TARGET_THROUGHPUT_RATIO = 1.25;
/** Design floor of part 1, rows per second through writeIceberg. */
export const FLOOR_ROWS_PER_SECOND = 1_000_000;
/** Pass mark of part 2: one-file append latency with the long history / with none. */
export const TARGET_COMMIT_RATIO = 2;

const DEFAULT_ROWS = 10_000_000;
const DEFAULT_ROUNDS = 7;
const DEFAULT_SNAPSHOTS = 1_000;
const DEFAULT_COMMIT_ROUNDS = 15;
/** Profiled commits per history depth (medians are reported). */
const PROFILE_RUNS = 5;
/** Runs of each metadata micro-measure (after two warm-up calls). */
const MICRO_RUNS = 9;
const NAMESPACE = ['bench'];

/**
 * The rows both writers write: the generator of `bench/scan-table.ts` (deterministic in the row number; `value` is
 * a multiple of 1/8, so sums are exact and can be compared for equality).
 */
export function generatorQuery(start: number, end: number): string {
  return (
    `SELECT i::BIGINT AS id, ((i * 7919) % 100003) / 8.0 AS value, ` +
    `'name_' || lpad(((i * 2654435761) % 1000003)::VARCHAR, 7, '0') AS name, ` +
    `TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts ` +
    `FROM range(${start}, ${end}) AS r(i)`
  );
}

/** One measured operation; `before` and `after` run untimed around each run (fresh output, cleanup). */
interface Measure {
  label: string;
  before?: () => Promise<void>;
  run: () => Promise<unknown>;
  after?: () => Promise<void>;
  times: number[];
}

async function runOnce(m: Measure): Promise<number> {
  await m.before?.();
  const { ms } = await timed(m.run);
  await m.after?.();
  return ms;
}

/** Interleaves the measures round by round, rotating which goes first, after one untimed warm-up run each. */
async function interleave(measures: Measure[], rounds: number, warmUp: boolean, log?: (line: string) => void): Promise<void> {
  if (warmUp) for (const m of measures) await runOnce(m);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < measures.length; k++) {
      const m = measures[(r + k) % measures.length];
      m.times.push(await runOnce(m));
    }
    log?.(`  round ${r + 1}/${rounds}: ${measures.map((m) => `${m.label} ${formatMs(m.times[m.times.length - 1])} ms`).join(', ')}`);
  }
}

/** Milliseconds spent in calls, by name. */
class CallTimes {
  private readonly byName = new Map<string, number[]>();

  add(name: string, ms: number): void {
    const list = this.byName.get(name);
    if (list) list.push(ms);
    else this.byName.set(name, [ms]);
  }

  total(name: string): number {
    return (this.byName.get(name) ?? []).reduce((a, b) => a + b, 0);
  }

  count(name: string): number {
    return this.byName.get(name)?.length ?? 0;
  }

  clear(): void {
    this.byName.clear();
  }
}

/**
 * `target` with its async `methods` timed into `times` under `<prefix>.<method>`; every other member is the
 * target's own. `onCall` also sees each timed call's arguments.
 */
function timedProxy<T extends object>(
  target: T,
  methods: string[],
  times: CallTimes,
  prefix: string,
  onCall?: (method: string, args: unknown[], ms: number) => void,
): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !methods.includes(prop)) return fn.bind(t);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await fn.apply(t, args);
        } finally {
          const ms = performance.now() - t0;
          times.add(`${prefix}.${prop}`, ms);
          onCall?.(prop, args, ms);
        }
      };
    },
  });
}

/** What both parts share. */
interface Context {
  root: string;
  session: SqlSession;
  engine: Engine;
  catalog: Catalog;
  log: (line: string) => void;
}

/** A part's verdict for the summary line. */
interface Verdict {
  name: string;
  pass: boolean;
  text: string;
}

/** Runs the benchmark; see the module comment. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['rows', 'rounds', 'snapshots', 'commit-rounds', 'threads', 'only'], ['strict', 'keep']);
  const rows = intOption(args, 'rows', DEFAULT_ROWS);
  const rounds = intOption(args, 'rounds', DEFAULT_ROUNDS);
  const snapshots = intOption(args, 'snapshots', DEFAULT_SNAPSHOTS);
  const commitRounds = intOption(args, 'commit-rounds', DEFAULT_COMMIT_ROUNDS);
  const only = args.values.get('only');
  if (only !== undefined && only !== 'throughput' && only !== 'commit') {
    throw new UsageError(`--only takes throughput or commit, got ${only}`);
  }

  const root = await mkdtemp(join(tmpdir(), 'floe-bench-append-'));
  const session = await SqlSession.open();
  const engine = session.engine;
  // The embedded default catalog kind (floe.yaml's built-in default is `type: sql, uri: sqlite:...`), here in the
  // temp directory with a local warehouse.
  const catalog = await createCatalog('default', {
    type: 'sql',
    uri: `sqlite:${join(root, 'catalog.db')}`,
    warehouse: join(root, 'warehouse'),
  });
  try {
    if (args.values.has('threads')) await engine.run(`SET threads = ${intOption(args, 'threads', 1)}`);
    const version = String((await (await engine.run('SELECT version()')).getRowsJS())[0][0]);
    const threads = String((await (await engine.run("SELECT current_setting('threads')")).getRowsJS())[0][0]);
    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), ` +
        `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, duckdb ${version} (threads=${threads}), ` +
        `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n` +
        `work directory: ${root}\n`,
    );
    await catalog.createNamespace(NAMESPACE);
    const ctx: Context = { root, session, engine, catalog, log: (l) => console.log(l) };

    const verdicts: Verdict[] = [];
    if (only !== 'commit') verdicts.push(await throughputPart(ctx, rows, rounds));
    if (only !== 'throughput') verdicts.push(await commitPart(ctx, snapshots, commitRounds));

    const pass = verdicts.every((v) => v.pass);
    console.log(`${pass ? 'PASS' : 'FAIL'}: ${verdicts.map((v) => `${v.name} ${v.text}`).join('; ')}`);
    return pass || !args.flags.has('strict') ? 0 : 1;
  } finally {
    await catalog.close();
    session.close();
    if (args.flags.has('keep')) console.log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 1: throughput

function tableId(name: string): TableIdentifier {
  return { namespace: [...NAMESPACE], name };
}

function writerConfig(id: TableIdentifier): IcebergWriterConfig {
  return { catalog: 'sql', table: `${id.namespace.join('.')}.${id.name}`, write_mode: 'append' };
}

async function dropTable(catalog: Catalog, id: TableIdentifier): Promise<void> {
  const location = (await catalog.loadTable(id)).metadata.location;
  await catalog.dropTable(id, true);
  await rm(location, { recursive: true, force: true });
}

/** Aggregates that identify the written rows (all exact: see {@link generatorQuery}). */
const CHECK_SQL = 'SELECT count(*), sum(id), sum(value), min(name), max(name), max(ts) FROM ';

async function throughputPart(ctx: Context, rows: number, rounds: number): Promise<Verdict> {
  const { root, session, engine, catalog, log } = ctx;
  const query = generatorQuery(0, rows);
  console.log(`## append throughput: ${rows.toLocaleString('en-US')} rows, ${rounds} rounds\n`);

  // Warm-up and correctness: the baseline once, then one profiled writeIceberg whose table must hold the same rows.
  const baselineFile = join(root, 'baseline-check.parquet');
  await engine.run(`COPY (${query}) TO ${quoteString(baselineFile)} (FORMAT parquet, COMPRESSION zstd)`);
  const expected = (await session.execute(`${CHECK_SQL}read_parquet(${quoteString(baselineFile)})`)).text[0];
  const baselineBytes = (await stat(baselineFile)).size;
  await rm(baselineFile, { force: true });
  if (expected?.[0] !== String(rows)) throw new Error(`DuckDB COPY wrote ${expected?.[0]} rows, expected ${rows}`);

  const checkId = tableId('append_check');
  await catalog.createTable(checkId, { schema: SCAN_SCHEMA });
  const calls = new CallTimes();
  const statements: Array<{ sql: string; ms: number }> = [];
  const profiledEngine = timedProxy(engine, ['run'], calls, 'engine', (_m, a, ms) => statements.push({ sql: String(a[0]), ms }));
  const profiledCatalog = timedProxy(catalog, ['loadTable', 'commitTable'], calls, 'catalog');
  const profiled = await timed(() =>
    writeIceberg(writerConfig(checkId), { sql: query }, {}, { catalog: profiledCatalog, engine: profiledEngine }),
  );
  const written = await catalog.loadTable(checkId);
  const got = (await session.execute(`${CHECK_SQL}iceberg_scan(${quoteString(written.metadataLocation)})`)).text[0];
  if (JSON.stringify(got) !== JSON.stringify(expected) || profiled.result.rows_written !== rows) {
    throw new Error(`writeIceberg: table reads back ${JSON.stringify(got)}, DuckDB COPY wrote ${JSON.stringify(expected)}`);
  }
  const dataBytes = Number(currentSnapshot(written.metadata)?.summary['total-files-size'] ?? 0);
  log(
    `verified: iceberg_scan of the written table = read_parquet of DuckDB's file (${expected.join(', ')}); ` +
      `${profiled.result.files_written} data file(s), ${(dataBytes / 2 ** 20).toFixed(1)} MiB ` +
      `(DuckDB COPY: ${(baselineBytes / 2 ** 20).toFixed(1)} MiB)\n`,
  );
  await dropTable(catalog, checkId);

  // The COPY writeDataFiles ran, replayed into a fresh directory each round.
  const copyIndex = statements.findIndex((s) => /^\s*COPY\b/i.test(s.sql));
  if (copyIndex < 0) throw new Error('writeIceberg ran no COPY statement');
  const floeCopy = statements[copyIndex].sql;
  const staging = /TO '([^']*\.floe-staging-[^']*)'/.exec(floeCopy);
  if (!staging) throw new Error(`cannot find the staging directory in: ${floeCopy.slice(0, 200)}`);
  const floeCopyTo = (dir: string) => floeCopy.replace(staging[0], `TO ${quoteString(dir)}`);
  const copyOptions = /\)\s*TO '[^']*'\s*\((.*)\)\s*$/s.exec(floeCopy)?.[1] ?? '';

  // The profile of that run: where writeIceberg's time went.
  const stmtMs = (re: RegExp) => statements.filter((s) => re.test(s.sql)).reduce((a, s) => a + s.ms, 0);
  const stmtCount = (re: RegExp) => statements.filter((s) => re.test(s.sql)).length;
  const copy = /^\s*COPY\b/i;
  const other = /^(?!\s*COPY\b)/i;
  const load = calls.total('catalog.loadTable');
  const commit = calls.total('catalog.commitTable');
  const accounted = stmtMs(copy) + stmtMs(other) + load + commit;
  const profileRows: Array<[string, number]> = [
    ['DuckDB: COPY ... (FIELD_IDS, RETURN_STATS, ...): write + stats', stmtMs(copy)],
    [`DuckDB: other statements (${stmtCount(other)}: bounds conversion)`, stmtMs(other)],
    [`catalog.loadTable (${calls.count('catalog.loadTable')}: SQLite + read/parse metadata)`, load],
    ['catalog.commitTable (read/parse base, write metadata JSON, swap)', commit],
    ['rest: JS (describe source, stats to DataFile, rename, manifest + list)', profiled.ms - accounted],
  ];
  console.log(
    `### profile of the warm-up writeIceberg (${formatMs(profiled.ms)} ms)\n\n` +
      markdownTable(
        ['step', 'ms', 'share'],
        [
          ...profileRows.map(([label, ms]) => [label, formatMs(ms), `${((100 * ms) / profiled.ms).toFixed(1)}%`]),
          ['total', formatMs(profiled.ms), '100%'],
        ],
        [false, true, true],
      ) +
      `\n\nfloe's COPY options: ${copyOptions.replace(/'iceberg\.schema': '.*?'\}/s, "'iceberg.schema': '<schema json>'}")}\n`,
  );

  let n = 0;
  const baseline: Measure = {
    label: 'DuckDB COPY',
    before: async () => void (n++),
    run: () => engine.run(`COPY (${query}) TO ${quoteString(join(root, `baseline-${n}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`),
    after: () => rm(join(root, `baseline-${n}.parquet`), { force: true }),
    times: [],
  };
  const replay: Measure = {
    label: "floe's COPY",
    before: async () => {
      n++;
      await mkdir(join(root, `floe-copy-${n}`), { recursive: true });
    },
    run: () => engine.run(floeCopyTo(join(root, `floe-copy-${n}`))),
    after: () => rm(join(root, `floe-copy-${n}`), { recursive: true, force: true }),
    times: [],
  };
  let current = tableId('append_0');
  const writer: Measure = {
    label: 'writeIceberg',
    before: async () => {
      current = tableId(`append_${++n}`);
      await catalog.createTable(current, { schema: SCAN_SCHEMA });
    },
    run: () => writeIceberg(writerConfig(current), { sql: query }, {}, { catalog, engine }),
    after: () => dropTable(catalog, current),
    times: [],
  };
  const measures = [baseline, replay, writer];
  // The correctness runs above warmed up the baseline and writeIceberg; warm the replayed COPY too.
  await runOnce(replay);
  await interleave(measures, rounds, false, log);

  const base = median(baseline.times);
  const rps = (ms: number) => rows / (ms / 1000);
  console.log(
    '\n' +
      markdownTable(
        ['measure', 'median s', 'min s', 'max s', 'rows/s (median)', 'x DuckDB COPY'],
        measures.map((m) => {
          const med = median(m.times);
          const s = (ms: number) => (ms / 1000).toFixed(2);
          return [m.label, s(med), s(Math.min(...m.times)), s(Math.max(...m.times)), `${(rps(med) / 1e6).toFixed(2)}M`, (med / base).toFixed(3)];
        }),
        [false, true, true, true, true, true],
      ),
  );
  const ratio = median(writer.times) / base;
  const paired = median(writer.times.map((t, i) => t / baseline.times[i]));
  const rate = rps(median(writer.times));
  const pass = ratio <= TARGET_THROUGHPUT_RATIO && rate >= FLOOR_ROWS_PER_SECOND;
  const text = `writeIceberg / COPY ${ratio.toFixed(3)} (target <= ${TARGET_THROUGHPUT_RATIO}), ${(rate / 1e6).toFixed(2)}M rows/s (floor 1M)`;
  console.log(
    `\nratio writeIceberg / DuckDB COPY: ${ratio.toFixed(3)} (median of per-round ratios ${paired.toFixed(3)}, ` +
      `of minimums ${(Math.min(...writer.times) / Math.min(...baseline.times)).toFixed(3)}), ` +
      `floe's COPY / DuckDB COPY: ${(median(replay.times) / base).toFixed(3)}, ` +
      `writeIceberg - floe's COPY: ${formatMs(median(writer.times.map((t, i) => t - replay.times[i])))} ms (median of per-round differences)\n` +
      `${pass ? 'PASS' : 'FAIL'}: ${text}\n`,
  );
  return { name: 'throughput', pass, text };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: commit latency

/**
 * A stand-in catalog for building a long history quickly: it keeps the table's metadata in memory instead of
 * re-reading and re-parsing it on every load and commit, and writes a metadata file only for the versions that
 * must exist (`keep(version)`: each checkpoint and the 100 versions its metadata log names). Snapshots, manifests,
 * manifest lists and manifest merges are floe's own (`appendFiles`, `SnapshotProducer`), exactly as a real commit
 * makes them; metadata files of other versions, which nothing in a checkpoint refers to, are simply not written.
 */
class HistoryBuilder {
  private version = 0;
  readonly catalog: Catalog;

  constructor(
    real: Catalog,
    private readonly table: CatalogTable,
    private current: { metadata: TableMetadata; metadataLocation: string },
    private readonly keep: (version: number) => boolean,
  ) {
    this.catalog = new Proxy(real, {
      get: (t, prop) => {
        if (prop === 'loadTable') return () => this.load();
        if (prop === 'commitTable') return (req: CommitTableRequest) => this.commit(req);
        const value = Reflect.get(t, prop, t) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
      },
    });
  }

  /** The newest metadata file this builder made. */
  get location(): string {
    return this.current.metadataLocation;
  }

  private async load(): Promise<CatalogTable> {
    return { ...this.table, metadataLocation: this.current.metadataLocation, metadata: this.current.metadata };
  }

  private async commit(req: CommitTableRequest): Promise<CommitTableResponse> {
    const base = this.current;
    checkRequirements(base.metadata, req.requirements);
    const applied = applyUpdatesDetailed(base.metadata, req.updates);
    const metadata = appendMetadataLog(base.metadata, base.metadataLocation, applied.metadata);
    const metadataLocation = newMetadataLocation(metadata, base.metadataLocation);
    if (this.keep(++this.version)) await writeMetadataFile(this.table.io, metadataLocation, metadata);
    this.current = { metadata, metadataLocation };
    return this.current;
  }
}

/** A history depth under test: a catalog entry pointing at the table as it was after `depth` appends. */
interface Depth {
  depth: number;
  id: TableIdentifier;
  metadataLocation: string;
  metadataBytes: number;
  manifests: number;
}

async function commitPart(ctx: Context, snapshots: number, rounds: number): Promise<Verdict> {
  const { root, session, engine, catalog, log } = ctx;
  const depths = [...new Set([0, 100, Math.floor(snapshots / 2), snapshots])].filter((d) => d <= snapshots).sort((a, b) => a - b);
  console.log(`## commit latency: one-file append after ${depths.join(' / ')} earlier snapshots, ${rounds} rounds\n`);

  // A 1-row Parquet file with the table's field ids; every appended DataFile is a copy of it.
  const tiny = join(root, 'tiny.parquet');
  await engine.run(`COPY (${generatorQuery(0, 1)}) TO ${quoteString(tiny)} (FORMAT parquet, FIELD_IDS {id: 1, value: 2, name: 3, ts: 4})`);
  const historyId = tableId('history');
  const created = await catalog.createTable(historyId, { schema: SCAN_SCHEMA });
  const io: FileIO = created.io;
  const dataDir = join(created.metadata.location, 'data');
  await mkdir(dataDir, { recursive: true });
  const template: DataFile = await describeParquetFile(engine, io, tiny, SCAN_SCHEMA);
  const fileAt = async (name: string): Promise<DataFile> => {
    const path = join(dataDir, name);
    await copyFile(tiny, path);
    return { ...template, file_path: path };
  };

  // Build the history: `snapshots` appends of one file each, default merge settings.
  const checkpoints = new Map<number, string>([[0, created.metadataLocation]]);
  const builder = new HistoryBuilder(catalog, created, created, (v) => depths.some((d) => v >= d - 100 && v <= d));
  const merges: number[] = [];
  const built = await timed(async () => {
    for (let i = 1; i <= snapshots; i++) {
      const c = await appendFiles(builder.catalog, historyId, io, [await fileAt(`history-${i}.parquet`)]);
      if (Number(c.snapshot.summary['manifests-replaced'] ?? 0) > 0) merges.push(i);
      if (depths.includes(i)) checkpoints.set(i, builder.location);
    }
  });
  log(
    `built ${snapshots} snapshots in ${(built.ms / 1000).toFixed(1)} s; manifest merges at appends ` +
      `${merges.length > 6 ? `${merges.slice(0, 5).join(', ')}, ... (${merges.length})` : merges.join(', ') || 'none'}`,
  );

  // One catalog entry per depth, all on the built table's files.
  const states: Depth[] = [];
  for (const depth of depths) {
    const id = tableId(`at_${depth}`);
    const metadataLocation = checkpoints.get(depth) as string;
    const ct = await catalog.registerTable(id, metadataLocation);
    const snap = currentSnapshot(ct.metadata);
    const manifests = snap ? (await snapshotManifestFiles(tableOf(ct), snap)).length : 0;
    states.push({ depth, id, metadataLocation, metadataBytes: (await stat(metadataLocation)).size, manifests });
  }
  const reset = async (s: Depth) => {
    await catalog.dropTable(s.id, false);
    await catalog.registerTable(s.id, s.metadataLocation);
  };

  // Correctness: the deepest table reads back one row per append, and one more after a measured append.
  const deepest = states[states.length - 1];
  const countOf = async (s: Depth) => {
    const loc = (await catalog.loadTable(s.id)).metadataLocation;
    return (await session.execute(`SELECT count(*) FROM iceberg_scan(${quoteString(loc)})`)).text[0]?.[0];
  };
  const measured = await fileAt('measured.parquet');
  const before = await countOf(deepest);
  await appendFiles(catalog, deepest.id, io, [measured]);
  const after = await countOf(deepest);
  await reset(deepest);
  if (before !== String(deepest.depth) || after !== String(deepest.depth + 1)) {
    throw new Error(`history table reads back ${before} rows, then ${after}; expected ${deepest.depth}, then ${deepest.depth + 1}`);
  }
  log(`verified: iceberg_scan counts ${before} rows after ${deepest.depth} appends, ${after} after one more\n`);

  console.log(
    markdownTable(
      ['earlier snapshots', 'metadata JSON', 'manifests in current list', 'next append merges'],
      states.map((s) => [String(s.depth), `${(s.metadataBytes / 1024).toFixed(0)} KiB`, String(s.manifests), s.manifests >= 100 ? 'yes' : 'no']),
      [true, true, true, false],
    ) + '\n',
  );

  // Timed: the one-file append at each depth (table reset untimed after each), and a 1-row writeIceberg at the
  // extremes (the same commit plus loading the table, DESCRIBE and a DuckDB COPY of one row).
  const measures: Measure[] = states.map((s) => ({
    label: `appendFiles @${s.depth}`,
    run: () => appendFiles(catalog, s.id, io, [measured]),
    after: () => reset(s),
    times: [],
  }));
  for (const s of [states[0], deepest]) {
    measures.push({
      label: `writeIceberg 1 row @${s.depth}`,
      run: () => writeIceberg(writerConfig(s.id), { sql: generatorQuery(0, 1) }, {}, { catalog, engine }),
      after: () => reset(s),
      times: [],
    });
  }
  await interleave(measures, rounds, true);

  const zero = median(measures[0].times);
  console.log(
    markdownTable(
      ['measure', 'median ms', 'min ms', 'max ms', 'x @0'],
      measures.map((m) => {
        const med = median(m.times);
        const ref = m.label.startsWith('writeIceberg') ? median(measures[states.length].times) : zero;
        return [m.label, formatMs(med), formatMs(Math.min(...m.times)), formatMs(Math.max(...m.times)), (med / ref).toFixed(2)];
      }),
      [false, true, true, true, true],
    ),
  );
  const deepMeasure = measures[states.length - 1];
  const ratio = median(deepMeasure.times) / zero;
  const paired = median(deepMeasure.times.map((t, i) => t / measures[0].times[i]));
  const pass = ratio <= TARGET_COMMIT_RATIO;
  const text = `append @${deepest.depth} / @0 ${ratio.toFixed(2)} (target <= ${TARGET_COMMIT_RATIO})`;
  console.log(`\nratio ${text}, median of per-round ratios ${paired.toFixed(2)}\n${pass ? 'PASS' : 'FAIL'}: ${text}\n`);

  await profileCommits(ctx, io, measured, states, reset);
  return { name: 'commit', pass, text };
}

/**
 * Where a one-file append's time goes at each depth: the catalog calls (timed through a proxy) and, on the
 * depth's metadata file, the metadata work they contain (each the median of {@link PROFILE_RUNS} runs).
 */
async function profileCommits(
  ctx: Context,
  io: FileIO,
  file: DataFile,
  states: Depth[],
  reset: (s: Depth) => Promise<void>,
): Promise<void> {
  const calls = new CallTimes();
  const profiled = timedProxy(ctx.catalog, ['loadTable', 'commitTable'], calls, 'catalog');
  const rows = new Map<string, string[]>();
  const add = (label: string, value: string) => rows.set(label, [...(rows.get(label) ?? []), value]);
  for (const s of states) {
    const total: number[] = [];
    const load: number[] = [];
    const commit: number[] = [];
    for (let r = 0; r < PROFILE_RUNS; r++) {
      calls.clear();
      total.push((await timed(() => appendFiles(profiled, s.id, io, [file]))).ms);
      load.push(calls.total('catalog.loadTable'));
      commit.push(calls.total('catalog.commitTable'));
      await reset(s);
    }
    const produce = total.map((t, i) => t - load[i] - commit[i]);
    const text = await readFile(s.metadataLocation, 'utf8');
    const json = parseJson(text);
    const md = tableMetadataFromJson(json);
    // Warmed up first: the first calls include compiling, which a long-running writer pays once.
    const micro = async (fn: () => unknown) => {
      for (let r = 0; r < 2; r++) fn();
      const ms: number[] = [];
      for (let r = 0; r < MICRO_RUNS; r++) ms.push((await timed(async () => fn())).ms);
      return formatMs(median(ms));
    };
    add('appendFiles, total', formatMs(median(total)));
    add('  catalog.loadTable (SQLite, read + parse metadata)', formatMs(median(load)));
    add('  snapshot producer (manifest, manifest list, merge)', formatMs(median(produce)));
    add('  catalog.commitTable (read + parse base, apply, write JSON, swap)', formatMs(median(commit)));
    add('metadata: lossless-json parse (parseJson)', await micro(() => parseJson(text)));
    add('metadata: JSON to model (tableMetadataFromJson)', await micro(() => tableMetadataFromJson(json)));
    add('metadata: structuredClone (applyUpdates copies the base)', await micro(() => structuredClone(md)));
    add('metadata: serialize (tableMetadataToJson + stringifyJson)', await micro(() => stringifyJson(tableMetadataToJson(md))));
    add('reference: JSON.parse of the same text', await micro(() => JSON.parse(text)));
  }
  console.log(
    `### profile of a one-file append (ms; appendFiles rows: medians of ${PROFILE_RUNS} commits; "metadata:" rows: ` +
      `one call on that depth's metadata, median of ${MICRO_RUNS} after warm-up; a commit parses twice and serializes once)\n\n` +
      markdownTable(
        ['step', ...states.map((s) => `@${s.depth}`)],
        [...rows].map(([label, values]) => [label, ...values]),
        [false, ...states.map(() => true)],
      ) +
      '\n',
  );
}
