/**
 * `npm run bench -- scan`: how much slower reading an Iceberg table through floe's `iceberg_scan` is than DuckDB's
 * own `read_parquet` over the very same Parquet files. Both run the same query text through the same
 * `SqlSession.execute`, so they pay the same statement and result-rendering overhead and differ only by what
 * `iceberg_scan` adds: reading metadata, planning, and the SQL it expands to. The target is a ratio of at most
 * 1.1 (docs/benchmarks.md).
 *
 * Two more measurements split that difference: "floe planning" (metadata, manifests, filter extraction and SQL
 * generation, without running the query) and "generated SQL" (the `read_parquet(..., schema = MAP{...})` text
 * `iceberg_scan` expands to, run directly).
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { extractScanFilter } from '../src/engine/scan-filter.js';
import { scanSchema } from '../src/iceberg/table/scan-planner.js';
import { icebergScanSql, openForCall } from '../src/engine/iceberg-functions.js';
import { quoteString, stringList } from '../src/engine/sql-literals.js';
import { SqlSession } from '../src/engine/sql-session.js';
import { LocalFileIO } from '../src/iceberg/io/local-file-io.js';
import { formatMs, intOption, markdownTable, median, parseArgs, timed } from './harness.js';
import { ensureScanTable, type ScanTable } from './scan-table.js';

/** The pass mark: iceberg_scan median / read_parquet median. */
export const TARGET_RATIO = 1.1;

const DEFAULT_ROWS = 10_000_000;
const DEFAULT_FILES = 8;
const DEFAULT_ROUNDS = 15;

/** A query over `{src}`, the table expression under test. */
interface Scenario {
  name: string;
  sql: string;
}

/** One measured way of running a scenario. */
interface Measure {
  label: string;
  run: () => Promise<unknown>;
  times: number[];
}

/** One scenario's result, for the summary. */
interface ScenarioResult {
  name: string;
  /** iceberg_scan median / read_parquet median. */
  ratio: number;
}

function scenarios(rows: number): Scenario[] {
  // 1% of the ids, starting at 10% of the table: 1,000,000..1,100,000 for 10M rows, inside one data file.
  const lo = Math.floor(rows / 10);
  const hi = lo + Math.floor(rows / 100);
  const aggregates = 'count(*) AS n, sum(id) AS sum_id, sum(value) AS sum_value, max(name) AS max_name, max(ts) AS max_ts';
  return [
    { name: 'full scan', sql: `SELECT ${aggregates} FROM {src}` },
    { name: 'filter', sql: `SELECT ${aggregates} FROM {src} WHERE id BETWEEN ${lo} AND ${hi}` },
  ];
}

/** Runs the benchmark; see the module comment. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['rows', 'files', 'rounds', 'threads'], ['strict', 'explain']);
  const rows = intOption(args, 'rows', DEFAULT_ROWS);
  const files = intOption(args, 'files', DEFAULT_FILES);
  const rounds = intOption(args, 'rounds', DEFAULT_ROUNDS);

  const session = await SqlSession.open();
  try {
    const engine = session.engine;
    if (args.values.has('threads')) await engine.run(`SET threads = ${intOption(args, 'threads', 1)}`);
    const version = String((await (await engine.run('SELECT version()')).getRowsJS())[0][0]);
    const threads = String((await (await engine.run("SELECT current_setting('threads')")).getRowsJS())[0][0]);

    const built = await timed(() => ensureScanTable(engine, { rows, files, log: (l) => console.log(l) }));
    const table = built.result;
    console.log(
      `${table.generated ? 'generated' : 'reused'} table ${table.location} ` +
        `(${table.rows.toLocaleString('en-US')} rows, ${table.dataFiles.length} files, ` +
        `${(table.dataBytes / 2 ** 20).toFixed(1)} MiB)` +
        (table.generated ? ` in ${(built.ms / 1000).toFixed(1)} s` : ''),
    );
    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), ` +
        `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, duckdb ${version} (threads=${threads}), ` +
        `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${rounds} rounds\n`,
    );

    await verifyCount(session, table);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios(rows)) {
      results.push(await runScenario(session, table, scenario, rounds, args.flags.has('explain')));
    }

    // The target is the full read of the table. The filter scenario is reported, not gated: its query runs
    // in ~15 ms, where floe's fixed planning cost (a few ms: metadata, manifests, filter extraction) is a large share.
    const gated = results.filter((r) => r.name === 'full scan');
    const pass = gated.every((r) => r.ratio <= TARGET_RATIO);
    console.log(
      `${pass ? 'PASS' : 'FAIL'}: iceberg_scan / read_parquet ` +
        results
          .map((r) => `${r.name} ${r.ratio.toFixed(3)} ${r.name === 'full scan' ? (r.ratio <= TARGET_RATIO ? 'ok' : 'over') : '(reported)'}`)
          .join(', ') +
        ` (target <= ${TARGET_RATIO})`,
    );
    return pass || !args.flags.has('strict') ? 0 : 1;
  } finally {
    session.close();
  }
}

function icebergSource(table: ScanTable): string {
  return `iceberg_scan(${quoteString(table.location)})`;
}

function parquetSource(table: ScanTable): string {
  return `read_parquet(${stringList(table.dataFiles)})`;
}

/** The table must hold exactly the rows it was generated with, or nothing measured means anything. */
async function verifyCount(session: SqlSession, table: ScanTable): Promise<void> {
  const res = await session.execute(`SELECT count(*) FROM ${icebergSource(table)}`);
  const n = res.text[0]?.[0];
  if (n !== String(table.rows)) {
    throw new Error(`iceberg_scan count is ${n}, expected ${table.rows}: the benchmark table is wrong`);
  }
}

