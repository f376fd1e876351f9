/**
 * `floe backfill plan`: the whole plan as JSON (the public field names) or text, for a database and for a file
 * source (whose table defaults to the file), and bad input as the matching exit status.
 */
import { after, before, describe, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { createSqlite, type TestDatabase } from '../helpers/source-databases.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

describe('floe backfill plan', () => {
  let db: TestDatabase;
  let parquet: string;
  before(async () => {
    db = await createSqlite();
    const rows = Array.from({ length: 250 }, (_, i) => `(${i + 1}, 'n${i}', '2024-01-0${1 + (i % 5)} 10:00:00')`).join(', ');
    await db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT, at TIMESTAMP); INSERT INTO events VALUES ${rows};`);
    parquet = join(db.url.replace(/^sqlite:/, '').replace(/test\.db$/, ''), 'events.parquet');
    const engine = await Engine.create();
    try {
      await engine.run(`COPY (SELECT range::BIGINT AS id, range % 7 AS k FROM range(1, 301)) TO '${parquet}' (FORMAT PARQUET)`);
    } finally {
      engine.close();
    }
  });
  after(async () => db?.drop());

  test('--json prints the whole plan with the public field names', async () => {
    const r = await run(['backfill', 'plan', '--source', db.url, '--table', 'events', '--window-size', '100', '--parallel', '2', '--json']);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out);
    for (const k of ['plan_hash', 'total_records', 'windows', 'parallel_windows', 'estimated_duration_seconds', 'execution_plan']) assert.ok(k in plan, k);
    assert.equal(plan.total_records, 250);
    assert.equal(plan.windows, 3);
    assert.equal(plan.parallel_windows, 2);
    assert.deepEqual(Object.keys(plan.execution_plan[0]), ['window_id', 'start_offset', 'end_offset', 'record_count']);
    assert.deepEqual(plan.execution_plan.map((w: { record_count: number }) => w.record_count), [83, 83, 84]);
  });

  test('text output lists every window; --by day over a timestamp column', async () => {
    const r = await run(['backfill', 'plan', '--source', db.url, '--table', 'events', '--column', 'at', '--by', 'day', '--window-size', '10']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /strategy day/);
    assert.match(r.out, /total_records 250 +windows 5/);
    assert.match(r.out, /w00001 +\[2024-01-01 00:00:00, 2024-01-02 00:00:00\) +50 records/);
  });

  test('a Parquet file needs no --table', async () => {
    const r = await run(['backfill', 'plan', '--source', parquet, '--window-size', '100', '--json']);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out);
    assert.equal(plan.table, 'events.parquet');
    assert.equal(plan.total_records, 300);
    assert.equal(plan.column, 'id', 'no key and no timestamp: the first integer column');
  });

  test('bad input exits with the code of its error', async () => {
    assert.equal((await run(['backfill', 'plan', '--source', db.url, '--table', 'events', '--column', 'nope'])).code, exitCodeFor('NOT_FOUND'));
    assert.equal((await run(['backfill', 'plan', '--source', db.url, '--table', 'events', '--by', 'week'])).code, exitCodeFor('INVALID_ARGUMENT'));
    assert.equal((await run(['backfill', 'plan', '--source', db.url, '--table', 'events', '--window-size', '0'])).code, exitCodeFor('INVALID_ARGUMENT'));
    assert.equal((await run(['backfill', 'plan', '--source', db.url])).code, exitCodeFor('INVALID_ARGUMENT'));
  });
});
