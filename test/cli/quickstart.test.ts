/**
 * `floe quickstart` on the embedded defaults, in a fresh working directory: it creates the SQLite catalog and the
 * warehouse under ./.floe, writes and reads `demo.events`, and a second run appends to the same table.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('quickstart writes demo.events in ./.floe and the table is queryable by name afterwards', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-qs-'));
  process.chdir(dir);
  const first = await run('quickstart', '--rows', '3000');
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /wrote 3000 rows/);
  assert.ok(existsSync(join(dir, '.floe', 'catalog.db')));
  assert.ok(existsSync(join(dir, '.floe', 'warehouse')));
  const second = await run('quickstart', '--rows', '3000');
  assert.equal(second.code, 0, second.err);
  const count = await run('sql', 'SELECT count(*) FROM demo.events', '--format', 'tsv');
  assert.equal(count.out, 'count_star()\n6200\n');
  const snaps = await run('snapshots', 'demo.events', '--json');
  assert.equal(JSON.parse(snaps.out).length, 4);
  const inspect = await run('table', 'inspect', 'demo.events', '--json');
  assert.equal(JSON.parse(inspect.out).totals.records, 6200);
});
