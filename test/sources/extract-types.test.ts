/**
 * Dialect-specific extraction: types beyond the shared suite (PostgreSQL timestamptz, bytea, unconstrained and
 * wide numerics, uuid; MariaDB TIMESTAMP, BLOB, BIGINT UNSIGNED, BIT(1)), and how failures are classified:
 * refused connections and a server-terminated COPY are SOURCE_UNAVAILABLE and retryable, bad input is not.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import pg from 'pg';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { isFloeError, type FloeError } from '../../src/errors.js';
import { openExtractor, type Extractor } from '../../src/sources/extract.js';
import { PG_URI } from '../helpers/postgres.js';
import { createMysql, createPostgres, type TestDatabase } from '../helpers/source-databases.js';

function skipLoudly(t: TestContext, why: string): void {
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
}

async function failure(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

describe('PostgreSQL extraction types and failures', () => {
  let db: TestDatabase | string;
  let ex: Extractor;
  let engine: Engine;
  before(async () => {
    db = await createPostgres();
    if (typeof db === 'string') return;
    await db.exec(`CREATE TABLE pg_types (id int PRIMARY KEY, at timestamptz, raw bytea, big numeric, wide numeric(40,2), u uuid, r real, t time);
INSERT INTO pg_types VALUES
 (1, '2024-05-06 07:08:09.123456+02', '\\x00ff10', 123456789012345678901234567890.123456789, 12345678901234567890123456789012345678.99, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1.1, '23:59:59.5'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE pg_big AS SELECT i AS id, repeat('x', 50) AS pad FROM generate_series(1, 20000) i`);
    ex = await openExtractor(db.url);
    engine = await Engine.create();
  });
  after(async () => {
    await ex?.close();
    engine?.close();
    if (typeof db !== 'string') await db?.drop();
  });

  test('timestamptz, bytea, numerics and uuid keep their values', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const cols = await ex.columns('pg_types');
    assert.deepEqual(cols.map((c) => c.type), ['INTEGER', 'TIMESTAMPTZ', 'BLOB', 'VARCHAR', 'VARCHAR', 'UUID', 'FLOAT', 'TIME']);
    assert.equal((await ex.extractInto(engine, { table: 'pg_types' }, 'pg_types_x')).rows, 2n);
    const r = await (await engine.run(
      `SELECT epoch_us("at")::VARCHAR AS "at", hex(raw) AS raw, big, wide, u::VARCHAR AS u, r::VARCHAR AS r, t::VARCHAR AS t FROM pg_types_x ORDER BY id`,
    )).getRowObjectsJson();
    assert.deepEqual(r[0], {
      at: String(Date.UTC(2024, 4, 6, 5, 8, 9) * 1000 + 123456),
      raw: '00FF10',
      big: '123456789012345678901234567890.123456789',
      wide: '12345678901234567890123456789012345678.99',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      r: '1.1',
      t: '23:59:59.5',
    });
    assert.deepEqual(r[1], { at: null, raw: null, big: null, wide: null, u: null, r: null, t: null });
  });

  test('a window larger than one chunk file is cut at row boundaries only (quotes, newlines, commas inside values)', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    await db.exec(`CREATE TABLE pg_chunks AS SELECT i AS id,
      repeat('a"b,' || E'\\n' || 'c', 60 + i % 50) || i::text || CASE WHEN i % 3 = 0 THEN '"' ELSE '' END AS v
      FROM generate_series(1, 70000) i`);
    const { rows } = await ex.extractInto(engine, { table: 'pg_chunks' }, 'pg_chunks_x');
    assert.equal(rows, 70_000n);
    const c = new pg.Client({ connectionString: PG_URI });
    await c.connect();
    const schema = new URL(db.url).searchParams.get('schema') as string;
    const want = (await c.query(`SELECT md5(string_agg(v, '|' ORDER BY id)) AS h, sum(length(v))::text AS n FROM "${schema}".pg_chunks`)).rows[0];
    await c.end();
    assert.ok(Number(want.n) > 20 << 20, 'more than one 16 MiB chunk');
    const got = (await (await engine.run(`SELECT md5(string_agg(v, '|' ORDER BY id)) AS h, sum(length(v))::VARCHAR AS n FROM pg_chunks_x`)).getRowObjectsJson())[0];
    assert.deepEqual(got, { h: want.h, n: want.n });
  });

  test('a refused connection is SOURCE_UNAVAILABLE and retryable', async () => {
    const err = await failure(openExtractor('postgresql://postgres@127.0.0.1:1/test'));
    assert.equal(err.code, 'SOURCE_UNAVAILABLE');
    assert.equal(err.retryable, true);
  });

  test('a COPY terminated by the server is SOURCE_UNAVAILABLE and retryable; the extractor still works after', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    const schema = new URL(db.url).searchParams.get('schema') as string;
    // A lock held by another session makes the COPY wait, so it is surely running when it is terminated.
    const locker = new pg.Client({ connectionString: PG_URI });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".pg_big IN ACCESS EXCLUSIVE MODE`);
      // Its failure is taken at once: the rejection can arrive while the loop below still awaits the locker, and a
      // rejection with no handler yet would fail the test as unhandled.
      const running = failure(ex.extractInto(engine, { table: 'pg_big', range: { column: 'id', start: 1, end: 10_001 } }, 'pg_big_x'));
      let killed = 0;
      for (let i = 0; i < 50 && killed === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await locker.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%pg_big%' AND pid <> pg_backend_pid()`,
        );
        killed = res.rowCount ?? 0;
      }
      assert.ok(killed > 0, 'the COPY was seen running');
      const err = await running;
      assert.equal(err.code, 'SOURCE_UNAVAILABLE', err.message);
      assert.equal(err.retryable, true);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
    }
    const again = await ex.extractInto(engine, { table: 'pg_big', range: { column: 'id', start: 1, end: 10_001 } }, 'pg_big_y');
    assert.equal(again.rows, 10_000n);
  });

  test('bad input is not retryable: unknown table, unknown column, a bound of the wrong type', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `PostgreSQL not available: ${db}`);
    assert.equal((await failure(ex.count({ table: 'no_such' }))).code, 'TABLE_NOT_FOUND');
    assert.equal((await failure(ex.count({ table: 'pg_big', range: { column: 'nope', start: 1, end: 2 } }))).code, 'NOT_FOUND');
    const err = await failure(ex.extractInto(engine, { table: 'pg_big', range: { column: 'id', start: 'abc', end: null } }, 'pg_bad'));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.equal(err.retryable, false);
  });
});

describe('MariaDB extraction types and failures', () => {
  let db: TestDatabase | string;
  let ex: Extractor;
  let engine: Engine;
  before(async () => {
    db = await createMysql();
    if (typeof db === 'string') return;
    await db.exec(`SET time_zone = '+00:00';
CREATE TABLE my_types (id int PRIMARY KEY, at timestamp(6) NULL, raw blob, big bigint unsigned, b bit(1), f float, e enum('x','y')) CHARACTER SET utf8mb4;
INSERT INTO my_types VALUES (1, '2024-05-06 07:08:09.123456', X'00FF10', 18446744073709551615, b'1', 1.1, 'y'), (2, NULL, NULL, NULL, NULL, NULL, NULL)`);
    ex = await openExtractor(db.url);
    engine = await Engine.create();
  });
  after(async () => {
    await ex?.close();
    engine?.close();
    if (typeof db !== 'string') await db?.drop();
  });

  test('TIMESTAMP is an instant in UTC; BLOB, BIGINT UNSIGNED, BIT(1) and FLOAT keep their values', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `MariaDB not available: ${db}`);
    assert.deepEqual((await ex.columns('my_types')).map((c) => c.type), ['INTEGER', 'TIMESTAMPTZ', 'BLOB', 'DECIMAL(20,0)', 'BOOLEAN', 'FLOAT', 'VARCHAR']);
    await ex.extractInto(engine, { table: 'my_types' }, 'my_types_x');
    const r = await (await engine.run(
      `SELECT epoch_us("at")::VARCHAR AS "at", hex(raw) AS raw, big::VARCHAR AS big, b, f::VARCHAR AS f, e FROM my_types_x ORDER BY id`,
    )).getRowObjectsJson();
    // Written in a UTC session: the wall time is the UTC instant.
    assert.deepEqual(r[0], { at: String(Date.UTC(2024, 4, 6, 7, 8, 9) * 1000 + 123456), raw: '00FF10', big: '18446744073709551615', b: true, f: '1.1', e: 'y' });
    assert.deepEqual(r[1], { at: null, raw: null, big: null, b: null, f: null, e: null });
  });

  test('a refused connection is SOURCE_UNAVAILABLE and retryable', async () => {
    const err = await failure(openExtractor('mysql://root@127.0.0.1:1/test'));
    assert.equal(err.code, 'SOURCE_UNAVAILABLE');
    assert.equal(err.retryable, true);
  });

  test('unknown table and column', async (t) => {
    if (typeof db === 'string') return skipLoudly(t, `MariaDB not available: ${db}`);
    assert.equal((await failure(ex.columns('no_such'))).code, 'TABLE_NOT_FOUND');
    assert.equal((await failure(ex.countByBoundaries('my_types', 'nope', [1, 2]))).code, 'NOT_FOUND');
  });
});
