/**
 * Locating a table's metadata file without a catalog (explicit path, version hint, `version` option, guessing)
 * with DuckDB's option names; relocating the paths that metadata records; reading gzip metadata.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { MemoryFileIO } from '../../../src/iceberg/io/memory-file-io.js';
import {
  isMetadataFileName,
  metadataFileVersion,
  resolveMetadataLocation,
  type MetadataLocationOptions,
} from '../../../src/iceberg/table/metadata-location.js';
import { makeRelocator, readTableMetadataFile, tableLocationOf } from '../../../src/iceberg/table/table-files.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

const FIXTURES = icebergFixtures();

async function rejectsCode(p: Promise<unknown>, code: FloeErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** A MemoryFileIO holding empty files at `root/metadata/<name>` (plus `hint` as version-hint.text when given). */
async function table(names: string[], hint?: string, root = '/wh/t'): Promise<MemoryFileIO> {
  const io = new MemoryFileIO();
  for (const n of names) await io.write(`${root}/metadata/${n}`, new Uint8Array([0x7b, 0x7d]));
  if (hint !== undefined) await io.write(`${root}/metadata/version-hint.text`, new TextEncoder().encode(hint));
  return io;
}

const resolve = (io: MemoryFileIO, opts?: MetadataLocationOptions, location = '/wh/t') =>
  resolveMetadataLocation(io, location, opts);

// ---------------------------------------------------------------------------------------------------------------
// resolveMetadataLocation
// ---------------------------------------------------------------------------------------------------------------

test('an explicit metadata file path is used as given; a missing one is NOT_FOUND', async () => {
  const io = await table(['v1.metadata.json', 'v2.metadata.json', 'v3.gz.metadata.json'], '2');
  assert.equal(await resolve(io, {}, '/wh/t/metadata/v1.metadata.json'), '/wh/t/metadata/v1.metadata.json');
  assert.equal(await resolve(io, {}, '/wh/t/metadata/v3.gz.metadata.json'), '/wh/t/metadata/v3.gz.metadata.json');
  await rejectsCode(resolve(io, {}, '/wh/t/metadata/v9.metadata.json'), 'NOT_FOUND');
});

test('version-hint.text naming a number finds v<N>.metadata.json', async () => {
  const io = await table(['v1.metadata.json', 'v2.metadata.json', 'v3.metadata.json'], '2\n');
  assert.equal(await resolve(io), '/wh/t/metadata/v2.metadata.json');
  // A trailing slash on the location changes nothing.
  assert.equal(await resolve(io, {}, '/wh/t/'), '/wh/t/metadata/v2.metadata.json');
});

test('version-hint.text naming 00001-<uuid> finds 00001-<uuid>.metadata.json', async () => {
  const name = '00001-43ceeb9a-cd0d-4556-b1e2-513b5bf88ff8';
  const io = await table(['00000-a064e092-c2d2-4d8e-a3ba-72dad75fcade.metadata.json', `${name}.metadata.json`], name);
  assert.equal(await resolve(io), `/wh/t/metadata/${name}.metadata.json`);
});

test('a hint naming a file that does not exist is NOT_FOUND', async () => {
  await rejectsCode(resolve(await table(['v1.metadata.json'], '2')), 'NOT_FOUND');
});

test('the version option overrides the hint, and may name another hint file', async () => {
  const io = await table(['v1.metadata.json', 'v2.metadata.json', 'v3.metadata.json'], '3');
  assert.equal(await resolve(io, { version: '1' }), '/wh/t/metadata/v1.metadata.json');
  assert.equal(await resolve(io, { version: 'version-hint.text' }), '/wh/t/metadata/v3.metadata.json');
  await io.write('/wh/t/metadata/other-hint.txt', new TextEncoder().encode('2'));
  assert.equal(await resolve(io, { version: 'other-hint.txt' }), '/wh/t/metadata/v2.metadata.json');
  await rejectsCode(resolve(io, { version: '4' }), 'NOT_FOUND');
});