// One FileIO for every planning run, as a session has: caches floe may keep per FileIO then apply here too.
const io = new LocalFileIO();

/**
 * The work `iceberg_scan` does before DuckDB runs anything, done the way `SqlSession` does it: open the table,
 * extract the pruning filter from the statement, plan, and generate the replacement SQL.
 */
async function planIcebergScan(session: SqlSession, table: ScanTable, stmt: string): Promise<string> {
  const { table: t, selector } = await openForCall(
    io,
    'iceberg_scan',
    { path: table.location, named: new Map() },
    { unsafeEnableVersionGuessing: false },
  );
  const filter = await extractScanFilter(session.engine, stmt, stmt.indexOf('iceberg_scan('), scanSchema(t.metadata, selector));
  const scan = await icebergScanSql(session.engine, t, selector, filter, false);
  await scan.cleanup();
  return scan.sql;
}

async function runScenario(
  session: SqlSession,
  table: ScanTable,
  scenario: Scenario,
  rounds: number,
  explain: boolean,
): Promise<ScenarioResult> {
  const icebergSql = scenario.sql.replace('{src}', icebergSource(table));
  const parquetSql = scenario.sql.replace('{src}', parquetSource(table));
  const generated = await planIcebergScan(session, table, icebergSql);
  const generatedSql = scenario.sql.replace('{src}', generated);

  // Correctness first: the three forms must agree before any of them is timed.
  const expected = await session.execute(parquetSql);
  for (const [label, sql] of [
    ['iceberg_scan', icebergSql],
    ['generated SQL', generatedSql],
  ]) {
    const got = await session.execute(sql);
    if (JSON.stringify(got.text) !== JSON.stringify(expected.text)) {
      throw new Error(
        `${scenario.name}: ${label} returned ${JSON.stringify(got.text)} but read_parquet returned ${JSON.stringify(expected.text)}`,
      );
    }
  }

  const measures: Measure[] = [
    { label: 'read_parquet', run: () => session.execute(parquetSql), times: [] },
    { label: 'iceberg_scan', run: () => session.execute(icebergSql), times: [] },
    { label: 'generated SQL', run: () => session.execute(generatedSql), times: [] },
    { label: 'floe planning', run: () => planIcebergScan(session, table, icebergSql), times: [] },
  ];
  for (const m of measures) await m.run(); // warm-up: page cache, DuckDB caches, JIT
  for (let r = 0; r < rounds; r++) {
    // Rotate who goes first so no measure always follows the same neighbour.
    for (let k = 0; k < measures.length; k++) {
      const m = measures[(r + k) % measures.length];
      m.times.push((await timed(m.run)).ms);
    }
  }

  const [parquet, iceberg] = measures;
  const base = median(parquet.times);
  const paired = median(iceberg.times.map((t, i) => t / parquet.times[i]));
  console.log(`## ${scenario.name}\n\n${scenario.sql.replace('{src}', '<src>')}\n`);
  console.log(
    markdownTable(
      ['measure', 'median ms', 'min ms', 'max ms', 'x read_parquet'],
      measures.map((m) => {
        const med = median(m.times);
        return [m.label, formatMs(med), formatMs(Math.min(...m.times)), formatMs(Math.max(...m.times)), (med / base).toFixed(3)];
      }),
      [false, true, true, true, true],
    ),
  );
  const ratio = median(iceberg.times) / base;
  const overhead = median(iceberg.times.map((t, i) => t - parquet.times[i]));
  console.log(
    `\nresult: ${expected.text[0]?.join(', ')}\n` +
      `iceberg_scan overhead: ${formatMs(overhead)} ms per query (median of per-round differences)\n` +
      `ratio iceberg_scan / read_parquet: ${ratio.toFixed(3)} (median of per-round ratios ${paired.toFixed(3)}) ` +
      `${scenario.name === 'full scan' ? (ratio <= TARGET_RATIO ? 'PASS' : 'FAIL') : ratio <= TARGET_RATIO ? 'within target (reported)' : 'over target (reported, not gated)'} (target <= ${TARGET_RATIO})\n`,
  );

  if (explain) {
    for (const [label, sql] of [
      ['read_parquet', parquetSql],
      ['generated SQL (iceberg_scan)', generatedSql],
    ]) {
      const res = await session.engine.run(`EXPLAIN ANALYZE ${sql}`);
      const plan = (await res.getRowsJS()).map((r) => String(r[1])).join('\n');
      console.log(`### EXPLAIN ANALYZE ${label}\n\n${plan}\n`);
    }
  }
  return { name: scenario.name, ratio };
}
