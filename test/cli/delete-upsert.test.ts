/**
 * `floe delete` and `floe write --mode upsert --key` on the embedded default catalog in a fresh working directory.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('floe write --mode upsert --key, floe delete --where', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-delete-cli-')));
  const w = await run('write', 'db.t', '--from', "SELECT range AS id, 'a' AS s FROM range(10)");
  assert.equal(w.code, 0, w.err);
  const u = await run('write', 'db.t', '--from', "SELECT range AS id, 'b' AS s FROM range(8, 12)", '--mode', 'upsert', '--key', 'id', '--json');
  assert.equal(u.code, 0, u.err);
  const ur = JSON.parse(u.out);
  assert.equal(ur.rows_updated, 2);
  assert.equal(ur.rows_inserted, 2);
  const d = await run('delete', 'db.t', '--where', 'id < 3 OR s = \'b\' AND id = 11', '--mode', 'merge-on-read', '--json');
  assert.equal(d.code, 0, d.err);
  const dr = JSON.parse(d.out);
  assert.equal(dr.rows_deleted, 4);
  assert.ok(dr.delete_files_written >= 1);
  assert.match(dr.snapshot_id, /^\d+$/);
  const q = await run('sql', "SELECT count(*) AS n, count(*) FILTER (WHERE s = 'b') AS b FROM db.t", '--format', 'tsv');
  assert.equal(q.out, 'n\tb\n8\t3\n', q.err);
  const text = await run('delete', 'db.t', '--where', 'id > 100');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /nothing deleted/);
  assert.equal((await run('delete', 'db.t', '--where', 'nope = 1')).code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal((await run('delete', 'db.t')).code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal((await run('write', 'db.t', '--from', 'SELECT 1 AS id', '--mode', 'upsert')).code, exitCodeFor('INVALID_ARGUMENT'));
});