test('version_name_format: custom formats work; a format without exactly two %s is INVALID_ARGUMENT', async () => {
  const io = await table(['tbl-7.json.metadata.json'], '7');
  assert.equal(await resolve(io, { versionNameFormat: 'tbl-%s%s.json.metadata.json' }), '/wh/t/metadata/tbl-7.json.metadata.json');
  for (const bad of ['v%s.metadata.json', 'v%s%s%s.metadata.json', 'v.metadata.json', 'v%s%s.metadata.json,%s.metadata.json']) {
    await rejectsCode(resolve(io, { versionNameFormat: bad }), 'INVALID_ARGUMENT');
  }
});

test('gzip codec: the .gz suffix goes before .metadata.json', async () => {
  const io = await table(['v1.metadata.json', 'v1.gz.metadata.json', 'v2.gz.metadata.json'], '1');
  assert.equal(await resolve(io, { metadataCompressionCodec: 'gzip' }), '/wh/t/metadata/v1.gz.metadata.json');
  assert.equal(await resolve(io, { metadataCompressionCodec: 'GZIP', version: '2' }), '/wh/t/metadata/v2.gz.metadata.json');
  assert.equal(await resolve(io), '/wh/t/metadata/v1.metadata.json');
  await rejectsCode(resolve(io, { version: '2' }), 'NOT_FOUND'); // only v2.gz.metadata.json exists
});

test('no hint and no guessing is NOT_FOUND, even when metadata files exist', async () => {
  const io = await table(['v1.metadata.json', 'v2.metadata.json']);
  await rejectsCode(resolve(io), 'NOT_FOUND');
  await rejectsCode(resolve(io, { allowGuessing: false }), 'NOT_FOUND');
});

test('guessing picks the highest version number, not the last name in string order', async () => {
  const io = await table(['v1.metadata.json', 'v9.metadata.json', 'v10.metadata.json', 'v2.metadata.json']);
  assert.equal(await resolve(io, { allowGuessing: true }), '/wh/t/metadata/v10.metadata.json');
  assert.equal(await resolve(io, { version: '?' }), '/wh/t/metadata/v10.metadata.json');

  const uuids = await table([
    '00009-ffffffff-0000-0000-0000-000000000000.metadata.json',
    '00010-00000000-0000-0000-0000-000000000000.metadata.json',
    '00002-99999999-0000-0000-0000-000000000000.metadata.json',
    'snap-1-1-abc.avro',
    'abc-m0.avro',
  ]);
  assert.equal(await resolve(uuids, { allowGuessing: true }), '/wh/t/metadata/00010-00000000-0000-0000-0000-000000000000.metadata.json');
});

test('guessing ignores .gz metadata files when the codec is none, and takes only them with gzip', async () => {
  const io = await table(['v1.metadata.json', 'v2.metadata.json', 'v3.gz.metadata.json', '00004-abc.gz.metadata.json']);
  assert.equal(await resolve(io, { allowGuessing: true }), '/wh/t/metadata/v2.metadata.json');
  assert.equal(await resolve(io, { allowGuessing: true, metadataCompressionCodec: 'gzip' }), '/wh/t/metadata/00004-abc.gz.metadata.json');
  await rejectsCode(resolve(await table(['v3.gz.metadata.json']), { allowGuessing: true }), 'NOT_FOUND');
});

test('a missing table directory is NOT_FOUND, with or without guessing', async () => {
  const io = await table(['v1.metadata.json'], '1', '/wh/other');
  await rejectsCode(resolve(io), 'NOT_FOUND');
  await rejectsCode(resolve(io, { allowGuessing: true }), 'NOT_FOUND');
  await rejectsCode(resolve(io, { version: '?' }), 'NOT_FOUND');
  await rejectsCode(resolve(io, { version: '1' }), 'NOT_FOUND');
});

