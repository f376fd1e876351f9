/**
 * floe's position delete file layout (`position-delete-parquet.ts`), checked by two independent readers: DuckDB
 * (rows, `parquet_metadata`, `parquet_schema`) and hyparquet (rows, footer, and each page header walked one by one:
 * a dictionary page, then one data page v2 per data file in both columns, aligned). Also: edge cases of runs and
 * positions, paths ordered by UTF-8 bytes, bad input as INVALID_ARGUMENT, and the file size against DuckDB's own
 * v2 file of the same rows, the reason for the encoder.
 */
import { after, before, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { isFloeError } from '../../../src/errors.js';
import {
  DELETE_FILE_PATH_FIELD_ID,
  DELETE_FILE_POS_FIELD_ID,
  encodePositionDeleteFile,
  type PositionDeleteRun,
} from '../../../src/iceberg/parquet/position-delete-parquet.js';

let engine: Engine;
let dir: string;
let files = 0;

before(async () => {
  engine = await Engine.create();
  dir = await mkdtemp(join(tmpdir(), 'floe-pos-parquet-'));
});
after(async () => {
  engine.close();
  await rm(dir, { recursive: true, force: true });
});

async function save(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `${files++}.parquet`);
  await writeFile(path, bytes);
  return path;
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await (await engine.run(sql)).getRowsJS()) as unknown[][];
}

/** The rows the runs stand for, in file order. */
function expectedRows(runs: PositionDeleteRun[]): Array<[string, number]> {
  return runs.flatMap((r) => Array.from(r.positions, (p): [string, number] => [r.path, p]));
}

/** Encodes, then checks DuckDB and hyparquet read exactly the runs' rows, in order. */
async function roundTrip(runs: PositionDeleteRun[]): Promise<{ path: string; bytes: Uint8Array }> {
  const { bytes, rowCount } = encodePositionDeleteFile(runs);
  const expected = expectedRows(runs);
  assert.equal(rowCount, expected.length);
  const path = await save(bytes);
  const duck = await rows(`SELECT file_path, pos::DOUBLE FROM read_parquet('${path}') ORDER BY file_row_number`);
  assert.deepEqual(duck, expected, 'DuckDB reads the same rows in the same order');
  const hyp = await parquetReadObjects({ file: toArrayBuffer(bytes), compressors: { GZIP: (input: Uint8Array) => gunzipSync(input) } });
  assert.deepEqual(
    hyp.map((r) => [r.file_path, Number(r.pos)]),
    expected,
    'hyparquet reads the same rows in the same order',
  );
  return { path, bytes };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

interface Page {
  type: number;
  numRows?: number;
  isCompressed?: boolean;
}

/** Walks the page headers of the column chunk at [start, start + size) with hyparquet's Thrift reader. */
function pages(bytes: Uint8Array, start: number, size: number): Page[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: start };
  const out: Page[] = [];
  while (reader.offset < start + size) {
    const h = deserializeTCompactProtocol(reader) as {
      field_1: number;
      field_3: number;
      field_8?: { field_3: number; field_7?: boolean };
    };
    out.push({ type: h.field_1, numRows: h.field_8?.field_3, isCompressed: h.field_8?.field_7 });
    reader.offset += h.field_3; // compressed_page_size: the body after the header
  }
  assert.equal(reader.offset, start + size, 'the pages fill the chunk exactly');
  return out;
}

let seed = 99;
/** A deterministic pseudo-random number in [0, 1). */
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

/** `count` ascending positions with geometric gaps of mean `gap` (a random sample of a file's rows). */
function sample(count: number, gap: number): number[] {
  const out: number[] = [];
  let p = Math.floor(random() * gap);
  for (let k = 0; k < count; k++) {
    out.push(p);
    p += 1 + Math.floor(-Math.log(1 - random()) * (gap - 1));
  }
  return out;
}

/** A data file path like floe's: `<warehouse>/data/data-<uuid>.parquet`, pseudo-random. */
function dataPath(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `s3://bucket/warehouse/bench.db/orders/data/data-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}.parquet`;
}

