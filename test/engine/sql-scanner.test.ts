/**
 * The lexical SQL scanner: statement splitting and finding table-function calls, never looking inside string
 * literals, quoted identifiers, dollar-quoted strings or comments.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { findCalls, mentionsIdentifier, splitStatements } from '../../src/engine/sql-scanner.js';

// ---------------------------------------------------------------------------------------------------------------
// splitStatements
// ---------------------------------------------------------------------------------------------------------------

test('splitStatements: top-level semicolons split; statements are trimmed; empty ones dropped', () => {
  assert.deepEqual(splitStatements('SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2']);
  assert.deepEqual(splitStatements('  SELECT 1 ;\n\n;; SELECT 2;  '), ['SELECT 1', 'SELECT 2']);
  assert.deepEqual(splitStatements(''), []);
  assert.deepEqual(splitStatements(' ; ; '), []);
});

test('splitStatements: semicolons inside string literals and double-quoted identifiers do not split', () => {
  assert.deepEqual(splitStatements("SELECT 'a;b' AS s; SELECT ';'"), ["SELECT 'a;b' AS s", "SELECT ';'"]);
  // Doubled quotes escape the quote inside literals and identifiers.
  assert.deepEqual(splitStatements("SELECT 'it''s; ok'; SELECT 2"), ["SELECT 'it''s; ok'", 'SELECT 2']);
  assert.deepEqual(splitStatements('SELECT 1 AS "a;""b"; SELECT 2'), ['SELECT 1 AS "a;""b"', 'SELECT 2']);
  // An unterminated literal runs to the end: DuckDB reports it, the scanner does not invent a split.
  assert.deepEqual(splitStatements("SELECT 'abc; SELECT 1"), ["SELECT 'abc; SELECT 1"]);
});

test('splitStatements: semicolons inside -- and /* */ comments do not split', () => {
  assert.deepEqual(splitStatements('SELECT 1 -- one; two\n; SELECT 2'), ['SELECT 1 -- one; two', 'SELECT 2']);
  assert.deepEqual(splitStatements('SELECT /* ; */ 1; SELECT 2'), ['SELECT /* ; */ 1', 'SELECT 2']);
  assert.deepEqual(splitStatements('SELECT /* multi\nline; */ 1'), ['SELECT /* multi\nline; */ 1']);
  // A statement that starts with a comment is kept.
  assert.deepEqual(splitStatements('-- header\nSELECT 1'), ['-- header\nSELECT 1']);
});

test('splitStatements: dollar-quoted strings, tagged or not, hide semicolons; $1 is a parameter', () => {
  assert.deepEqual(splitStatements('SELECT $$a;b$$; SELECT 2'), ['SELECT $$a;b$$', 'SELECT 2']);
  assert.deepEqual(splitStatements('SELECT $fn$ x; $$; y $fn$; SELECT 2'), ['SELECT $fn$ x; $$; y $fn$', 'SELECT 2']);
  assert.deepEqual(splitStatements('SELECT $1; SELECT $2'), ['SELECT $1', 'SELECT $2']);
});

test('splitStatements: a trailing comment-only statement is dropped', () => {
  assert.deepEqual(splitStatements('SELECT 1; -- done'), ['SELECT 1']);
  assert.deepEqual(splitStatements('SELECT 1; /* done; really */'), ['SELECT 1']);
  assert.deepEqual(splitStatements('SELECT 1; -- a\n/* b */\n-- c'), ['SELECT 1']);
  assert.deepEqual(splitStatements('-- nothing but a comment'), []);
});

// ---------------------------------------------------------------------------------------------------------------
// findCalls
// ---------------------------------------------------------------------------------------------------------------

test('findCalls: names match case-insensitively and come back lower case with their offsets', () => {
  const sql = 'SELECT * FROM ICEBERG_SCAN(\'t\') JOIN Iceberg_Scan (\'u\') USING (id)';
  const calls = findCalls(sql, ['iceberg_scan']);
  assert.deepEqual(
    calls.map((c) => c.name),
    ['iceberg_scan', 'iceberg_scan'],
  );
  assert.equal(sql.slice(calls[0].start, calls[0].end), "ICEBERG_SCAN('t')");
  assert.equal(sql.slice(calls[1].start, calls[1].end), "Iceberg_Scan ('u')");
  assert.deepEqual(calls[1].args, [{ text: "'u'" }]);
  // Names asked for in upper case match too; other functions are not reported.
  assert.deepEqual(
    findCalls("SELECT * FROM iceberg_metadata('t'), read_parquet('x')", ['ICEBERG_METADATA']).map((c) => c.name),
    ['iceberg_metadata'],
  );
  // A bare name without parentheses is not a call.
  assert.deepEqual(findCalls('SELECT iceberg_scan FROM t', ['iceberg_scan']), []);
});