test('metadataFileVersion and isMetadataFileName', () => {
  assert.equal(metadataFileVersion('v12.metadata.json'), 12);
  assert.equal(metadataFileVersion('00003-0b7a2b39-e1d4-4d2b-b3ab-5d4c0b9b1f5e.metadata.json'), 3);
  assert.equal(metadataFileVersion('v3.gz.metadata.json'), 3);
  assert.equal(metadataFileVersion('metadata.json'), undefined);
  assert.equal(isMetadataFileName('v1.metadata.json'), true);
  assert.equal(isMetadataFileName('v1.gz.metadata.json'), true);
  assert.equal(isMetadataFileName('00001-x.metadata.json.gz'), true);
  assert.equal(isMetadataFileName('version-hint.text'), false);
  assert.equal(isMetadataFileName('snap-1-1-x.avro'), false);
});

// Real tables: their hints and file names, read through LocalFileIO.
const REAL_CASES: Array<{ table: string; opts?: MetadataLocationOptions; want: string }> = [
  { table: 'icebird/java/bunnies', want: 'v5.metadata.json' }, // hint "5"
  { table: 'icebird/java/bunnies', opts: { version: '2' }, want: 'v2.metadata.json' },
  { table: 'duckdb-iceberg/is_null_is_not_null', want: '00001-43ceeb9a-cd0d-4556-b1e2-513b5bf88ff8.metadata.json' },
  { table: 'duckdb-iceberg/iceberg/lineitem_iceberg_gz', opts: { metadataCompressionCodec: 'gzip' }, want: 'v2.gz.metadata.json' },
  { table: 'duckdb-iceberg/iceberg/lineitem_iceberg_no_hint', opts: { allowGuessing: true }, want: 'v2.metadata.json' },
  { table: 'duckdb-iceberg/iceberg/lineitem_iceberg_gz_no_hint', opts: { version: '?', metadataCompressionCodec: 'gzip' }, want: 'v2.gz.metadata.json' },
  { table: 'duckdb-iceberg/null_stats/default/test_nulls', opts: { allowGuessing: true }, want: '00003-9d6a621e-8a72-4190-a880-f6ca02e32b86.metadata.json' },
];

