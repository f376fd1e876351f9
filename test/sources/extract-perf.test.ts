/**
 * Dev measurement (not a timed assertion): extracting a 1M-row, 8-column PostgreSQL table into DuckDB against
 * PostgreSQL's own `COPY (SELECT ...) TO STDOUT` drained, the limit of any export. Runs only with
 * FLOE_EXTRACT_PERF=1 (it takes tens of seconds); prints the figures recorded in docs/benchmarks.md.
 */
import { after, before, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { openExtractor, type Extractor } from '../../src/sources/extract.js';
import { PG_URI, postgresUnavailable } from '../helpers/postgres.js';

const ROWS = Number(process.env.FLOE_EXTRACT_PERF_ROWS ?? 1_000_000);
const enabled = process.env.FLOE_EXTRACT_PERF === '1';
let problem: string | undefined;
let ex: Extractor | undefined;

before(async () => {
  if (!enabled) return;
  problem = await postgresUnavailable();
  if (problem) return;
  const c = new pg.Client(PG_URI);
  await c.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS floe_extract_perf`);
    await c.query(`CREATE TABLE floe_extract_perf AS
      SELECT i::bigint AS id, (i % 1000)::int AS account, round((random() * 100000)::numeric, 2)::numeric(12,2) AS amount,
             random() AS score, timestamptz '2024-01-01' + i * interval '1 second' AS at, (i % 7 = 0) AS flag,
             md5(i::text) AS label, date '2020-01-01' + (i % 1500) AS day
        FROM generate_series(1, ${ROWS}) i`);
    await c.query(`ALTER TABLE floe_extract_perf ADD PRIMARY KEY (id)`);
    await c.query(`ANALYZE floe_extract_perf`);
  } finally {
    await c.end();
  }
  ex = await openExtractor(PG_URI);
});
after(async () => {
  await ex?.close();
  if (enabled && !problem) {
    const c = new pg.Client(PG_URI);
    await c.connect();
    await c.query(`DROP TABLE IF EXISTS floe_extract_perf`).finally(() => c.end());
  }
});

async function copyDrained(): Promise<number> {
  const c = new pg.Client(PG_URI);
  await c.connect();
  try {
    const t0 = performance.now();
    await pipeline(
      c.query(copyTo(`COPY (SELECT id, account, amount, score, at, flag, label, day FROM floe_extract_perf) TO STDOUT WITH (FORMAT csv)`)),
      new Writable({ write: (_chunk, _enc, cb) => cb() }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await c.end();
  }
}

test(`extracting ${ROWS} PostgreSQL rows vs COPY TO STDOUT drained`, async (t) => {
  if (!enabled) return t.skip('dev measurement: set FLOE_EXTRACT_PERF=1 to run it');
  if (problem) {
    console.warn(`\n*** SKIPPED: PostgreSQL not available: ${problem} ***\n`);
    return t.skip(`PostgreSQL not available: ${problem}`);
  }
  const best = { copy: Infinity, one: Infinity, four: Infinity };
  for (let run = 0; run < 3; run++) {
    best.copy = Math.min(best.copy, await copyDrained());
    let engine = await Engine.create();
    let t0 = performance.now();
    const { rows } = await ex!.extractInto(engine, { table: 'floe_extract_perf' }, 'w');
    best.one = Math.min(best.one, (performance.now() - t0) / 1000);
    assert.equal(Number(rows), ROWS);
    engine.close();
    engine = await Engine.create();
    const q = Math.ceil(ROWS / 4);
    t0 = performance.now();
    const parts = await Promise.all([0, 1, 2, 3].map((i) =>
      ex!.extractInto(engine, { table: 'floe_extract_perf', range: { column: 'id', start: 1 + i * q, end: 1 + (i + 1) * q } }, `w${i}`)));
    best.four = Math.min(best.four, (performance.now() - t0) / 1000);
    assert.equal(parts.reduce((n, p) => n + Number(p.rows), 0), ROWS);
    engine.close();
  }
  const line = `rows=${ROWS} copy_drained=${best.copy.toFixed(2)}s extract_1_window=${best.one.toFixed(2)}s (ratio ${(best.one / best.copy).toFixed(2)}) ` +
    `extract_4_parallel=${best.four.toFixed(2)}s (ratio ${(best.four / best.copy).toFixed(2)}) rows_per_s=${Math.round(ROWS / best.one)}`;
  console.log(`extract-perf: ${line}`);
  t.diagnostic(line);
});
