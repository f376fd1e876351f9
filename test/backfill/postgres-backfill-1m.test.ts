/**
 * The acceptance run of issue 6 (only with FLOE_LONG_TESTS=1; it takes about a minute): a 1M-row PostgreSQL table
 * backfilled with 4 parallel windows equals the source (count and checksum); then a run killed with SIGKILL mid-window
 * and another right after a commit, each resumed by the same request: still equal, no duplicates, and the manifest
 * tells what happened.
 */
import { after, before, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBackfill } from '../../src/backfill/run.js';
import { parseJson } from '../../src/util/json.js';
import { postgresUnavailable, skipWithoutPostgres } from '../helpers/postgres.js';
import { compareSourceAndTarget, createPgEvents, tempWarehouse, type PgEvents } from './backfill-fixtures.js';

const LONG = process.env.FLOE_LONG_TESTS === '1';
const ROWS = 1_000_000;
let problem: string | undefined;
let pg: PgEvents | undefined;

before(async () => {
  if (!LONG) return;
  problem = await postgresUnavailable();
  if (problem === undefined) pg = await createPgEvents(ROWS);
});
after(async () => {
  await pg?.drop();
});

function killedChild(request: Record<string, unknown>, crashAt: string): Promise<NodeJS.Signals | null> {
  const script = fileURLToPath(new URL('./backfill-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(request)], {
      env: { ...process.env, FLOE_BACKFILL_CRASH_AT: crashAt },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

test('1M rows from PostgreSQL, 4 parallel windows, killed twice and resumed: the target equals the source', async (t) => {
  if (!LONG) return t.skip('set FLOE_LONG_TESTS=1 to run the 1M-row acceptance backfill');
  if (problem !== undefined) return skipWithoutPostgres(t, problem);
  const wh = await tempWarehouse();
  try {
    const config_json = { catalog: 'sql', catalog_config: { uri: `sqlite:${join(wh.dir, 'catalog.db')}`, warehouse: wh.warehouse } };
    const base = { data_source: pg!.url, table: 'events', target_table: 'bf.events', window_size: 50_000, parallel: 4 };

    // Straight run into one table.
    const t0 = Date.now();
    const straight = await runBackfill({ ...base, target_table: 'bf.straight', window_size: 250_000, config: wh.config });
    console.log(`1M rows, 4 windows of 250k, 4 in parallel: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${straight.rows_per_second} rows/s`);
    assert.equal(straight.status, 'completed');
    assert.equal(straight.windows, 4);
    const c1 = await compareSourceAndTarget(pg!.url, 'events', wh.config, 'bf.straight');
    assert.equal(c1.target.rows, BigInt(ROWS));
    assert.equal(c1.distinctIds, BigInt(ROWS));
    assert.equal(c1.target.checksum, c1.source.checksum);

    // Killed mid-window, then right after a commit, then resumed by the same request.
    assert.equal(await killedChild({ ...base, config_json }, 'mid-window:3'), 'SIGKILL');
    assert.equal(await killedChild({ ...base, config_json }, 'after-commit:4'), 'SIGKILL');
    const res = await runBackfill({ ...base, config: wh.config });
    assert.equal(res.status, 'completed');
    assert.equal(res.processed, 20);
    const c2 = await compareSourceAndTarget(pg!.url, 'events', wh.config, 'bf.events');
    assert.equal(c2.target.rows, BigInt(ROWS));
    assert.equal(c2.distinctIds, BigInt(ROWS), 'no duplicates');
    assert.equal(c2.target.checksum, c2.source.checksum);
    const manifest = parseJson(await readFile(res.manifest.location, 'utf8')) as Record<string, any>;
    assert.equal(manifest.invocations.length, 3);
    assert.ok(manifest.invocations[2].recovered >= 1, 'the window committed just before the second kill was found, not reloaded');
    const committedPerInvocation = manifest.invocations.map((i: any) => i.committed);
    console.log(`invocations: ${JSON.stringify(manifest.invocations)}; committed per invocation ${committedPerInvocation}`);
    assert.equal(c2.snapshots.length, 20, 'one commit per window, none twice');
  } finally {
    await wh.drop();
  }
});