const byUtf8 = (a: { path: string }, b: { path: string }) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));

test('edge cases read back by DuckDB and hyparquet: one position, 128 and 129, gaps of 2^31 - 1, runs of one', async () => {
  await roundTrip([{ path: 'a.parquet', positions: [0] }]);
  await roundTrip([{ path: 'a.parquet', positions: Array.from({ length: 128 }, (_, k) => k * 2) }]);
  await roundTrip([{ path: 'a.parquet', positions: Array.from({ length: 129 }, (_, k) => k * 2 + 1) }]);
  await roundTrip([
    { path: 'a.parquet', positions: Array.from({ length: 200 }, (_, k) => k * (2 ** 31 - 1)) },
    { path: 'b.parquet', positions: [2 ** 31 - 1] },
    { path: 'c.parquet', positions: [0, 0, 5] }, // repeats are kept, as a COPY would keep them
  ]);
  await roundTrip([
    { path: 'x/1.parquet', positions: [7] },
    { path: 'x/2.parquet', positions: Float64Array.of(3, 4) },
    { path: 'x/3.parquet', positions: Int32Array.of(1) },
  ]);
});

test('non-ASCII paths are ordered by UTF-8 bytes, which differ from JS string order past U+FFFF', async () => {
  // U+FF5E is EF BD 9E in UTF-8, before U+1F600 (F0 9F 98 80); in UTF-16 the surrogate D83D sorts first.
  const runs = [
    { path: 'data/caf\u00e9.parquet', positions: [1, 2] },
    { path: 'data/\u65e5\u672c.parquet', positions: [3] },
    { path: 'data/\uff5e.parquet', positions: [4, 9] },
    { path: 'data/\u{1f600}.parquet', positions: [5] },
  ];
  assert.deepEqual([...runs].sort(byUtf8), runs);
  const { path } = await roundTrip(runs);
  assert.equal((await rows(`SELECT DISTINCT file_path FROM read_parquet('${path}')`)).length, 4);
  const utf16 = [...runs].sort((a, b) => (a.path < b.path ? -1 : 1));
  assert.throws(() => encodePositionDeleteFile(utf16), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('1,000 runs: file_path has one dictionary page and one data page of 1,000 RLE runs; pos one data page v2 per run', async () => {
  const runs = Array.from({ length: 1000 }, (_, k) => ({
    path: `s3://b/t/data/${String(k).padStart(5, '0')}.parquet`,
    positions: sample(1 + (k % 7) * 20, 30),
  }));
  const { path, bytes } = await roundTrip(runs);
  const meta = parquetMetadata(toArrayBuffer(bytes));
  assert.equal(meta.row_groups.length, 1);
  const [pathChunk, posChunk] = meta.row_groups[0].columns.map((c) => c.meta_data!);
  const pathPages = pages(bytes, Number(pathChunk.dictionary_page_offset), Number(pathChunk.total_compressed_size));
  const posPages = pages(bytes, Number(posChunk.data_page_offset), Number(posChunk.total_compressed_size));
  assert.deepEqual(pathPages[0].type, 2, 'a dictionary page first');
  assert.equal(pathPages.length, 2);
  assert.equal(posPages.length, runs.length);
  const lengths = runs.map((r) => r.positions.length);
  assert.deepEqual([pathPages[1].type, pathPages[1].numRows], [3, lengths.reduce((a, b) => a + b, 0)]);
  assert.deepEqual(posPages.map((p) => [p.type, p.numRows]), lengths.map((n) => [3, n]));
  assert.equal(pathPages[1].isCompressed, false);
  assert.equal(Number(pathChunk.data_page_offset), Number(pathChunk.dictionary_page_offset) + dictionaryPageLength(bytes, pathChunk), 'data pages follow it');
  const [count] = (await rows(`SELECT count(DISTINCT file_path) FROM read_parquet('${path}')`))[0];
  assert.equal(Number(count), 1000);
});

/** The dictionary page's length (header and body), from its header. */
function dictionaryPageLength(bytes: Uint8Array, chunk: { dictionary_page_offset?: bigint }): number {
  const start = Number(chunk.dictionary_page_offset);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: start };
  const h = deserializeTCompactProtocol(reader) as { field_3: number };
  return reader.offset - start + h.field_3;
}

test('footer: field ids, types, encodings, codecs, statistics and sizes as parquet_schema and parquet_metadata show', async () => {
  const runs = [
    { path: 's3://b/data/a.parquet', positions: [10, 20, 30] },
    { path: 's3://b/data/b.parquet', positions: [2, 4_000_000] },
  ];
  const encoded = encodePositionDeleteFile(runs, { createdBy: 'floe version 9.9.9' });
  const path = await save(encoded.bytes);
  const schema = await rows(`SELECT name, type, repetition_type, converted_type, field_id::BIGINT FROM parquet_schema('${path}') WHERE type IS NOT NULL ORDER BY column_id`);
  assert.deepEqual(schema, [
    ['file_path', 'BYTE_ARRAY', 'REQUIRED', 'UTF8', BigInt(DELETE_FILE_PATH_FIELD_ID)],
    ['pos', 'INT64', 'REQUIRED', null, BigInt(DELETE_FILE_POS_FIELD_ID)],
  ]);
  assert.equal(DELETE_FILE_PATH_FIELD_ID, 2147483546);
  assert.equal(DELETE_FILE_POS_FIELD_ID, 2147483545);
  const meta = await rows(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, encodings, compression, num_values, stats_min_value, stats_max_value, ` +
      `stats_null_count, total_compressed_size FROM parquet_metadata('${path}') ORDER BY column_id`,
  );
  assert.deepEqual(meta, [
    // No path min/max in the footer: the manifest entry's bounds carry them.
    [0n, 5n, 'file_path', 'PLAIN, RLE_DICTIONARY', 'GZIP', 5n, null, null, 0n, BigInt(encoded.columnSizes.get(DELETE_FILE_PATH_FIELD_ID)!)],
    [0n, 5n, 'pos', 'DELTA_BINARY_PACKED', 'UNCOMPRESSED', 5n, '2', '4000000', 0n, BigInt(encoded.columnSizes.get(DELETE_FILE_POS_FIELD_ID)!)],
  ]);
  assert.deepEqual([encoded.rowCount, encoded.minPosition, encoded.maxPosition, encoded.dataPages], [5, 2, 4_000_000, 2]);
  const footer = parquetMetadata(toArrayBuffer(encoded.bytes));
  assert.equal(footer.created_by, 'floe version 9.9.9');
  assert.equal(footer.version, 1);
  const [p, q] = footer.row_groups[0].columns.map((c) => c.meta_data!);
  assert.deepEqual(
    p.encoding_stats?.map((s) => [s.page_type, s.encoding, s.count]),
    [
      ['DICTIONARY_PAGE', 'PLAIN', 1],
      ['DATA_PAGE_V2', 'RLE_DICTIONARY', 1],
    ],
  );
  assert.deepEqual(q.encoding_stats?.map((s) => [s.page_type, s.encoding, s.count]), [['DATA_PAGE_V2', 'DELTA_BINARY_PACKED', 2]]);
  // The chunks and the footer tile the file: magic, file_path, pos, footer, length, magic.
  const sizes = [...encoded.columnSizes.values()].reduce((a, b) => a + b, 0);
  const footerLength = new DataView(encoded.bytes.buffer, encoded.bytes.byteOffset).getUint32(encoded.bytes.length - 8, true);
  assert.equal(4 + sizes + footerLength + 8, encoded.bytes.length);
  assert.equal(Number(p.dictionary_page_offset), 4);
  assert.equal(Number(q.data_page_offset), 4 + encoded.columnSizes.get(DELETE_FILE_PATH_FIELD_ID)!);
});

test('a realistic delete file (10,000 positions over 25 data files) is much smaller than DuckDB\'s v2 COPY of it', async () => {
  // Like a late commit of `npm run bench -- versions`: a 1M-row data file and 24 small ones written by earlier
  // upserts, each with a random sample of its rows deleted.
  const runs: PositionDeleteRun[] = [{ path: dataPath(), positions: sample(4000, 250) }];
  for (let k = 0; k < 24; k++) runs.push({ path: dataPath(), positions: sample(250, 40) });
  runs.sort(byUtf8);
  const { path, bytes } = await roundTrip(runs);
  const copy = join(dir, 'duckdb.parquet');
  await engine.run(
    `COPY (SELECT file_path, pos::BIGINT AS pos FROM read_parquet('${path}') ORDER BY file_path, pos) TO '${copy}' ` +
      `(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2, FIELD_IDS {file_path: ${DELETE_FILE_PATH_FIELD_ID}, pos: ${DELETE_FILE_POS_FIELD_ID}})`,
  );
  const duckdb = (await stat(copy)).size;
  const ratio = bytes.length / duckdb;
  // Measured 0.714 (0.764 before the paths moved to one data page and out of the footer statistics): DuckDB's one
  // delta run pays for each switch of data file, while here each data file's positions are their own page. Most of what is left is the positions themselves (gaps of
  // ~40 and ~250 bit-packed: 12,373 bytes, about 10 bits each), which no Parquet encoding makes much smaller.
  assert.ok(ratio < 0.74, `floe ${bytes.length} bytes, DuckDB ${duckdb} bytes: ratio ${ratio.toFixed(3)}`);
});

test('bad input is INVALID_ARGUMENT: no runs, an empty run, unsorted or repeated paths, unsorted or negative positions', () => {
  const bad: PositionDeleteRun[][] = [
    [],
    [{ path: 'a', positions: [] }],
    [
      { path: 'b', positions: [1] },
      { path: 'a', positions: [1] },
    ],
    [
      { path: 'a', positions: [1] },
      { path: 'a', positions: [2] },
    ],
    [{ path: 'a', positions: [2, 1] }],
    [{ path: 'a', positions: [-1, 1] }],
    [{ path: 'a', positions: [0.5] }],
    [{ path: 'a', positions: [2 ** 53] }],
  ];
  for (const runs of bad) {
    assert.throws(() => encodePositionDeleteFile(runs), (e) => isFloeError(e, 'INVALID_ARGUMENT'), JSON.stringify(runs));
  }
});

test('a position page is stored gzip-compressed only when that is smaller; DuckDB and hyparquet read the mix', async () => {
  // Gaps alternating 1 and 1,000 bit-pack to 10 bits each but repeat exactly, which gzip shrinks; uniformly random
  // gaps of 1 to 1,024 fill their 10 bits and do not shrink; a page of 3 positions is under the size worth trying.
  const alternating = Array.from({ length: 4096 }, (_, i) => Math.floor(i / 2) * 1001 + (i % 2));
  const uniform: number[] = [];
  for (let k = 0, p = 0; k < 4096; k++) uniform.push((p += 1 + Math.floor(random() * 1024)));
  const runs: PositionDeleteRun[] = [
    { path: 'data/a.parquet', positions: alternating },
    { path: 'data/b.parquet', positions: uniform },
    { path: 'data/c.parquet', positions: [1, 5, 9] },
  ];
  const { bytes } = await roundTrip(runs);
  const meta = parquetMetadata(toArrayBuffer(bytes));
  const posChunk = meta.row_groups[0].columns[1].meta_data!;
  assert.equal(posChunk.codec, 'GZIP');
  const posPages = pages(bytes, Number(posChunk.data_page_offset), Number(posChunk.total_compressed_size));
  assert.deepEqual(posPages.map((p) => p.isCompressed), [true, false, false]);
  assert.ok(Number(posChunk.total_uncompressed_size) > Number(posChunk.total_compressed_size));
  // With no page worth compressing the chunk says UNCOMPRESSED.
  const plain = encodePositionDeleteFile([runs[1], runs[2]]);
  assert.equal(parquetMetadata(toArrayBuffer(plain.bytes)).row_groups[0].columns[1].meta_data!.codec, 'UNCOMPRESSED');
});
