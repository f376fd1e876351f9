/**
 * The floe command end to end (in process): output formats, errors as one line with a code-specific exit
 * status and no partial output.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { icebergFixtures } from '../../test-fixtures/fixture-env.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('sql renders tsv, csv, json and table', async () => {
  const q = "SELECT 1 AS a, 'x,y' AS b, NULL AS c, 9007199254740993::BIGINT AS big, 1.5::DECIMAL(4,2) AS d";
  const tsv = await run('sql', q, '--format', 'tsv');
  assert.equal(tsv.code, 0);
  assert.equal(tsv.out, 'a\tb\tc\tbig\td\n1\tx,y\tNULL\t9007199254740993\t1.50\n');
  const csv = await run('sql', q, '--format', 'csv');
  assert.equal(csv.out, 'a,b,c,big,d\n1,"x,y",,9007199254740993,1.50\n');
  const json = await run('sql', q, '--format', 'json');
  assert.deepEqual(JSON.parse(json.out), [{ a: 1, b: 'x,y', c: null, big: '9007199254740993', d: 1.5 }]);
  const table = await run('sql', q);
  assert.match(table.out, /│ a +│ b +│ c +│ big +│ d +│/);
  assert.match(table.out, /│ +1 │ x,y +│ +NULL │ 9007199254740993 │ +1.50 │/);
  assert.match(table.out, /1 row\n$/);
});

test('several statements run in order and the last result is printed', async () => {
  const r = await run('sql', 'CREATE TABLE t AS SELECT range AS i FROM range(3); INSERT INTO t VALUES (10); SELECT sum(i) AS s FROM t', '--format', 'tsv');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 's\n13\n');
});

test('a semicolon inside a string does not split statements', async () => {
  const r = await run('sql', "SELECT 'a;b' AS s; SELECT ';' AS t -- ; comment", '--format', 'tsv');
  assert.equal(r.out, 't\n;\n');
});

test('a SQL error prints one line with its code, exits non-zero, prints nothing on stdout', async () => {
  const r = await run('sql', 'SELECT 1; SELEC 2', '--format', 'tsv');
  assert.equal(r.code, exitCodeFor('SQL_ERROR'));
  assert.equal(r.out, '');
  assert.match(r.err, /^floe: SQL_ERROR: [^\n]+\n$/);
});

test('--verbose adds the stack', async () => {
  const r = await run('sql', 'SELEC 1', '--verbose');
  assert.match(r.err, /^floe: SQL_ERROR: .*\n[\s\S]*at /);
});

test('bad arguments are INVALID_ARGUMENT', async () => {
  assert.equal((await run('sql')).code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal((await run('sql', 'SELECT 1', '--format', 'xml')).code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal((await run('frobnicate')).code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal((await run('sql', 'SELECT 1', '--bogus')).code, exitCodeFor('INVALID_ARGUMENT'));
});

test('iceberg_scan of a missing path is NOT_FOUND', async () => {
  const r = await run('sql', "SELECT * FROM iceberg_scan('/nonexistent/table')");
  assert.equal(r.code, exitCodeFor('NOT_FOUND'));
  assert.match(r.err, /^floe: NOT_FOUND: /);
  assert.equal(r.out, '');
});

test('table inspect reports METADATA_INVALID, UNSUPPORTED, NOT_FOUND and SNAPSHOT_NOT_FOUND', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floe-cli-'));
  mkdirSync(join(dir, 'metadata'));
  writeFileSync(join(dir, 'metadata', 'v1.metadata.json'), '{"format-version": 2, "table-uuid": ');
  let r = await run('table', 'inspect', join(dir, 'metadata', 'v1.metadata.json'));
  assert.equal(r.code, exitCodeFor('METADATA_INVALID'));
  assert.match(r.err, /^floe: METADATA_INVALID: /);
  assert.equal(r.out, '');
  r = await run('table', 'inspect', join(dir, 'nope'));
  assert.equal(r.code, exitCodeFor('NOT_FOUND'));
  const fx = icebergFixtures();
  if (!fx) return;
  r = await run('table', 'inspect', join(fx, 'spec/metadata/TableMetadataUnsupportedVersion.json'));
  assert.equal(r.code, exitCodeFor('UNSUPPORTED'), r.err);
  r = await run('table', 'inspect', join(fx, 'spec/metadata/TableMetadataV2MissingSchemas.json'));
  assert.equal(r.code, exitCodeFor('METADATA_INVALID'));
  assert.match(r.err, /schemas/);
  r = await run('table', 'inspect', join(fx, 'icebird/spark/bunnies'), '--snapshot', '42');
  assert.equal(r.code, exitCodeFor('SNAPSHOT_NOT_FOUND'));
});

test('table inspect --json keeps snapshot ids above 2^53 exact', async (t) => {
  const fx = icebergFixtures();
  if (!fx) return t.skip('fixtures absent');
  const r = await run('table', 'inspect', join(fx, 'icebird/spark/bunnies'), '--json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.ok(report.snapshots.some((s: { snapshot_id: unknown }) => s.snapshot_id === '7505300640432048841'));
  assert.equal(report.format_version, 2);
  assert.equal(report.totals.data_files, 1);
  assert.equal(report.totals.delete_files, 1);
  assert.equal(report.files[1].content, 'position_deletes');
  const text = await run('table', 'inspect', join(fx, 'icebird/spark/bunnies'));
  assert.match(text.out, /Snapshots \(\d+\)/);
  assert.match(text.out, /position_deletes/);
});

test('--help after a command prints the usage of that command and exits 0; an unknown command is INVALID_ARGUMENT', async () => {
  const write = await run('write', 'db.t', '--help');
  assert.equal(write.code, 0, write.err);
  assert.match(write.out, /^ {2}floe write <namespace\.table>/);
  assert.match(write.out, /--mode upsert --key/);
  assert.doesNotMatch(write.out, /floe delete/);
  const rollback = await run('rollback', '-h');
  assert.equal(rollback.code, 0);
  assert.match(rollback.out, /floe rollback <table> <snapshot-id>/);
  const table = await run('table', 'alter', '--help');
  assert.match(table.out, /floe table alter <ns\.table> add-column/);
  assert.match(table.out, /floe table inspect/);
  // After `--`, --help is an argument, not a request for help.
  const sql = await run('sql', '--format', 'tsv', '--', "SELECT '--help' AS x");
  assert.equal(sql.code, 0, sql.err);
  assert.equal(sql.out, 'x\n--help\n');
  const unknown = await run('nope', '--help');
  assert.equal(unknown.code, exitCodeFor('INVALID_ARGUMENT'));
  assert.equal(unknown.out, '');
});