test('real fixture tables resolve to the expected metadata file', async (t) => {
  if (!FIXTURES) {
    t.skip('fixtures absent: shared/fixtures/iceberg (set FLOE_FIXTURES)');
    return;
  }
  const io = new LocalFileIO();
  for (const c of REAL_CASES) {
    const dir = join(FIXTURES, c.table);
    if (!existsSync(dir)) {
      t.skip(`fixtures absent: ${dir}`);
      return;
    }
    assert.equal(await resolveMetadataLocation(io, dir, c.opts), join(dir, 'metadata', c.want), c.table);
  }
  // Without guessing, a table without a hint is not found.
  await rejectsCode(resolveMetadataLocation(io, join(FIXTURES, 'duckdb-iceberg/iceberg/lineitem_iceberg_no_hint')), 'NOT_FOUND');
  await rejectsCode(resolveMetadataLocation(io, join(FIXTURES, 'duckdb-iceberg/no_such_table'), { allowGuessing: true }), 'NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------------------------
// makeRelocator
// ---------------------------------------------------------------------------------------------------------------

test('makeRelocator: off, paths are used as written', () => {
  const r = makeRelocator('s3a://b/wh/db/t', '/real/t', false);
  assert.equal(r('s3a://b/wh/db/t/data/a.parquet'), 's3a://b/wh/db/t/data/a.parquet');
  assert.equal(r('data/persistent/t/data/a.parquet'), 'data/persistent/t/data/a.parquet');
});

test('makeRelocator: paths under the recorded location are re-rooted under the real one', () => {
  const r = makeRelocator('data/persistent/partition_integer', '/fx/duckdb-iceberg/partition_integer', true);
  assert.equal(r('data/persistent/partition_integer/data/partition_col=42/00000.parquet'), '/fx/duckdb-iceberg/partition_integer/data/partition_col=42/00000.parquet');
  assert.equal(r('data/persistent/partition_integer/metadata/snap-1.avro'), '/fx/duckdb-iceberg/partition_integer/metadata/snap-1.avro');
  // `./x` is the same as `x`.
  const dot = makeRelocator('./lineitem_iceberg_gz', '/fx/iceberg/lineitem_iceberg_gz', true);
  assert.equal(dot('./lineitem_iceberg_gz/data/a.parquet'), '/fx/iceberg/lineitem_iceberg_gz/data/a.parquet');
  assert.equal(dot('lineitem_iceberg_gz/metadata/m.avro'), '/fx/iceberg/lineitem_iceberg_gz/metadata/m.avro');
  // A sibling whose name merely starts with the table's name is not under it.
  const s3 = makeRelocator('s3a://b/wh/t', '/real/copy', true);
  assert.equal(s3('s3a://b/wh/t/x.parquet'), '/real/copy/x.parquet');
  assert.equal(s3('s3a://b/wh/t_backup/x.parquet'), 's3a://b/wh/t_backup/x.parquet');
});

test('makeRelocator: files elsewhere in the same moved tree follow it', () => {
  const r = makeRelocator('data/persistent/x/wh/db/t', '/fx/duckdb-iceberg/x/wh/db/t', true);
  assert.equal(r('data/persistent/x/wh/example/f.parquet'), '/fx/duckdb-iceberg/x/wh/example/f.parquet');
  assert.equal(r('data/persistent/x/wh/db/t/data/a.parquet'), '/fx/duckdb-iceberg/x/wh/db/t/data/a.parquet');
  assert.equal(r('data/persistent/x/elsewhere.parquet'), '/fx/duckdb-iceberg/x/elsewhere.parquet');
  // The moved tree is what the two locations do not share: here `data/persistent` became `/fx/duckdb-iceberg`.
  assert.equal(r('data/persistent/other_table/f.parquet'), '/fx/duckdb-iceberg/other_table/f.parquet');
});

test('makeRelocator: object-store locations (s3a://bucket/...) map onto a local copy', () => {
  const r = makeRelocator('s3a://hyperparam-iceberg/java/bunnies', '/fx/icebird/java/bunnies', true);
  assert.equal(r('s3a://hyperparam-iceberg/java/bunnies/data/bunnies-initial.parquet'), '/fx/icebird/java/bunnies/data/bunnies-initial.parquet');
  assert.equal(r('s3a://hyperparam-iceberg/java/bunnies/metadata/snap-1.avro'), '/fx/icebird/java/bunnies/metadata/snap-1.avro');
  assert.equal(r('s3a://hyperparam-iceberg/java/bunnies'), '/fx/icebird/java/bunnies');
});

test('makeRelocator: file: URIs in any form match the recorded location', () => {
  const r = makeRelocator('file:/tmp/wh/db/t', '/real/t', true);
  assert.equal(r('file:/tmp/wh/db/t/data/a.parquet'), '/real/t/data/a.parquet');
  assert.equal(r('file:///tmp/wh/db/t/data/a.parquet'), '/real/t/data/a.parquet');
  assert.equal(r('/tmp/wh/db/t/data/a.parquet'), '/real/t/data/a.parquet');
  const r2 = makeRelocator('file:///tmp/wh/db/t/', '/real/t', true);
  assert.equal(r2('file:/tmp/wh/db/t/data/b.parquet'), '/real/t/data/b.parquet');
  // Outside data/ and metadata/ too (custom write paths), so the match is on the location itself.
  assert.equal(r('file:///tmp/wh/db/t/custom/part-0.parquet'), '/real/t/custom/part-0.parquet');
  assert.equal(r2('/tmp/wh/db/t/custom/part-0.parquet'), '/real/t/custom/part-0.parquet');
});

test('makeRelocator: unrelated paths are left as written', () => {
  const r = makeRelocator('s3a://hyperparam-iceberg/java/bunnies', '/fx/icebird/java/bunnies', true);
  assert.equal(r('s3://other-bucket/elsewhere/f.parquet'), 's3://other-bucket/elsewhere/f.parquet');
  assert.equal(r('/somewhere/else.parquet'), '/somewhere/else.parquet');
  assert.equal(r('file:/unrelated/x.parquet'), 'file:/unrelated/x.parquet');
  const moved = makeRelocator('data/persistent/x/wh/db/t', '/fx/duckdb-iceberg/x/wh/db/t', true);
  assert.equal(moved('s3://bucket/f.parquet'), 's3://bucket/f.parquet');
  assert.equal(moved('/abs/f.parquet'), '/abs/f.parquet');
});

// ---------------------------------------------------------------------------------------------------------------
// readTableMetadataFile, tableLocationOf
// ---------------------------------------------------------------------------------------------------------------

test('readTableMetadataFile reads gzip metadata (lineitem_iceberg_gz)', async (t) => {
  const dir = FIXTURES && join(FIXTURES, 'duckdb-iceberg/iceberg/lineitem_iceberg_gz/metadata');
  if (!dir || !existsSync(dir)) {
    t.skip(`fixtures absent: ${dir ?? 'shared/fixtures/iceberg'}`);
    return;
  }
  const io = new LocalFileIO();
  const md = await readTableMetadataFile(io, join(dir, 'v2.gz.metadata.json'));
  assert.equal(md['format-version'], 1);
  assert.equal(md['table-uuid'], 'cadbf370-2450-4103-a393-668c16aed805');
  assert.equal(md.location, './lineitem_iceberg_gz');
  assert.equal(md['current-snapshot-id'], 4468019210336628573n);
  assert.deepEqual(md.snapshots.map((s) => s['snapshot-id']), [4468019210336628573n]);
  assert.equal(md.schemas[0].fields.length, 16);
  const v1 = await readTableMetadataFile(io, join(dir, 'v1.gz.metadata.json'));
  assert.equal(v1.snapshots.length, 0);
});

test('readTableMetadataFile: plain and gzip bytes alike; corrupt gzip is METADATA_INVALID; missing is NOT_FOUND', async () => {
  const { gzipSync } = await import('node:zlib');
  const json = JSON.stringify({
    'format-version': 2,
    'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
    location: 's3://b/t',
    'last-sequence-number': 0,
    'last-updated-ms': 1602638573590,
    'last-column-id': 1,
    'current-schema-id': 0,
    schemas: [{ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', required: true, type: 'long' }] }],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'last-partition-id': 999,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
  });
  const io = new MemoryFileIO();
  await io.write('/t/metadata/v1.metadata.json', new TextEncoder().encode(json));
  await io.write('/t/metadata/v1.gz.metadata.json', gzipSync(json));
  const bad = gzipSync(json).subarray(0, 20);
  await io.write('/t/metadata/v2.gz.metadata.json', bad);
  const plain = await readTableMetadataFile(io, '/t/metadata/v1.metadata.json');
  const gz = await readTableMetadataFile(io, '/t/metadata/v1.gz.metadata.json');
  assert.deepEqual(gz, plain);
  assert.equal(plain.location, 's3://b/t');
  await rejectsCode(readTableMetadataFile(io, '/t/metadata/v2.gz.metadata.json'), 'METADATA_INVALID');
  await rejectsCode(readTableMetadataFile(io, '/t/metadata/v9.metadata.json'), 'NOT_FOUND');
});

test('tableLocationOf: the directory above metadata/', () => {
  assert.equal(tableLocationOf('/wh/t/metadata/v1.metadata.json'), '/wh/t');
  assert.equal(tableLocationOf('s3://b/wh/t/metadata/v1.metadata.json'), 's3://b/wh/t');
  assert.equal(tableLocationOf('/wh/t/v1.metadata.json'), '/wh/t');
});
