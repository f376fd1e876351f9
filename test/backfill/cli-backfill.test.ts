/**
 * `floe backfill` and `floe demo` through the CLI entry point, on the SQLite sample trading database: the combined
 * command prints plan, validation, execution and manifest as JSON, progress events go to stderr one JSON object per
 * line, the same command again skips every window, status/cancel/resume answer, and the demo runs end to end.
 */
import { after, before, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { createTradingDatabase } from '../../src/demo/trading-database.js';
import { progressLine } from '../../src/backfill/progress.js';

let dir: string;
let configPath: string;
let dbUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-bf-cli-'));
  configPath = join(dir, 'floe.yaml');
  await writeFile(configPath, `catalogs:\n  local:\n    type: sql\n    uri: sqlite:${join(dir, 'catalog.db')}\n    warehouse: ${join(dir, 'wh')}\n`);
  dbUrl = (await createTradingDatabase(join(dir, 'trading.db'), { rows: 5000 })).url;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

test('floe backfill --json: plan, validation, execution and manifest; JSON progress events; a re-run skips every window', async () => {
  const args = ['backfill', '--source', dbUrl, '--table', 'positions', '--target', 'cli.positions', '--window-size', '200', '--parallel', '2', '--validate-sample', '50', '--json', '--config', configPath];
  // positions has a planted negative avg_cost: its CHECK-derived rule fails the sample unless rules are given.
  const rules = join(dir, 'rules.yaml');
  await writeFile(rules, `rules:\n  - {name: avg_cost_ok, type: range, column: avg_cost, min: 0, error_if: {percent: 5}}\n`);
  const r = await cli([...args, '--rules', rules]);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.ok(res.plan.windows >= 2);
  assert.equal(res.validation.sample_size, 50);
  assert.equal(res.execution.status, 'completed');
  assert.equal(res.execution.rows_written + res.execution.rows_quarantined, res.plan.total_records);
  assert.equal(res.execution.rows_quarantined, 1);
  assert.match(res.manifest.location, /_floe\/manifests\/.+\.json$/);
  const manifest = JSON.parse(await readFile(res.manifest.location, 'utf8'));
  assert.equal(manifest.run_id, res.execution.run_id);
  const events = r.err.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events[0].type, 'run.start');
  assert.ok(events.some((e) => e.type === 'progress' && e.windows_done === res.plan.windows));
  assert.equal(events.at(-1).type, 'run.end');

  const again = await cli([...args, '--rules', rules]);
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.parse(again.out).execution.skipped, res.plan.windows);

  const status = await cli(['backfill', 'status', res.execution.run_id, '--json', '--config', configPath]);
  assert.equal(status.code, 0);
  assert.equal(JSON.parse(status.out).by_status.committed, res.plan.windows);
  const list = await cli(['backfill', 'status', '--config', configPath]);
  assert.match(list.out, new RegExp(res.execution.run_id));
  const cancel = await cli(['backfill', 'cancel', res.execution.run_id, '--config', configPath]);
  assert.equal(cancel.code, 0);
  const resume = await cli(['backfill', 'resume', res.execution.run_id, '--json', '--config', configPath]);
  assert.equal(resume.code, 0, resume.err);
  assert.equal(JSON.parse(resume.out).status, 'completed', 'resume clears the cancel request');
});

test('floe backfill: a sample failing its rules stops before anything is written (exit 11)', async () => {
  const r = await cli(['backfill', '--source', dbUrl, '--table', 'positions', '--target', 'cli.strict', '--validate-sample', '5000', '--config', configPath]);
  assert.equal(r.code, 11, r.err);
  assert.match(r.err, /VALIDATION_FAILED/);
  const st = await cli(['sql', `SELECT count(*) FROM cli.strict`, '--config', configPath]);
  assert.notEqual(st.code, 0, 'the target was not created');
});

test('floe backfill: bad options are exit 2; unknown run is exit 3', async () => {
  assert.equal((await cli(['backfill', '--source', dbUrl, '--table', 'trades', '--config', configPath])).code, 2);
  assert.equal((await cli(['backfill', '--source', dbUrl, '--table', 'trades', '--target', 'a.b', '--parallel', 'x', '--config', configPath])).code, 2);
  assert.equal((await cli(['backfill', 'status', 'bf-nope', '--config', configPath])).code, 3);
});

test('floe backfill into a DuckDB file', async () => {
  const path = join(dir, 'out.duckdb');
  const r = await cli(['backfill', 'run', '--source', dbUrl, '--table', 'instruments', '--target', `duckdb:${path}#instruments`, '--window-size', '10', '--json', '--config', configPath]);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.status, 'completed');
  assert.equal(res.rows_written, 24 + 0);
});

test('progress bar text', () => {
  const line = progressLine({ type: 'progress', run_id: 'r', rows_done: 500_000, rows_total: 1_000_000, windows_done: 5, windows_total: 10, rows_per_second: 100_000, eta_seconds: 5 }, 10);
  assert.equal(line, '[#####-----]  50% 500k/1.0M rows  5/10 windows  100k rows/s  ETA 5s');
});

test('floe demo runs end to end on its own defaults', async () => {
  const r = await cli(['demo', '--rows', '2000', '--dir', join(dir, 'demo'), '--config', configPath]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /rows_one_version_back/);
  assert.match(r.out, /manifest +\S+_floe\/manifests\/bf-[0-9a-f]+-\S+\.json/);
  // The three planted bad trades: a negative quantity, a missing ticker, and an unknown instrument, whose foreign
  // key is checked against the instruments' keys extracted from the source.
  assert.match(r.out, /3 quarantined/);
  assert.match(r.out, /trades_instrument_id_fkey/);
});
