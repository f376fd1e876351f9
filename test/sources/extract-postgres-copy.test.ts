/**
 * The PostgreSQL COPY path the backfill's speed rests on: `copyOut` read straight off the socket (rows bigger than
 * its buffers, the server's own row count, a failing statement and a failing sink), the source count that comes with
 * an extraction, dates and timestamps in their binary form (BC, infinities), bucket counts by cumulative FILTERs
 * agreeing with the GROUP BY path, and planning from estimated statistics still giving exact window counts.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import pg from 'pg';
import { planBackfill } from '../../src/backfill/plan.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { isFloeError } from '../../src/errors.js';
import { openExtractor, type Extractor } from '../../src/sources/extract.js';
import { copyOut } from '../../src/sources/postgres/postgres-copy-extract.js';
import { PG_URI } from '../helpers/postgres.js';
import { createPostgres, type TestDatabase } from '../helpers/source-databases.js';

function skipLoudly(t: TestContext, why: string): void {
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
}

describe('PostgreSQL COPY extraction', () => {
  let db: TestDatabase | string;
  let ex: Extractor;
  let engine: Engine;
  let schema = '';
  before(async () => {
    db = await createPostgres();
    if (typeof db === 'string') return;
    schema = new URL(db.url).searchParams.get('schema') as string;
    // Rows of 3 MiB (above copyOut's 1 MiB buffers) between ordinary ones; a table with gaps in its keys.
    await db.exec(`CREATE TABLE wide (id int PRIMARY KEY, body text);
INSERT INTO wide SELECT i, CASE WHEN i % 97 = 0 THEN repeat(md5(i::text), 98304) ELSE 'row ' || i || E' "q",\\n' END FROM generate_series(1, 3000) i;
CREATE TABLE gaps (id bigint PRIMARY KEY, v int NOT NULL, maybe int);
INSERT INTO gaps SELECT i * 7, i % 13, CASE WHEN i % 5 = 0 THEN NULL ELSE i END FROM generate_series(1, 20000) i;
ANALYZE gaps;
CREATE TABLE times (id int PRIMARY KEY, tz timestamptz, ts timestamp, d date);
INSERT INTO times VALUES (1, '-infinity', '-infinity', '-infinity'), (2, 'infinity', 'infinity', 'infinity'),
 (3, '1969-12-31 23:59:59.999999+00', '1969-12-31 23:59:59.999999', '1969-12-31'),
 (4, '0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00 BC', '0044-03-15 BC'), (5, '1999-12-31 23:59:59.999999+00', '2000-01-01 00:00:00', '1999-12-31'),
 (6, '2000-01-01 00:00:00.000001+00', '1999-12-31 23:59:59.999999', '2000-01-01'), (7, NULL, NULL, NULL),
 (8, '2262-04-11 23:47:16.854775+05:30', '9999-12-31 23:59:59.999999', '9999-12-31'),
 (9, '2024-05-06 07:08:09.123456+02', '2024-05-06 07:08:09.123456', '2024-02-29')`);
    ex = await openExtractor(db.url);
    engine = await Engine.create();
  });
  after(async () => {
    await ex?.close();
    engine?.close();
    if (typeof db !== 'string') await db?.drop();
  });

  test('copyOut hands over whole rows (rows larger than its buffers too) and the server count', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const client = new pg.Client(PG_URI);
    await client.connect();
    try {
      const parts: Buffer[] = [];
      let rowsSeen = 0;
      const res = await copyOut(client, `COPY (SELECT id, body FROM "${schema}".wide ORDER BY id) TO STDOUT`, (data, rows) => {
        // Text format: every row ends with a newline, and a buffer holds whole rows only.
        assert.equal(data[data.length - 1], 10);
        rowsSeen += rows;
        parts.push(Buffer.from(data));
      });
      assert.equal(res.serverRows, 3000n);
      assert.equal(res.rows, 3000n);
      assert.equal(rowsSeen, 3000);
      const all = Buffer.concat(parts);
      assert.equal(BigInt(all.length), res.bytes);
      const [md5] = (await client.query(`SELECT md5(string_agg(id || E'\\t' || replace(replace(body, '\\', '\\\\'), E'\\n', '\\n'), E'\\n' ORDER BY id) || E'\\n') AS m FROM "${schema}".wide`)).rows;
      const { createHash } = await import('node:crypto');
      assert.equal(createHash('md5').update(all).digest('hex'), md5.m);
      // The connection is usable again after the COPY.
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await client.end();
    }
  });

  test('copyOut rejects a failing statement and a failing sink', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const client = new pg.Client(PG_URI);
    await client.connect();
    try {
      await assert.rejects(copyOut(client, `COPY (SELECT * FROM "${schema}".no_such_table) TO STDOUT`, () => undefined), (err: { code?: string }) => err.code === '42P01');
      // An error response leaves the connection in a usable state.
      assert.equal((await client.query('SELECT 2 AS two')).rows[0].two, 2);
      await assert.rejects(
        copyOut(client, `COPY (SELECT id, body FROM "${schema}".wide) TO STDOUT`, () => Promise.reject(new Error('disk full'))),
        /disk full/,
      );
    } finally {
      // Mid-protocol after the sink failed: not reusable.
      client.end().catch(() => undefined);
    }
  });

  test('an extraction reports the source count with the rows; the window equals the source', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    assert.equal(ex.countsExtraction, true);
    const got = await ex.extractInto(engine, { table: 'wide', range: { column: 'id', start: 50, end: 2500 } }, 'w1');
    assert.equal(got.rows, 2450n);
    assert.equal(got.sourceCount, 2450n);
    const [[n, bytes]] = (await (await engine.run('SELECT count(*), sum(strlen(body)) FROM w1')).getRowsJS()) as Array<[bigint, bigint]>;
    const client = new pg.Client(PG_URI);
    await client.connect();
    try {
      const r = (await client.query(`SELECT count(*)::int AS n, sum(octet_length(body))::bigint AS b FROM "${schema}".wide WHERE id >= 50 AND id < 2500`)).rows[0];
      assert.equal(Number(n), r.n);
      assert.equal(BigInt(bytes), BigInt(r.b));
    } finally {
      await client.end();
    }
  });

  test('dates and timestamps move in their binary form: infinities, BC, around both epochs and NULL keep their values', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    await ex.extractInto(engine, { table: 'times' }, 'times');
    const got = (await (await engine.run(
      `SELECT id, CASE WHEN isinf(tz) THEN (CASE WHEN tz > '2000-01-01'::TIMESTAMPTZ THEN 'inf' ELSE '-inf' END) ELSE epoch_us(tz)::VARCHAR END,
              CASE WHEN isinf(ts) THEN (CASE WHEN ts > '2000-01-01'::TIMESTAMP THEN 'inf' ELSE '-inf' END) ELSE epoch_us(ts)::VARCHAR END,
              CASE WHEN isinf(d) THEN (CASE WHEN d > '2000-01-01'::DATE THEN 'inf' ELSE '-inf' END) ELSE (d - DATE '2000-01-01')::VARCHAR END,
              typeof(tz), typeof(ts), typeof(d) FROM times ORDER BY id`,
    )).getRowsJS()) as Array<[number, string | null, string | null, string | null, string, string, string]>;
    const client = new pg.Client(PG_URI);
    await client.connect();
    try {
      const us = (c: string) => `CASE WHEN ${c} IS NULL THEN NULL WHEN NOT isfinite(${c}) THEN (CASE WHEN ${c} > '2000-01-01' THEN 'inf' ELSE '-inf' END) ELSE (extract(epoch FROM ${c}) * 1000000)::bigint::text END`;
      const days = `CASE WHEN d IS NULL THEN NULL WHEN NOT isfinite(d) THEN (CASE WHEN d > '2000-01-01' THEN 'inf' ELSE '-inf' END) ELSE (d - date '2000-01-01')::text END`;
      const want = (await client.query(`SELECT id, ${us('tz')} AS tz, ${us('ts')} AS ts, ${days} AS d FROM "${schema}".times ORDER BY id`)).rows;
      assert.deepEqual(got.map((r) => [Number(r[0]), r[1], r[2], r[3]]), want.map((r) => [r.id, r.tz, r.ts, r.d]));
      assert.ok(got.every((r) => r[4] === 'TIMESTAMP WITH TIME ZONE' && r[5] === 'TIMESTAMP' && r[6] === 'DATE'));
    } finally {
      await client.end();
    }
  });

  test('bucket counts: cumulative FILTERs (few buckets) and GROUP BY (many) agree with per-range COUNTs', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const few = [null, 7, 1000, 50_001, 50_002, 139_993, null];
    const many = [0, ...Array.from({ length: 40 }, (_, i) => 3500 * (i + 1) + (i % 7)), 140_007];
    for (const b of [few, many]) {
      const counts = await ex.countByBoundaries('gaps', 'id', b);
      assert.equal(counts.length, b.length - 1);
      for (let i = 0; i < counts.length; i++) {
        assert.equal(counts[i], await ex.count({ table: 'gaps', range: { column: 'id', start: b[i], end: b[i + 1] } }), `bucket ${i} of ${b.length - 1}`);
      }
      assert.equal(counts.reduce((a, c) => a + c, 0n), b[0] === null ? 20000n : await ex.count({ table: 'gaps', range: { column: 'id', start: b[0], end: b[b.length - 1] } }));
    }
  });

  test('planning from an estimated row count: MIN/MAX from the index, window counts exact even when the estimate is stale', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const stats = await ex.planningStats!('gaps', 'id');
    assert.ok(stats, 'an analyzed NOT NULL primary key has planning stats');
    assert.equal(stats.estimated, true);
    assert.equal(stats.min, 7);
    assert.equal(stats.max, 140_000);
    assert.equal(stats.nulls, 0n);
    // A nullable column, or one without an index, is counted exactly instead.
    assert.equal(await ex.planningStats!('gaps', 'maybe'), undefined);
    assert.equal(await ex.planningStats!('gaps', 'v'), undefined);
    // 5,000 rows more than ANALYZE saw: the estimate is stale, the plan's counts are not.
    await (db as TestDatabase).exec(`INSERT INTO gaps SELECT 200000 + i, 1, NULL FROM generate_series(1, 5000) i`);
    const plan = await planBackfill(ex, { table: 'gaps', windowSize: 4000 });
    assert.equal(plan.strategy, 'integer');
    assert.equal(plan.total_records, 25_000);
    for (const w of plan.execution_plan) {
      assert.equal(w.record_count, Number(await ex.count({ table: 'gaps', range: { column: 'id', start: w.start_offset, end: w.end_offset } })), w.window_id);
      assert.ok(w.record_count <= 4000 * 1.5, `${w.window_id} holds ${w.record_count} rows`);
    }
    assert.ok(plan.probe && plan.probe.rows > 0 && plan.probe.window_id === 'w00001', JSON.stringify(plan.probe));
    await assert.rejects(ex.planningStats!('no_such_table', 'id'), (err: unknown) => isFloeError(err, 'TABLE_NOT_FOUND'));
  });
});
