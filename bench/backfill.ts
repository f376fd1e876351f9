/**
 * `npm run bench -- backfill`: a PostgreSQL table (5M rows by default, 8 columns of mixed types) backfilled into an
 * Iceberg table by `runBackfill` (plan, parallel windows, reconciliation, one commit per window, manifest), against
 * the limit: PostgreSQL's own `COPY (SELECT ...) TO STDOUT` of the same table drained to /dev/null, measured in the
 * same run. Reports rows/s of each and their ratio (target: floe >= 0.6 of the limit).
 *
 * Options: --rows N (5,000,000), --window-size N (500,000), --parallel N (2), --rounds N (3), --keep (keep the
 * PostgreSQL table for the next run), --strict (exit 1 when the ratio is under 0.6). The table is reused when a kept
 * one with the same row count exists. PostgreSQL: FLOE_TEST_PG_URI or postgresql://postgres@127.0.0.1:5432/test.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DuckDBInstance } from '@duckdb/node-api';
import { normalizeFloeConfig } from '../src/config/floe-config.js';
import { copyOut, temporalFromSend } from '../src/sources/postgres/postgres-copy-extract.js';
import { runBackfill } from '../src/backfill/run.js';
import { intOption, markdownTable, median, parseArgs, timed } from './harness.js';

const PG_URI = process.env.FLOE_TEST_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = 'floe_bench_backfill';
const TARGET_RATIO = 0.6;

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URI });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates (or reuses) `floe_bench_backfill.trades` with `rows` rows. */
async function ensureTable(rows: number): Promise<void> {
  await withClient(async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    const exists = await c.query(`SELECT to_regclass('${SCHEMA}.trades') IS NOT NULL AS e`);
    if (exists.rows[0].e) {
      const n = await c.query(`SELECT count(*)::bigint AS n FROM ${SCHEMA}.trades`);
      if (Number(n.rows[0].n) === rows) return;
      await c.query(`DROP TABLE ${SCHEMA}.trades`);
    }
    console.log(`creating ${SCHEMA}.trades with ${rows} rows...`);
    await c.query(
      `CREATE TABLE ${SCHEMA}.trades (trade_id bigint PRIMARY KEY, account_id integer NOT NULL, ticker text NOT NULL, ` +
        `side text NOT NULL, quantity numeric(18,4) NOT NULL, price double precision, executed_at timestamptz NOT NULL, note text)`,
    );
    await c.query(
      `INSERT INTO ${SCHEMA}.trades SELECT i, (i % 50021)::int, (ARRAY['AAPL','MSFT','NVDA','AMZN','GOOGL','META','TSLA','JPM'])[1 + i % 8], ` +
        `CASE WHEN i % 3 = 0 THEN 'sell' ELSE 'buy' END, round(((i % 9973) + 1) * 0.25, 4), (i % 100003) / 3.0, ` +
        `timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => i * 7), CASE WHEN i % 5 = 0 THEN NULL ELSE 'order ' || (i % 1000003) END ` +
        `FROM generate_series(1, ${rows}) AS g(i)`,
    );
    await c.query(`VACUUM ANALYZE ${SCHEMA}.trades`);
  });
}

/** The limit: PostgreSQL exporting the table with COPY TO STDOUT, drained to /dev/null. */
async function copyToDevNull(format: 'text' | 'csv'): Promise<number> {
  return withClient(async (c) => {
    const { ms } = await timed(() =>
      pipeline(c.query(copyTo(`COPY (SELECT * FROM ${SCHEMA}.trades) TO STDOUT${format === 'csv' ? ' WITH (FORMAT csv)' : ''}`)), createWriteStream('/dev/null')),
    );
    return ms;
  });
}

