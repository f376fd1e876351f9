/**
 * The position delete writer with page version v2, which writes floe's own layout
 * (`iceberg/parquet/position-delete-parquet.ts`) from positions read out of DuckDB as vectors: the manifest entry
 * (record count, sizes, column sizes, counts, bounds, referenced_data_file) matches the file, rows come out sorted
 * by path in UTF-8 byte order then position whatever the source order, data files without rows are left out, and
 * object-store locations get the bytes through the FileIO.
 */
import { after, before, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { DELETE_FILE_PATH_FIELD_ID, DELETE_FILE_POS_FIELD_ID, writePositionDeletes, type PositionDeleteTarget } from '../../src/engine/position-delete-writer.js';
import type { DataFile } from '../../src/iceberg/avro/manifest.js';
import { LocalFileIO, toLocalPath } from '../../src/iceberg/io/local-file-io.js';
import { MemoryFileIO } from '../../src/iceberg/io/memory-file-io.js';
import { deserializeValue } from '../../src/iceberg/spec/bounds.js';

let engine: Engine;
let dir: string;
const V2 = { 'write.delete.parquet.page-version': 'v2' };

before(async () => {
  engine = await Engine.create();
  dir = await mkdtemp(join(tmpdir(), 'floe-pos-v2-'));
  // Three data files' deletes in scrambled order, plus rows of a file no target names.
  await engine.run(
    `CREATE TEMP TABLE src AS SELECT * FROM (` +
      `SELECT 'data/b.parquet' AS file_path, (i * 3)::BIGINT AS pos FROM range(5000) t(i) ` +
      `UNION ALL SELECT 'data/\u00e9.parquet', (i * 7 + 1)::BIGINT FROM range(300) t(i) ` +
      `UNION ALL SELECT 'data/a.parquet', (2147483647 - i)::BIGINT FROM range(10) t(i) ` +
      `UNION ALL SELECT 'data/other.parquet', 1::BIGINT) ORDER BY hash(pos, file_path)`,
  );
});
after(async () => {
  engine.close();
  await rm(dir, { recursive: true, force: true });
});

const target = (path: string): PositionDeleteTarget => ({ path, specId: 0, partition: new Map() });

async function rows(path: string): Promise<Array<[string, number]>> {
  return (await (await engine.run(`SELECT file_path, pos::DOUBLE FROM read_parquet('${path}') ORDER BY file_row_number`)).getRowsJS()) as Array<[string, number]>;
}

async function expected(paths: string[]): Promise<Array<[string, number]>> {
  const list = paths.map((p) => `'${p}'`).join(', ');
  const got = (await (await engine.run(`SELECT file_path, pos::DOUBLE FROM src WHERE file_path IN (${list})`)).getRowsJS()) as Array<[string, number]>;
  return got.sort((x, y) => Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])) || x[1] - y[1]);
}

/** Checks the entry's facts against the file as DuckDB sees it. */
async function checkEntry(file: DataFile, local: string, paths: string[]): Promise<void> {
  const meta = (await (
    await engine.run(`SELECT path_in_schema, total_compressed_size, num_values, stats_min_value FROM parquet_metadata('${local}') ORDER BY column_id`)
  ).getRowsJS()) as Array<[string, bigint, bigint, string]>;
  assert.equal(file.file_size_in_bytes, BigInt((await stat(local)).size));
  assert.deepEqual(
    [...file.column_sizes!],
    [
      [DELETE_FILE_PATH_FIELD_ID, meta[0][1]],
      [DELETE_FILE_POS_FIELD_ID, meta[1][1]],
    ],
  );
  assert.equal(file.record_count, meta[0][2]);
  assert.deepEqual([...file.value_counts!.values()], [file.record_count, file.record_count]);
  assert.deepEqual([...file.null_value_counts!.values()], [0n, 0n]);
  assert.equal(deserializeValue('string', file.lower_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), paths[0]);
  assert.equal(deserializeValue('string', file.upper_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), paths[paths.length - 1]);
  const [lo, hi] = (await (await engine.run(`SELECT min(pos), max(pos) FROM read_parquet('${local}')`)).getRowsJS())[0] as [bigint, bigint];
  assert.equal(deserializeValue('long', file.lower_bounds!.get(DELETE_FILE_POS_FIELD_ID)!), lo);
  assert.equal(deserializeValue('long', file.upper_bounds!.get(DELETE_FILE_POS_FIELD_ID)!), hi);
  assert.equal(file.referenced_data_file, paths.length === 1 ? paths[0] : null);
  assert.equal(file.file_format, 'PARQUET');
  assert.equal(file.content, 1);
}

