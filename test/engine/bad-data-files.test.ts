/**
 * A table whose data file is truncated or gone: scans fail with PARQUET_INVALID / NOT_FOUND, and the CLI prints
 * one line and nothing on stdout.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, truncateSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { describeParquetFile } from '../../src/engine/parquet-data-file.js';
import { quoteString } from '../../src/engine/sql-literals.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import type { Schema } from '../../src/iceberg/spec/schema.js';
import { createTableFromFiles } from '../../src/iceberg/table/create-table-from-files.js';

const SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
  ],
};

async function makeTable(): Promise<{ location: string; file: string }> {
  const location = join(mkdtempSync(join(tmpdir(), 'floe-bad-')), 'events');
  const file = join(location, 'data', 'part-0.parquet');
  const io = new LocalFileIO();
  await io.write(file, new Uint8Array());
  const engine = await Engine.create();
  try {
    await engine.run(
      `COPY (SELECT range AS id, 'n' || range AS name FROM range(1000)) TO ${quoteString(file)} (FORMAT parquet, FIELD_IDS {id: 1, name: 2})`,
    );
    await createTableFromFiles(io, { location, schema: SCHEMA, files: [await describeParquetFile(engine, io, file, SCHEMA)] });
  } finally {
    engine.close();
  }
  return { location, file };
}

async function run(sql: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['sql', sql, '--format', 'tsv'], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test('a table created from Parquet files reads back its rows and bounds prune', async () => {
  const { location } = await makeTable();
  const r = await run(`SELECT count(*), sum(id), min(name) FROM iceberg_scan(${quoteString(location)})`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'count_star()\tsum(id)\tmin("name")\n1000\t499500\tn0\n');
  const pruned = await run(`SELECT count(*) FROM iceberg_scan(${quoteString(location)}) WHERE id > 5000`);
  assert.equal(pruned.out, 'count_star()\n0\n');
});

test('a truncated data file is PARQUET_INVALID', async () => {
  const { location, file } = await makeTable();
  truncateSync(file, Math.floor(statSync(file).size / 2));
  const r = await run(`SELECT count(*) FROM iceberg_scan(${quoteString(location)})`);
  assert.equal(r.code, exitCodeFor('PARQUET_INVALID'));
  assert.match(r.err, /^floe: PARQUET_INVALID: [^\n]+\n$/);
  assert.equal(r.out, '');
});

test('a missing data file is NOT_FOUND', async () => {
  const { location, file } = await makeTable();
  rmSync(file);
  const r = await run(`SELECT count(*) FROM iceberg_scan(${quoteString(location)})`);
  assert.equal(r.code, exitCodeFor('NOT_FOUND'));
  assert.match(r.err, /^floe: NOT_FOUND: /);
  assert.equal(r.out, '');
});
