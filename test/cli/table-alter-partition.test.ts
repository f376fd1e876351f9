/**
 * `floe table alter` partition and sort order subcommands on the quickstart table (spec: "Partition Evolution",
 * "Sorting"), and their usage errors.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { layoutChange } from '../../src/cli/commands/table-alter.js';
import { isFloeError } from '../../src/errors.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('floe table alter: add-partition, rename-partition, drop-partition, sort-by', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-alter-part-cli-')));
  assert.equal((await run('quickstart', '--rows', '10')).code, 0);
  const add = await run('table', 'alter', 'demo.events', 'add-partition', 'bucket(4, user_id)');
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /partition spec 1 \(occurred_at_day=day, user_id_bucket=bucket\[4\]\)\n$/);
  const rn = await run('table', 'alter', 'demo.events', 'rename-partition', 'user_id_bucket', 'ub');
  assert.equal(rn.code, 0, rn.err);
  assert.match(rn.out, /ub=bucket\[4\]/);
  const drop = await run('table', 'alter', 'demo.events', 'drop-partition', 'occurred_at');
  assert.equal(drop.code, 0, drop.err);
  assert.match(drop.out, /partition spec 3 \(ub=bucket\[4\]\)\n$/);
  const bad = await run('table', 'alter', 'demo.events', 'add-partition', 'day(kind)');
  assert.equal(bad.code, exitCodeFor('INVALID_ARGUMENT'));
  const sort = await run('table', 'alter', 'demo.events', 'sort-by', 'user_id desc nulls first, event_id');
  assert.equal(sort.code, 0, sort.err);
  assert.match(sort.out, /sort order 1 \(identity\(\d+\) desc nulls-first, identity\(\d+\) asc nulls-first\)\n$/);
  const count = await run('sql', 'SELECT count(*) AS n FROM demo.events', '--format', 'tsv');
  assert.match(count.out, /^n\n\d+\n$/, count.err);
});

test('floe table alter: partition usage errors', () => {
  for (const args of [['add-partition'], ['drop-partition', 'a', 'b'], ['rename-partition', 'a'], ['sort-by'], ['add-partition', 'f(']]) {
    assert.throws(() => layoutChange(args), (e) => isFloeError(e, 'INVALID_ARGUMENT'), JSON.stringify(args));
  }
  assert.equal(layoutChange(['add-column', 'x', 'int']), undefined);
});

test('floe table alter drop-column: a source of the current spec never, of an older spec with --allow-partition-source', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-alter-dropsrc-cli-')));
  assert.equal((await run('quickstart', '--rows', '100')).code, 0);
  const n = async () => Number((await run('sql', 'SELECT count(*) FROM demo.events', '--format', 'tsv')).out.split('\n')[1]);
  const rows = await n();
  const current = await run('table', 'alter', 'demo.events', 'drop-column', 'occurred_at', '--allow-partition-source');
  assert.equal(current.code, exitCodeFor('INVALID_ARGUMENT'), 'the table is still partitioned by it');
  assert.equal((await run('table', 'alter', 'demo.events', 'add-partition', 'kind')).code, 0);
  assert.equal((await run('table', 'alter', 'demo.events', 'drop-partition', 'occurred_at_day')).code, 0);
  const refused = await run('table', 'alter', 'demo.events', 'drop-column', 'occurred_at');
  assert.equal(refused.code, exitCodeFor('INVALID_ARGUMENT'), 'an older spec uses it: only when asked');
  const misplaced = await run('table', 'alter', 'demo.events', 'rename-column', 'kind', 'k', '--allow-partition-source');
  assert.equal(misplaced.code, exitCodeFor('INVALID_ARGUMENT'));
  const dropped = await run('table', 'alter', 'demo.events', 'drop-column', 'occurred_at', '--allow-partition-source');
  assert.equal(dropped.code, 0, dropped.err);
  assert.doesNotMatch(dropped.out, /occurred_at/);
  assert.equal(await n(), rows, 'old files still read');
  // Writes after the drop: an append, a delete and an upsert rewrite manifests of the old spec, whose partition
  // tuples keep the dropped column's type.
  const copy = await run(
    'sql',
    "COPY (SELECT * REPLACE (999999 + row_number() OVER (ORDER BY event_id) AS event_id) FROM demo.events ORDER BY event_id LIMIT 5) TO 'new.parquet'",
  );
  assert.equal(copy.code, 0, copy.err);
  const append = await run('write', 'demo.events', '--from', 'new.parquet');
  assert.equal(append.code, 0, append.err);
  assert.equal(await n(), rows + 5);
  const del = await run('delete', 'demo.events', '--where', 'event_id < 10', '--json');
  assert.equal(del.code, 0, del.err);
  const deleted = (JSON.parse(del.out) as { rows_deleted: number }).rows_deleted;
  assert.ok(deleted > 0);
  assert.equal(await n(), rows + 5 - deleted);
  const mor = await run('delete', 'demo.events', '--where', 'event_id >= 1000003', '--mode', 'merge-on-read');
  assert.equal(mor.code, 0, mor.err);
  assert.equal(await n(), rows + 3 - deleted);
  const check = await run('sql', "SELECT count(*) FROM iceberg_scan('demo.events') WHERE event_id >= 1000000", '--format', 'tsv');
  assert.equal(check.out, 'count_star()\n3\n');
});
