/**
 * `floe delete` and `floe write --mode upsert --key` on the embedded default catalog in a fresh working directory.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

test('floe write --mode merge --merge: a spec file or inline YAML/JSON, --key as its on; bad specs refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-merge-cli-'));
  process.chdir(dir);
  assert.equal((await run('write', 'db.acc', '--from', 'SELECT range AS id, 100 AS balance FROM range(5)')).code, 0);
  writeFileSync(
    join(dir, 'merge.yaml'),
    ['on: [id]', 'when_matched:', '  - {condition: s.delta = 0, action: delete}', "  - {action: update, set: {balance: 't.balance + s.delta'}}", 'when_not_matched:', '  - {condition: s.delta > 0, action: insert}', ''].join('\n'),
  );
  const src = "SELECT * FROM (VALUES (0, 0), (1, 5), (7, 9), (8, -1)) AS v(id, delta)";
  const staged = `SELECT id, delta, delta AS balance FROM (${src})`;
  const m = await run('write', 'db.acc', '--from', staged, '--mode', 'merge', '--merge', 'merge.yaml', '--json');
  assert.equal(m.code, 0, m.err);
  const r = JSON.parse(m.out);
  assert.deepEqual([r.rows_deleted, r.rows_updated, r.rows_inserted], [1, 1, 1]);
  const q = await run('sql', 'SELECT id, balance FROM db.acc ORDER BY id', '--format', 'tsv');
  assert.equal(q.out, 'id\tbalance\n1\t105\n2\t100\n3\t100\n4\t100\n7\t9\n', q.err);
  // Inline JSON with --key as on.
  const inline = await run('write', 'db.acc', '--from', 'SELECT 2 AS id, 0 AS delta, 0 AS balance', '--mode', 'merge', '--key', 'id', '--merge', '{"when_matched": [{"action": "delete"}]}');
  assert.equal(inline.code, 0, inline.err);
  assert.equal((await run('sql', 'SELECT count(*) AS n FROM db.acc', '--format', 'tsv')).out, 'n\n4\n');
  const before = await run('snapshots', 'db.acc', '--json');
  for (const args of [
    ['--mode', 'merge'],
    ['--merge', 'merge.yaml'],
    ['--mode', 'merge', '--merge', '{"on": ["id"], "when_matched": [{"action": "explode"}]}'],
    ['--mode', 'merge', '--merge', '[1, 2]'],
    ['--mode', 'merge', '--merge', 'merge.yaml', '--key', 'id'],
  ]) {
    const bad = await run('write', 'db.acc', '--from', 'SELECT 1 AS id, 1 AS delta, 1 AS balance', ...args);
    assert.notEqual(bad.code, 0, args.join(' '));
    assert.match(bad.err, /^floe: (INVALID_ARGUMENT|CONFIG_INVALID): /, args.join(' '));
  }
  assert.equal((await run('snapshots', 'db.acc', '--json')).out, before.out, 'nothing committed');
});
