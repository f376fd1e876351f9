/**
 * The fixture suite: every case of `duckdb-iceberg-cases.json` (queries from DuckDB's iceberg extension tests, with
 * their expected results) runs through `floe sql --format tsv` and must give the same rows, or fail where the
 * case expects an error.
 *
 * Comparison follows the sqllogictest rules the expectations were recorded with: rows in order unless the case
 * says `rowsort`; a boolean in an integer-typed result column is written 1/0; floating-point values compare with a
 * relative tolerance (sqllogictest's `R` columns), which is why a float32 partition value 3.1415927 matches an
 * expectation written as 3.141592653589793.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { duckdbIcebergWorkdir, icebergFixtures } from './fixture-env.js';

interface Case {
  file: string;
  setup: string[];
  sql: string;
  expect: string[][] | 'error';
  sort: string | null;
}

/**
 * Statements of the source test file that the case extraction dropped but a case depends on. DuckDB's
 * `uuid_type.test` enables the Iceberg log, clears it, and runs a filtered scan whose skipped files the next
 * query counts; the extracted case keeps only that last query.
 */
function prelude(c: Case, previous: Case | undefined): string[] {
  if (c.sql.includes('duckdb_logs()') && previous) {
    return ["CALL enable_logging('Iceberg')", 'CALL truncate_duckdb_logs()', previous.sql.replace(/;\s*$/, '')];
  }
  return [];
}

function sameValue(got: string, want: string): boolean {
  if (got === want) return true;
  const bool: Record<string, string> = { true: '1', false: '0' };
  if (bool[got] === want) return true;
  const a = Number(got);
  const b = Number(want);
  if (got.trim() !== '' && want.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && /[.eE]/.test(got + want)) {
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return false;
}

function sameRows(got: string[][], want: string[][]): boolean {
  return got.length === want.length && got.every((r, i) => r.length === want[i].length && r.every((v, j) => sameValue(v, want[i][j])));
}

const fixtures = icebergFixtures();

if (!fixtures) {
  test('duckdb-iceberg fixture cases', (t) => {
    t.skip('fixtures absent: ../shared/fixtures/iceberg not found (set FLOE_FIXTURES to the fixtures folder)');
  });
} else {
  const cases = JSON.parse(readFileSync(`${fixtures}/duckdb-iceberg-cases.json`, 'utf8')) as Case[];
  process.chdir(duckdbIcebergWorkdir(fixtures));
  cases.forEach((c, i) => {
    const name = `#${i} ${c.file.replace(/^test\/sql\//, '')}: ${c.sql.replace(/\s+/g, ' ').slice(0, 90)}`;
    test(name, async () => {
      const sql = [...c.setup, ...prelude(c, cases[i - 1]), c.sql].join(';\n').replaceAll('{FIXTURES}', fixtures);
      let out = '';
      let err = '';
      const code = await main(['sql', sql, '--format', 'tsv'], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
      if (c.expect === 'error') {
        assert.notEqual(code, 0, `expected an error, got output:\n${out}`);
        assert.match(err, /^floe: [A-Z_]+: /, 'an error prints one line with its code');
        assert.equal(out, '', 'no partial output on error');
        return;
      }
      assert.equal(code, 0, `floe sql failed: ${err}`);
      const lines = out.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      let got = lines.slice(1).map((l) => l.split('\t'));
      let want = c.expect.map((r) => r.map(String));
      if (c.sort === 'rowsort') {
        const key = (r: string[]) => r.join('\t');
        got = [...got].sort((a, b) => key(a).localeCompare(key(b)));
        want = [...want].sort((a, b) => key(a).localeCompare(key(b)));
      }
      assert.ok(sameRows(got, want), `rows differ\n got: ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
    });
  });
}
