/**
 * `floe table alter`: each change on the quickstart table in a fresh working directory, and usage errors.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { alterChange } from '../../src/cli/commands/table-alter.js';
import { isFloeError } from '../../src/errors.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('floe table alter: add, rename, promote, drop, set-identifier', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-alter-cli-')));
  assert.equal((await run('quickstart', '--rows', '10')).code, 0);
  const add = await run('table', 'alter', 'demo.events', 'add-column', 'note', 'string');
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /note\)\n$/);
  const rn = await run('table', 'alter', 'demo.events', 'rename-column', 'note', 'remark');
  assert.equal(rn.code, 0, rn.err);
  assert.match(rn.out, /remark\)\n$/);
  const add2 = await run('table', 'alter', 'demo.events', 'add-column', 'small', 'int', '--after', 'remark');
  assert.equal(add2.code, 0, add2.err);
  assert.equal((await run('table', 'alter', 'demo.events', 'promote', 'small', 'long')).code, 0);
  const bad = await run('table', 'alter', 'demo.events', 'promote', 'small', 'int');
  assert.equal(bad.code, exitCodeFor('INVALID_ARGUMENT'));
  const drop = await run('table', 'alter', 'demo.events', 'drop-column', 'small');
  assert.equal(drop.code, 0, drop.err);
  assert.doesNotMatch(drop.out, /small/);
  const count = await run('sql', 'SELECT count(remark) AS c, count(*) AS n FROM demo.events', '--format', 'tsv');
  assert.match(count.out, /^c\tn\n0\t\d+\n$/, count.err);
  const ident = await run('table', 'alter', 'demo.events', 'set-identifier', 'remark');
  assert.equal(ident.code, exitCodeFor('INVALID_ARGUMENT'), 'an optional column cannot be an identifier field');
});

test('floe table alter: usage errors', () => {
  for (const args of [[], ['bogus'], ['add-column', 'x'], ['drop-column'], ['rename-column', 'a', 'b', 'c']]) {
    assert.throws(() => alterChange(args), (e) => isFloeError(e, 'INVALID_ARGUMENT'), JSON.stringify(args));
  }
});

test('floe table alter require-column: checked against the data, then set-identifier works', async () => {
  process.chdir(mkdtempSync(join(tmpdir(), 'floe-alter-require-cli-')));
  assert.equal((await run('quickstart', '--rows', '10')).code, 0);
  assert.equal((await run('table', 'alter', 'demo.events', 'set-identifier', 'event_id')).code, exitCodeFor('INVALID_ARGUMENT'), 'optional');
  const req = await run('table', 'alter', 'demo.events', 'require-column', 'event_id');
  assert.equal(req.code, 0, req.err);
  assert.match(req.out, /event_id required \(no nulls on 1 branch\(es\)/);
  const ident = await run('table', 'alter', 'demo.events', 'set-identifier', 'event_id');
  assert.equal(ident.code, 0, ident.err);
  assert.equal((await run('table', 'alter', 'demo.events', 'add-column', 'remark', 'string')).code, 0);
  const nulls = await run('table', 'alter', 'demo.events', 'require-column', 'remark');
  assert.equal(nulls.code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal(nulls.out, '');
  assert.equal((await run('table', 'alter', 'demo.events', 'require-column')).code, exitCodeFor('INVALID_ARGUMENT'));
});