test('partition granularity: one file, sorted by UTF-8 path then position, one data page per data file', async () => {
  const location = join(dir, 'partition');
  const added = await writePositionDeletes(engine, {
    source: 'src',
    targets: ['data/\u00e9.parquet', 'data/b.parquet', 'data/a.parquet', 'data/none.parquet'].map(target),
    location,
    io: new LocalFileIO(),
    properties: { ...V2, 'write.delete.granularity': 'partition', 'write.delete.parquet.compression-codec': 'snappy' },
  });
  assert.equal(added.length, 1);
  const file = added[0].file;
  const local = toLocalPath(file.file_path);
  const paths = ['data/a.parquet', 'data/b.parquet', 'data/\u00e9.parquet']; // data/none.parquet has no rows
  assert.deepEqual(await rows(local), await expected(paths));
  await checkEntry(file, local, paths);
  assert.equal(file.record_count, 5310n);
  const footer = parquetMetadata(new Uint8Array(await new LocalFileIO().read(file.file_path)).buffer as ArrayBuffer);
  const [p, q] = footer.row_groups[0].columns.map((c) => c.meta_data!);
  assert.equal(p.codec, 'GZIP', 'the compression-codec property applies to v1 files only');
  assert.ok(q.codec === 'GZIP' || q.codec === 'UNCOMPRESSED', `pos codec ${q.codec}`);
  assert.deepEqual(q.encoding_stats?.map((s) => [s.page_type, s.encoding, s.count]), [['DATA_PAGE_V2', 'DELTA_BINARY_PACKED', 3]]);
  assert.match(footer.created_by ?? '', /^floe version \d/);
});

test('a group with rows for one data file only names it: referenced_data_file and equal path bounds', async () => {
  const added = await writePositionDeletes(engine, {
    source: 'src',
    targets: ['data/a.parquet', 'data/none.parquet'].map(target),
    location: join(dir, 'one'),
    io: new LocalFileIO(),
    properties: { ...V2, 'write.delete.granularity': 'partition' },
  });
  assert.equal(added.length, 1);
  const local = toLocalPath(added[0].file.file_path);
  assert.deepEqual(await rows(local), await expected(['data/a.parquet']));
  await checkEntry(added[0].file, local, ['data/a.parquet']);
});

test('file granularity: a file per data file with rows, none for the others', async () => {
  const location = join(dir, 'file');
  const added = await writePositionDeletes(engine, {
    source: 'src',
    targets: ['data/b.parquet', 'data/none.parquet', 'data/\u00e9.parquet'].map(target),
    location,
    io: new LocalFileIO(),
    properties: V2,
  });
  assert.deepEqual(
    added.map((a) => a.file.referenced_data_file),
    ['data/b.parquet', 'data/\u00e9.parquet'],
  );
  for (const a of added) {
    const local = toLocalPath(a.file.file_path);
    assert.deepEqual(await rows(local), await expected([a.file.referenced_data_file!]));
    await checkEntry(a.file, local, [a.file.referenced_data_file!]);
  }
  assert.equal((await readdir(location)).length, 2);
});

test('no rows for any target: nothing written', async () => {
  const location = join(dir, 'empty');
  const added = await writePositionDeletes(engine, {
    source: 'src',
    targets: ['data/none.parquet', 'data/nothing.parquet'].map(target),
    location,
    io: new LocalFileIO(),
    properties: { ...V2, 'write.delete.granularity': 'partition' },
  });
  assert.deepEqual(added, []);
  assert.deepEqual(await readdir(location).catch(() => []), []);
});

test('an object-store location gets the encoded bytes through the FileIO', async () => {
  const io = new MemoryFileIO();
  const added = await writePositionDeletes(engine, {
    source: 'src',
    targets: ['data/a.parquet', 'data/b.parquet'].map(target),
    location: 's3://bucket/table/data',
    io,
    properties: { ...V2, 'write.delete.granularity': 'partition' },
  });
  assert.equal(added.length, 1);
  const file = added[0].file;
  assert.match(file.file_path, /^s3:\/\/bucket\/table\/data\/.*-deletes\.parquet$/);
  const bytes = await io.read(file.file_path);
  assert.equal(BigInt(bytes.length), file.file_size_in_bytes);
  const local = join(dir, 'from-memory.parquet');
  await new LocalFileIO().write(local, bytes);
  assert.deepEqual(await rows(local), await expected(['data/a.parquet', 'data/b.parquet']));
});