test('findCalls: nested parentheses, brackets, braces and strings stay inside one argument', () => {
  const sql = "FROM iceberg_scan(concat('s3://b/', 't(1),x'), [1, (2, 3)], {'a': 1, 'b': [4, 5]}, (SELECT max(x) FROM y))";
  const [call] = findCalls(sql, ['iceberg_scan']);
  assert.deepEqual(call.args, [
    { text: "concat('s3://b/', 't(1),x')" },
    { text: '[1, (2, 3)]' },
    { text: "{'a': 1, 'b': [4, 5]}" },
    { text: '(SELECT max(x) FROM y)' },
  ]);
  assert.equal(call.end, sql.length);
  assert.deepEqual(findCalls('SELECT * FROM iceberg_scan()', ['iceberg_scan'])[0].args, []);
});

test('findCalls: `name = value` and `name := value` are named arguments; `==` is not', () => {
  const sql = "iceberg_scan('t', allow_moved_paths = true, Version := '2', snapshot_from_id=7, a == b, x = (y == z))";
  const [call] = findCalls(`SELECT * FROM ${sql}`, ['iceberg_scan']);
  assert.deepEqual(call.args, [
    { text: "'t'" },
    { name: 'allow_moved_paths', text: 'true' },
    { name: 'version', text: "'2'" },
    { name: 'snapshot_from_id', text: '7' },
    { text: 'a == b' },
    { name: 'x', text: '(y == z)' },
  ]);
});

test('findCalls: calls inside strings, quoted identifiers and comments are ignored', () => {
  const sql = [
    "SELECT 'iceberg_scan(1)' AS s,",
    '"iceberg_scan(2)" AS q, -- iceberg_scan(3)',
    '/* iceberg_scan(4) */ $$iceberg_scan(5)$$',
    "FROM iceberg_scan('real')",
  ].join('\n');
  const calls = findCalls(sql, ['iceberg_scan']);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, [{ text: "'real'" }]);
});

test('findCalls: qualified and longer names are not the function', () => {
  const sql = "SELECT * FROM x.iceberg_scan('a'), \"s\".iceberg_scan('b'), my_iceberg_scan('c'), iceberg_scan2('d'), iceberg_scan('e')";
  const calls = findCalls(sql, ['iceberg_scan']);
  assert.deepEqual(
    calls.map((c) => c.args[0].text),
    ["'e'"],
  );
});

test('findCalls: several functions in one statement, in order of appearance', () => {
  const sql = "SELECT * FROM iceberg_snapshots('t') s, iceberg_scan('t', version = '1') d";
  const calls = findCalls(sql, ['iceberg_scan', 'iceberg_snapshots']);
  assert.deepEqual(
    calls.map((c) => [c.name, sql.slice(c.start, c.end)]),
    [
      ['iceberg_snapshots', "iceberg_snapshots('t')"],
      ['iceberg_scan', "iceberg_scan('t', version = '1')"],
    ],
  );
});

// ---------------------------------------------------------------------------------------------------------------
// mentionsIdentifier
// ---------------------------------------------------------------------------------------------------------------

test('mentionsIdentifier: whole identifiers in code, any case, quoted or not', () => {
  assert.equal(mentionsIdentifier('SELECT filename FROM t', 'filename'), true);
  assert.equal(mentionsIdentifier('SELECT FileName FROM t', 'filename'), true);
  assert.equal(mentionsIdentifier('SELECT "filename" FROM t', 'filename'), true);
  assert.equal(mentionsIdentifier('SELECT t.filename FROM t', 'filename'), true);
  assert.equal(mentionsIdentifier('SELECT count(*) FROM t WHERE filename LIKE \'%x\'', 'FILENAME'), true);
});

test('mentionsIdentifier: not inside longer words, strings or comments', () => {
  assert.equal(mentionsIdentifier('SELECT filename_x, my_filename, filename2 FROM t', 'filename'), false);
  assert.equal(mentionsIdentifier("SELECT 'filename' FROM t", 'filename'), false);
  assert.equal(mentionsIdentifier('SELECT 1 -- filename\n FROM t /* filename */', 'filename'), false);
  assert.equal(mentionsIdentifier('SELECT $$filename$$', 'filename'), false);
  assert.equal(mentionsIdentifier('SELECT "file name" FROM t', 'filename'), false);
  assert.equal(mentionsIdentifier('', 'filename'), false);
});
