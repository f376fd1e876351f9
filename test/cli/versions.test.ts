/**
 * `floe version`, `floe diff`, `floe restore` and `floe table storage` end to end in a fresh working directory
 * (default SQL catalog), with the error codes of bad input.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { parseRetention } from '../../src/cli/commands/version.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('floe version create/list, diff, restore and table storage', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-versions-cli-')));
  let r = await run('write', 'db.t', '--from', "SELECT range AS id, 'a' || range AS v FROM range(5)");
  assert.equal(r.code, 0, r.err);
  r = await run('version', 'create', 'db.t', '--name', 'v1', '--retention', '30d', '--json');
  assert.equal(r.code, 0, r.err);
  const v1 = JSON.parse(r.out);
  assert.equal(v1.version, 'v1');
  r = await run('write', 'db.t', '--from', "SELECT range AS id, CASE WHEN range = 4 THEN 'changed' ELSE 'a' || range END AS v FROM range(2, 7)", '--mode', 'overwrite');
  assert.equal(r.code, 0, r.err);
  r = await run('version', 'create', 'db.t');
  assert.match(r.out, /^created version v-\d{8}T\d{9}Z at snapshot \d+\n$/);

  r = await run('version', 'list', 'db.t', '--json');
  const list = JSON.parse(r.out);
  assert.deepEqual(list.map((v: { version: string; row_count: number }) => v.row_count), [5, 5]);
  assert.equal(list[0].max_ref_age_ms, 30 * 86_400_000);
  r = await run('version', 'list', 'db.t');
  assert.match(r.out, /│ v1 +│/);

  r = await run('diff', 'db.t', 'v1', '--key', 'id', '--rows', '--json');
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out);
  assert.deepEqual([d.rows_added, d.rows_removed, d.rows_modified], [2, 2, 1]);
  assert.deepEqual(d.modified, [{ key: { id: 4 }, from: { v: 'a4' }, to: { v: 'changed' } }]);
  assert.equal(d.to.version, 'current');
  r = await run('diff', 'db.t', '--as-of', 'v1', '--key', 'id', '--rows', '1');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /rows added: 2, removed: 2, modified: 1 \(key id\)/);
  assert.equal(r.out.split('\n').filter((l) => l.startsWith('+ ')).length, 1, '--rows 1 shows one row of each kind');
  r = await run('diff', 'db.t', 'v1', String(v1.snapshot_id));
  assert.match(r.out, /rows added: 0, removed: 0, modified: 0 \(by content\)/);

  r = await run('table', 'storage', 'db.t', '--json');
  assert.equal(r.code, 0, r.err);
  const st = JSON.parse(r.out);
  assert.equal(st.snapshots, 2);
  assert.ok(st.data_files.files >= 2 && st.overhead > 0);
  r = await run('table', 'storage', 'db.t');
  assert.match(r.out, /overhead +\d+\.\d\d%/);

  r = await run('restore', 'db.t', 'v1');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^restored db\.t to v1 \(snapshot \d+\) as snapshot \d+/);
  r = await run('diff', 'db.t', 'v1', '--key', 'id', '--json');
  const after = JSON.parse(r.out);
  assert.deepEqual([after.rows_added, after.rows_removed, after.rows_modified], [0, 0, 0]);
  r = await run('sql', 'SELECT count(*) AS n FROM db.t', '--format', 'tsv');
  assert.equal(r.out, 'n\n5\n');
  r = await run('restore', 'db.t', 'v1');
  assert.match(r.out, /nothing to do/);

  // Bad input: codes, and nothing printed on stdout.
  for (const [args, code] of [
    [['restore', 'db.t', 'nope'], 'REF_NOT_FOUND'],
    [['restore', 'db.t', '12345'], 'SNAPSHOT_NOT_FOUND'],
    [['version', 'create', 'db.t', '--name', 'v1'], 'INVALID_ARGUMENT'],
    [['version', 'create', 'db.t', '--retention', 'soon'], 'INVALID_ARGUMENT'],
    [['diff', 'db.t', 'v1', '--key', 'nope'], 'INVALID_ARGUMENT'],
    [['diff', 'db.t', 'v1', '--rows=x'], 'INVALID_ARGUMENT'],
    [['diff', 'db.t'], 'INVALID_ARGUMENT'],
    [['version', 'drop', 'db.t'], 'INVALID_ARGUMENT'],
    [['table', 'storage'], 'INVALID_ARGUMENT'],
  ] as const) {
    const res = await run(...args);
    assert.equal(res.code, exitCodeFor(code), `${args.join(' ')}: ${res.err}`);
    assert.equal(res.out, '');
  }
});

test('parseRetention reads units', () => {
  assert.equal(parseRetention('30d'), 30n * 86_400_000n);
  assert.equal(parseRetention('12h'), 12n * 3_600_000n);
  assert.equal(parseRetention('1500'), 1500n);
  assert.equal(parseRetention('2w'), 14n * 86_400_000n);
  assert.throws(() => parseRetention('0d'));
});
