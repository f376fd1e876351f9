/**
 * The planner on real data in SQLite, DuckDB and PostgreSQL: integer ranges, keyset on text, day windows,
 * adaptive splitting of skewed data, keys beyond 2^53, repeated keys, NULL keys, an empty table, and bad input.
 * Every plan is checked to be a partition: the window counts sum to the table's rows, and each window's COUNT at
 * the source equals its record_count.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import { defaultParallel, planBackfill, type BackfillPlan } from '../../src/backfill/plan.js';
import { threadsPerWorker } from '../../src/backfill/window-runner.js';
import { SPLIT_FACTOR } from '../../src/backfill/window-splitter.js';
import { isFloeError } from '../../src/errors.js';
import { openExtractor, type Extractor } from '../../src/sources/extract.js';
import { createDuckdb, createPostgres, createSqlite, type TestDatabase } from '../helpers/source-databases.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
const q = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
const H = 3_600_000;

/** The test tables, in a dialect's types (BIGINT, TEXT, TIMESTAMP exist in all three). */
function fixtureSql(dialect: string): string {
  const text = dialect === 'duckdb' ? 'VARCHAR' : 'TEXT';
  const ins = (table: string, rows: string[]) => `INSERT INTO ${table} VALUES ${rows.join(', ')};\n`;
  const t0 = Date.UTC(2024, 0, 1);
  const uniform = Array.from({ length: 1000 }, (_, k) => {
    const i = k + 1;
    return `(${i}, ${q(i % 50 === 0 ? null : `k${pad(i, 4)}`)}, ${q(iso(t0 + i * 53 * 60_000))})`;
  });
  const skewed: string[] = [];
  for (let i = 1; i <= 20; i++) skewed.push(`(${i}, ${q(iso(t0 + i * 7 * 24 * H))})`);
  for (let i = 0; i < 3000; i++) skewed.push(`(${1_000_000 + i}, ${q(iso(Date.UTC(2024, 5, 1, 10) + i * 1000))})`);
  for (let i = 0; i < 10; i++) skewed.push(`(${1_000_000_000_000 + i}, ${q(iso(Date.UTC(2024, 8, 1) + i * H))})`);
  const dups = [...Array.from({ length: 500 }, () => '(7)'), ...Array.from({ length: 50 }, (_, i) => `(${i + 1})`)];
  const big = Array.from({ length: 300 }, (_, i) => `(${(9007199254741000n + BigInt(i) * 3n).toString()})`);
  const noPk = Array.from({ length: 40 }, (_, i) => `(${q(`v${i}`)}, ${q(iso(t0 + i * 5 * H))})`);
  return [
    `CREATE TABLE uniform (id BIGINT PRIMARY KEY, name ${text}, ts TIMESTAMP);\n`, ins('uniform', uniform),
    `CREATE TABLE skewed (id BIGINT PRIMARY KEY, ts TIMESTAMP);\n`, ins('skewed', skewed),
    `CREATE TABLE dups (k BIGINT);\n`, ins('dups', dups),
    `CREATE TABLE big_keys (id BIGINT PRIMARY KEY);\n`, ins('big_keys', big),
    `CREATE TABLE no_pk (v ${text}, created TIMESTAMP);\n`, ins('no_pk', noPk),
    `CREATE TABLE no_key (v ${text});\n`,
    `CREATE TABLE empty (id BIGINT PRIMARY KEY);\n`,
  ].join('');
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** Asserts the plan is a partition of the table, checked with COUNTs at the source. */
async function assertPartition(ex: Extractor, plan: BackfillPlan): Promise<void> {
  const total = await ex.count({ table: plan.table });
  assert.equal(plan.total_records, Number(total), 'total_records = COUNT(*)');
  assert.equal(plan.execution_plan.reduce((n, w) => n + w.record_count, 0), plan.total_records, 'window counts sum to the total');
  assert.equal(plan.windows, plan.execution_plan.length);
  for (const w of plan.execution_plan) {
    const n = await ex.count({ table: plan.table, range: { column: plan.column, start: w.start_offset, end: w.end_offset, ...(w.include_nulls ? { includeNulls: true } : {}) } });
    assert.equal(Number(n), w.record_count, `COUNT of ${w.window_id} [${String(w.start_offset)}, ${String(w.end_offset)})`);
  }
  const ids = new Set(plan.execution_plan.map((w) => w.window_id));
  assert.equal(ids.size, plan.windows, 'window ids are unique');
}

const makers: Record<string, () => Promise<TestDatabase | string>> = { sqlite: createSqlite, duckdb: createDuckdb, postgresql: createPostgres };

for (const [dialect, make] of Object.entries(makers)) {
  describe(`planner on ${dialect}`, () => {
    let db: TestDatabase | string;
    let ex: Extractor;
    before(async () => {
      db = await make();
      if (typeof db === 'string') return;
      await db.exec(fixtureSql(dialect));
      ex = await openExtractor(db.url);
    });
    after(async () => {
      await ex?.close();
      if (typeof db !== 'string') await db?.drop();
    });
    const skip = (t: TestContext): boolean => {
      if (typeof db !== 'string') return false;
      console.warn(`\n*** SKIPPED: ${dialect} not available: ${db} ***\n`);
      t.skip(`${dialect} not available: ${db}`);
      return true;
    };

    test('integer ranges over the primary key (the default column), with a measured estimate and a stable hash', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'uniform', windowSize: 100, parallel: 3 });
      assert.equal(plan.column, 'id');
      assert.equal(plan.strategy, 'integer');
      assert.equal(plan.windows, 10);
      assert.deepEqual(plan.execution_plan.map((w) => w.record_count), Array(10).fill(100));
      assert.equal(plan.execution_plan[0].start_offset, 1);
      assert.equal(plan.execution_plan[9].end_offset, 1001);
      assert.equal(plan.parallel_windows, 3);
      assert.ok(plan.probe && plan.probe.rows > 0 && plan.probe.rows_per_second > 0, JSON.stringify(plan.probe));
      assert.ok(plan.estimated_duration_seconds > 0);
      assert.match(plan.plan_hash, /^[0-9a-f]{64}$/);
      await assertPartition(ex, plan);
      assert.equal((await planBackfill(ex, { table: 'uniform', windowSize: 100 })).plan_hash, plan.plan_hash, 'same plan, same hash');
      assert.notEqual((await planBackfill(ex, { table: 'uniform', windowSize: 200 })).plan_hash, plan.plan_hash);
    });

    test('keyset on a text column: every Nth value starts a window; NULL keys get their own window', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'uniform', column: 'name', by: 'key', windowSize: 128 });
      assert.equal(plan.strategy, 'keyset');
      const nonNull = plan.execution_plan.filter((w) => !w.include_nulls);
      assert.equal(nonNull[0].start_offset, 'k0001');
      assert.equal(nonNull[nonNull.length - 1].end_offset, null);
      for (const w of nonNull.slice(0, -1)) assert.equal(w.record_count, 128);
      const nulls = plan.execution_plan.filter((w) => w.include_nulls);
      assert.equal(nulls.length, 1);
      assert.equal(nulls[0].record_count, 20);
      await assertPartition(ex, plan);
    });

    test('day windows on a timestamp column start at midnight and merge sparse days', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'uniform', column: 'ts', by: 'day', windowSize: 100 });
      assert.equal(plan.strategy, 'day');
      assert.equal(plan.execution_plan[0].start_offset, '2024-01-01 00:00:00');
      for (const w of plan.execution_plan) assert.match(String(w.start_offset), /^\d{4}-\d{2}-\d{2} 00:00:00$/);
      // 27 rows a day: whole days are merged up to the target.
      assert.ok(plan.execution_plan.every((w) => w.record_count <= 100));
      assert.ok(plan.windows < 38, `${plan.windows} windows for 38 days`);
      await assertPartition(ex, plan);
      const hourly = await planBackfill(ex, { table: 'uniform', column: 'ts', by: 'hour', windowSize: 10 });
      assert.ok(hourly.execution_plan.every((w) => /:00:00$/.test(String(w.start_offset))));
      await assertPartition(ex, hourly);
    });

    test('adaptive split on skewed data: dense ranges are split toward the target, sparse ones merged', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'skewed', windowSize: 250 });
      assert.equal(plan.total_records, 3030);
      for (const w of plan.execution_plan) assert.ok(w.record_count <= 250 * SPLIT_FACTOR, `${w.window_id} has ${w.record_count}`);
      assert.ok(plan.windows >= 9 && plan.windows <= 30, `${plan.windows} windows`);
      await assertPartition(ex, plan);
      // 3000 rows inside one hour of one day: that day is cut below the day.
      const byDay = await planBackfill(ex, { table: 'skewed', column: 'ts', by: 'day', windowSize: 500 });
      for (const w of byDay.execution_plan) assert.ok(w.record_count <= 500 * SPLIT_FACTOR, `${w.window_id} has ${w.record_count}`);
      assert.ok(byDay.execution_plan.some((w) => /^2024-06-01 1\d:\d\d:\d\d/.test(String(w.start_offset))), 'a window starts inside 2024-06-01');
      await assertPartition(ex, byDay);
    });

    test('keys beyond 2^53 stay exact', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'big_keys', windowSize: 50 });
      assert.equal(typeof plan.execution_plan[0].start_offset, 'bigint');
      assert.equal(plan.execution_plan[0].start_offset, 9007199254741000n);
      assert.equal(plan.execution_plan[plan.windows - 1].end_offset, 9007199254741000n + 299n * 3n + 1n);
      await assertPartition(ex, plan);
    });

    test('one key repeated beyond the target stays one window (it cannot be split)', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'dups', column: 'k', windowSize: 100 });
      assert.ok(plan.execution_plan.some((w) => w.record_count >= 500));
      await assertPartition(ex, plan);
      const keyset = await planBackfill(ex, { table: 'dups', column: 'k', by: 'key', windowSize: 100 });
      await assertPartition(ex, { ...keyset, strategy: 'keyset' });
    });

    test('without a primary key the default column is a timestamp column', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'no_pk', windowSize: 10 });
      assert.equal(plan.column, 'created');
      assert.equal(plan.strategy, 'day');
      await assertPartition(ex, plan);
      await rejectsWithCode(planBackfill(ex, { table: 'no_key' }), 'INVALID_ARGUMENT');
    });

    test('an empty table plans no windows', async (t) => {
      if (skip(t)) return;
      const plan = await planBackfill(ex, { table: 'empty' });
      assert.equal(plan.total_records, 0);
      assert.equal(plan.windows, 0);
      assert.deepEqual(plan.execution_plan, []);
      assert.equal(plan.estimated_duration_seconds, 0);
    });

    test('bad input: unknown column, unknown table, time windows over a non-time column, bad sizes', async (t) => {
      if (skip(t)) return;
      await rejectsWithCode(planBackfill(ex, { table: 'uniform', column: 'nope' }), 'NOT_FOUND');
      await rejectsWithCode(planBackfill(ex, { table: 'no_such_table' }), 'TABLE_NOT_FOUND');
      await rejectsWithCode(planBackfill(ex, { table: 'uniform', column: 'id', by: 'day' }), 'INVALID_ARGUMENT');
      await rejectsWithCode(planBackfill(ex, { table: 'uniform', windowSize: 0 }), 'INVALID_ARGUMENT');
      await rejectsWithCode(planBackfill(ex, { table: 'uniform', parallel: 1.5 }), 'INVALID_ARGUMENT');
    });
  });
}

test('defaults relative to the cores: windows at once from 2 to 4, DuckDB threads shared among them', () => {
  assert.equal(defaultParallel(1), 2);
  assert.equal(defaultParallel(2), 2);
  assert.equal(defaultParallel(3), 3);
  assert.equal(defaultParallel(16), 4);
  assert.equal(threadsPerWorker(2, 2), 1);
  assert.equal(threadsPerWorker(4, 2), 1);
  assert.equal(threadsPerWorker(4, 16), 4);
  assert.equal(threadsPerWorker(3, 8), 2);
});