/** floe: the whole backfill into a fresh Iceberg table (plan, windows, reconciliation, commits, manifest). */
async function floeBackfill(windowSize: number, parallel: number): Promise<{ ms: number; rows: number; windows: number; cpu: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-backfill-'));
  const cpu0 = process.cpuUsage();
  try {
    const config = normalizeFloeConfig({ catalog: 'sql', catalog_config: { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') } });
    const { ms, result } = await timed(() =>
      runBackfill({ data_source: `${PG_URI}${PG_URI.includes('?') ? '&' : '?'}schema=${SCHEMA}`, table: 'trades', target_table: 'bench.trades', window_size: windowSize, parallel, config }),
    );
    if (result.status !== 'completed') throw new Error(`backfill ${result.status}: ${JSON.stringify(result.errors.slice(0, 3))}`);
    const cpu = process.cpuUsage(cpu0);
    return { ms, rows: result.rows_written, windows: result.windows, cpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The floor (not floe): the least any PostgreSQL -> Parquet pipeline through DuckDB does, on the same windows with
 * the same parallelism: each window's `COPY (SELECT ...) TO STDOUT (FORMAT csv)` read off the socket (floe's reader)
 * into a file, then DuckDB's `COPY (SELECT ... FROM read_csv(...)) TO '...parquet'` (zstd), with floe's cheapest
 * forms (timestamps in their binary form, a one-thread CSV parse per window). No planning counts, type
 * checks, checksums, validation, commits or bookkeeping. Windows are key ranges from MIN/MAX. Reported beside
 * floe so the target can be judged against what this machine allows at all; returns wall ms and this process's
 * CPU seconds (Node + DuckDB; PostgreSQL's own CPU is on top).
 */
async function floorPipeline(windowSize: number, parallel: number): Promise<{ ms: number; cpu: number; rows: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-floor-'));
  const db = await DuckDBInstance.create(':memory:', { threads: String(Math.max(1, Math.floor(availableParallelism() / parallel))) });
  try {
    const [lo, hi] = await withClient(async (c) => {
      const r = await c.query(`SELECT min(trade_id)::text AS lo, max(trade_id)::text AS hi FROM ${SCHEMA}.trades`);
      return [Number(r.rows[0].lo), Number(r.rows[0].hi)];
    });
    const starts: number[] = [];
    for (let s = lo; s <= hi; s += windowSize) starts.push(s);
    const cpu0 = process.cpuUsage();
    let rows = 0;
    const { ms } = await timed(async () => {
      let next = 0;
      const worker = async () => {
        const c = new pg.Client({ connectionString: PG_URI });
        await c.connect();
        const conn = await db.connect();
        try {
          for (let i = next++; i < starts.length; i = next++) {
            const file = join(dir, `w${i}.csv`);
            const fh = await open(file, 'w');
            const copied = await copyOut(
              c,
              `COPY (SELECT trade_id, account_id, ticker, side, quantity, price, timestamptz_send(executed_at), note FROM ${SCHEMA}.trades WHERE trade_id >= ${starts[i]} AND trade_id < ${starts[i] + windowSize}) TO STDOUT WITH (FORMAT csv)`,
              async (data) => {
                for (let at = 0; at < data.length; ) at += (await fh.write(data, at, data.length - at)).bytesWritten;
              },
            );
            await fh.close();
            rows += Number(copied.rows);
            await conn.run(
              `COPY (SELECT trade_id, account_id, ticker, side, quantity, price, ${temporalFromSend('ts', 'TIMESTAMPTZ')} AS executed_at, note ` +
                `FROM read_csv('${file}', columns = {'trade_id': 'BIGINT', 'account_id': 'INTEGER', 'ticker': 'VARCHAR', ` +
                `'side': 'VARCHAR', 'quantity': 'DECIMAL(18,4)', 'price': 'DOUBLE', 'ts': 'VARCHAR', 'note': 'VARCHAR'}, ` +
                `header = false, auto_detect = false, nullstr = '', parallel = false)) TO '${join(dir, `w${i}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`,
            );
            await rm(file);
          }
        } finally {
          conn.closeSync();
          await c.end();
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
    });
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpu: (cpu.user + cpu.system) / 1e6, rows };
  } finally {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['rows', 'window-size', 'parallel', 'rounds'], ['keep', 'strict']);
  const rows = intOption(args, 'rows', 5_000_000);
  const windowSize = intOption(args, 'window-size', 500_000);
  const parallel = intOption(args, 'parallel', 2);
  const rounds = intOption(args, 'rounds', 3);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  await ensureTable(rows);
  try {
    const copyText: number[] = [];
    const copyCsv: number[] = [];
    const floe: number[] = [];
    const floor: number[] = [];
    const floorCpu: number[] = [];
    let windows = 0;
    // Interleaved, so drift on a shared machine hits both sides alike.
    for (let r = 0; r < rounds; r++) {
      copyText.push(await copyToDevNull('text'));
      copyCsv.push(await copyToDevNull('csv'));
      const f = await floeBackfill(windowSize, parallel);
      if (f.rows !== rows) throw new Error(`floe wrote ${f.rows} rows, expected ${rows}`);
      windows = f.windows;
      floe.push(f.ms);
      const fl = await floorPipeline(windowSize, parallel);
      if (fl.rows !== rows) throw new Error(`the floor pipeline moved ${fl.rows} rows, expected ${rows}`);
      floor.push(fl.ms);
      floorCpu.push(fl.cpu);
      console.log(
        `round ${r + 1}: COPY text ${(copyText[r] / 1000).toFixed(2)} s, COPY csv ${(copyCsv[r] / 1000).toFixed(2)} s, ` +
          `floe backfill ${(f.ms / 1000).toFixed(2)} s (${f.cpu.toFixed(2)} core-s), floor pipeline ${(fl.ms / 1000).toFixed(2)} s (${fl.cpu.toFixed(2)} core-s in Node + DuckDB)`,
      );
    }
    const rate = (ms: number) => rows / (ms / 1000);
    const limit = rate(median(copyText));
    const ratio = rate(median(floe)) / limit;
    console.log(`\n${rows} rows, 8 columns; floe: ${windows} windows of ${windowSize}, ${parallel} in parallel; median of ${rounds} rounds\n`);
    console.log(
      markdownTable(
        ['path', 'seconds', 'rows/s', 'ratio to COPY TO STDOUT'],
        [
          ['PostgreSQL COPY (SELECT *) TO STDOUT -> /dev/null (the limit)', (median(copyText) / 1000).toFixed(2), Math.round(limit).toString(), '1.00'],
          ['PostgreSQL COPY ... (FORMAT csv) -> /dev/null', (median(copyCsv) / 1000).toFixed(2), Math.round(rate(median(copyCsv))).toString(), (rate(median(copyCsv)) / limit).toFixed(2)],
          ['floe backfill PostgreSQL -> Iceberg (plan, windows, reconcile, commit, manifest)', (median(floe) / 1000).toFixed(2), Math.round(rate(median(floe))).toString(), ratio.toFixed(2)],
          ['floor, not floe: same windows, COPY csv -> file -> DuckDB read_csv -> Parquet, nothing else', (median(floor) / 1000).toFixed(2), Math.round(rate(median(floor))).toString(), (rate(median(floor)) / limit).toFixed(2)],
        ],
        [false, true, true, true],
      ),
    );
    console.log(`\nfloor pipeline CPU in Node + DuckDB: median ${median(floorCpu).toFixed(2)} core-s (PostgreSQL's export on top), on ${availableParallelism()} cores`);
    console.log(`ratio ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}; the floor reaches ${(rate(median(floor)) / limit).toFixed(2)}`);
    return args.flags.has('strict') && ratio < TARGET_RATIO ? 1 : 0;
  } finally {
    if (!args.flags.has('keep')) await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }
}
