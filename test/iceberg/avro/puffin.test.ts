import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { isFloeError } from '../../../src/errors.js';
import { decodeDeletionVector, deletionVectorBlob } from '../../../src/iceberg/avro/deletion-vector.js';
import {
  PUFFIN_MAGIC,
  decompressLz4Frame,
  decompressPuffinBlob,
  puffinFooterLength,
  readPuffinBlob,
  readPuffinFooter,
  writePuffin,
  writePuffinFile,
} from '../../../src/iceberg/avro/puffin.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

// Fixtures: apache/iceberg core/src/test/resources/org/apache/iceberg/puffin/v1 (read by TestPuffinReader).
// The shared fixtures, found as every suite finds them (../shared/fixtures or FLOE_FIXTURES).
const FIXTURES = `${icebergFixtures() ?? '/nonexistent/shared/fixtures/iceberg'}/`;
const PUFFIN_DIR = `${FIXTURES}spec/puffin/v1/`;
const LEGACY_DV = `${FIXTURES}duckdb-iceberg/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector/data/legacy-bare-deletion-vector.puffin`;
const skip = existsSync(PUFFIN_DIR) ? false : `fixtures absent: ${PUFFIN_DIR}`;
const skipLegacy = existsSync(LEGACY_DV) ? false : `fixtures absent: ${LEGACY_DV}`;
const fixture = (name: string) => new Uint8Array(readFileSync(`${PUFFIN_DIR}${name}`));

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function throwsCode(fn: () => unknown, code: Parameters<typeof isFloeError>[1]): void {
  assert.throws(fn, (err: unknown) => isFloeError(err, code));
}

// Blob contents TestPuffinReader.testReadMetricData asserts.
const FIRST = 'abcdefghi';
const SECOND = 'some blob \u0000 binary data 🤯 that is not very very very very very very long, is it?';

// LZ4 frames written by the reference `lz4` CLI (v1.9.4).
// `lz4 --content-size`: one compressed block, content size and content checksum present.
const LZ4_SMALL =
  '04224d186c4041000000000000004123000000af616263646566676869200a000bc468656c6c6f2070756666696e0d0050756666696e00000000000a551c';
const LZ4_SMALL_TEXT = 'abcdefghi abcdefghi abcdefghi abcdefghi hello puffin hello puffin';
// Incompressible input: a stored (uncompressed) block, flagged by the block size's high bit.
const LZ4_STORED =
  '04224d186c402c00000000000000ef2c00008065572f152aa558f5c9fb85b8e6449447309eca72e467dc1316676c5bcdcf4457061227bda4c04faf7878787800000000863fab6b';
const LZ4_STORED_DATA = '65572f152aa558f5c9fb85b8e6449447309eca72e467dc1316676c5bcdcf4457061227bda4c04faf78787878';
// `lz4 -B4 -BD -BX --content-size`: 64 KiB linked blocks (matches reach into earlier blocks), block checksums.
const LZ4_LINKED =
  '04224d185c40044a0200000000000d7c01000060726f7720300a060011310600113206001133060011340600113506001136060011370600113806001139060013313d00023e0012313f0012314000123141001231420012314300123144001231450012314600034500015200024300024200024100024000023f00023e00023d00023c000f8200' +
  'ff'.repeat(256) +
  '26500a726f7720c3b14e5b0e010000113274ff0f6e' +
  'ff'.repeat(257) +
  'e25020340a726f7082c5b9b1000000917720350a726f772036060011370600113806001139060022313007001231070012320700123307001234070002420012314300123144001231450012314600034500012f00024300024200024100024000023f00023e00023d00023c000f8200' +
  'ff'.repeat(73) +
  '9350772031390a89e308fe00000000de68a375';
function linkedText(): string {
  let pattern = '';
  for (let i = 0; i < 20; i++) pattern += `row ${i}\n`;
  let s = '';
  while (s.length < 150000) s += pattern;
  return s;
}

/** A Puffin file by hand: blobs, then a footer with the given payload bytes and flags. */
function handMade(blobs: Uint8Array[], payload: Uint8Array, flags = 0): Uint8Array {
  const body = Buffer.concat([PUFFIN_MAGIC, ...blobs, PUFFIN_MAGIC, payload]);
  const trailer = Buffer.alloc(12);
  trailer.writeInt32LE(payload.length, 0);
  trailer.writeUInt32LE(flags, 4);
  trailer.set(PUFFIN_MAGIC, 8);
  return new Uint8Array(Buffer.concat([body, trailer]));
}

test('empty-puffin-uncompressed.bin: no blobs, no properties, 28-byte footer', { skip }, () => {
  const bytes = fixture('empty-puffin-uncompressed.bin');
  assert.equal(puffinFooterLength(bytes), 28); // PuffinFormatTestUtil.EMPTY_PUFFIN_UNCOMPRESSED_FOOTER_SIZE
  assert.deepEqual(readPuffinFooter(bytes), { blobs: [], properties: {} });
  assert.deepEqual(writePuffin([]), bytes);
});

test('sample-metric-data-uncompressed.bin: footer metadata and blob bytes', { skip }, () => {
  const bytes = fixture('sample-metric-data-uncompressed.bin');
  const meta = readPuffinFooter(bytes);
  assert.deepEqual(meta, {
    blobs: [
      { type: 'some-blob', fields: [1], 'snapshot-id': 2n, 'sequence-number': 1n, offset: 4, length: 9 },
      { type: 'some-other-blob', fields: [2], 'snapshot-id': 2n, 'sequence-number': 1n, offset: 13, length: 83 },
    ],
    properties: { 'created-by': 'Test 1234' },
  });
  assert.deepEqual(readPuffinBlob(bytes, meta.blobs[0]), utf8(FIRST));
  assert.deepEqual(readPuffinBlob(bytes, meta.blobs[1]), utf8(SECOND));
  // Our writer produces the file Iceberg Java wrote, byte for byte.
  const written = writePuffin(
    [
      { type: 'some-blob', fields: [1], 'snapshot-id': 2n, 'sequence-number': 1n, data: utf8(FIRST) },
      { type: 'some-other-blob', fields: [2], 'snapshot-id': 2n, 'sequence-number': 1n, data: utf8(SECOND) },
    ],
    { 'created-by': 'Test 1234' },
  );
  assert.deepEqual(written, bytes);
});

test('sample-metric-data-compressed-zstd.bin: zstd blobs decompress (fzstd)', { skip }, () => {
  const bytes = fixture('sample-metric-data-compressed-zstd.bin');
  assert.equal(puffinFooterLength(bytes), 314); // SAMPLE_METRIC_DATA_COMPRESSED_ZSTD_FOOTER_SIZE
  const meta = readPuffinFooter(bytes);
  assert.deepEqual(meta.properties, { 'created-by': 'Test 1234' });
  assert.deepEqual(
    meta.blobs.map((b) => [b.type, b.fields, b.offset, b.length, b['compression-codec']]),
    [
      ['some-blob', [1], 4, 22, 'zstd'],
      ['some-other-blob', [2], 26, 77, 'zstd'],
    ],
  );
  assert.deepEqual(readPuffinBlob(bytes, meta.blobs[0]), utf8(FIRST));
  assert.deepEqual(readPuffinBlob(bytes, meta.blobs[1]), utf8(SECOND));
  const corrupt = bytes.slice();
  corrupt[10] ^= 0xff;
  throwsCode(() => readPuffinBlob(corrupt, meta.blobs[0]), 'PUFFIN_INVALID');
});

test('footer read from the file tail alone, as a ranged reader would', { skip }, () => {
  const bytes = fixture('sample-metric-data-compressed-zstd.bin');
  const footerLength = puffinFooterLength(bytes.subarray(bytes.length - 12));
  const tail = bytes.subarray(bytes.length - footerLength);
  assert.deepEqual(readPuffinFooter(tail, { fileLength: bytes.length }), readPuffinFooter(bytes));
  throwsCode(() => readPuffinFooter(tail.subarray(1), { fileLength: bytes.length }), 'INVALID_ARGUMENT');
});

test('wrong footer sizes and missing magic are PUFFIN_INVALID', { skip }, () => {
  // Like TestPuffinReader.testWrongFooterSize: the payload size points the footer start off its magic.
  const bytes = fixture('sample-metric-data-uncompressed.bin');
  for (const delta of [-10, -1, 1, 10, 10000]) {
    const wrong = bytes.slice();
    const view = new DataView(wrong.buffer);
    view.setInt32(wrong.length - 12, view.getInt32(wrong.length - 12, true) + delta, true);
    throwsCode(() => readPuffinFooter(wrong), 'PUFFIN_INVALID');
  }
  const noHead = bytes.slice();
  noHead[0] = 0;
  throwsCode(() => readPuffinFooter(noHead), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(bytes.subarray(0, bytes.length - 1)), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(new Uint8Array(8)), 'PUFFIN_INVALID');
});

test('the DuckDB legacy bare deletion vector is not a Puffin file', { skip: skipLegacy }, () => {
  throwsCode(() => readPuffinFooter(new Uint8Array(readFileSync(LEGACY_DV))), 'PUFFIN_INVALID');
});

test('LZ4 frames from the reference CLI decode', () => {
  assert.equal(new TextDecoder().decode(decompressLz4Frame(hex(LZ4_SMALL))), LZ4_SMALL_TEXT);
  assert.deepEqual(decompressLz4Frame(hex(LZ4_STORED)), hex(LZ4_STORED_DATA));
  const linked = decompressLz4Frame(hex(LZ4_LINKED));
  assert.equal(linked.length, 150020);
  assert.equal(new TextDecoder().decode(linked), linkedText());
});

test('malformed LZ4 frames are PUFFIN_INVALID', () => {
  const small = hex(LZ4_SMALL);
  throwsCode(() => decompressLz4Frame(small.subarray(0, 20)), 'PUFFIN_INVALID');
  throwsCode(() => decompressLz4Frame(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), 'PUFFIN_INVALID');
  const badSize = small.slice();
  badSize[6] += 1; // declared content size no longer matches
  throwsCode(() => decompressLz4Frame(badSize), 'PUFFIN_INVALID');
  // A block whose first sequence has a match offset of 0xffff before any output exists.
  const block = [0x1f, 0x61, 0xff, 0xff, 0x00];
  const frame = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, block.length, 0, 0, 0, ...block, 0, 0, 0, 0);
  throwsCode(() => decompressLz4Frame(frame), 'PUFFIN_INVALID');
});

test('an LZ4-compressed footer (flags bit 0) and lz4 blobs are read', () => {
  const json = utf8(
    `{"blobs":[{"type":"t","fields":[],"snapshot-id":7777777777777777776,"sequence-number":-1,` +
      `"offset":4,"length":${LZ4_SMALL.length / 2},"compression-codec":"lz4"}]}`,
  );
  // A valid LZ4 frame holding the JSON as one stored block (no content size, no checksums).
  const stored = Buffer.alloc(4);
  stored.writeUInt32LE((json.length | 0x80000000) >>> 0);
  const footer = new Uint8Array(Buffer.concat([hex('04224d186040'), Uint8Array.of(0x82), stored, json, new Uint8Array(4)]));
  const file = handMade([hex(LZ4_SMALL)], footer, 1);
  const meta = readPuffinFooter(file);
  assert.equal(meta.blobs[0]['snapshot-id'], 7777777777777777776n); // above 2^53: kept exact
  assert.equal(meta.blobs[0]['sequence-number'], -1n);
  assert.equal(new TextDecoder().decode(readPuffinBlob(file, meta.blobs[0])), LZ4_SMALL_TEXT);
});

test('unknown flags and codecs are UNSUPPORTED; bad metadata is PUFFIN_INVALID', () => {
  const json = utf8('{"blobs":[]}');
  throwsCode(() => readPuffinFooter(handMade([], json, 2)), 'UNSUPPORTED');
  throwsCode(() => readPuffinFooter(handMade([], json, 0x100)), 'UNSUPPORTED');
  throwsCode(() => decompressPuffinBlob(new Uint8Array(1), 'snappy'), 'UNSUPPORTED');
  const blob = (extra: string) =>
    utf8(`{"blobs":[{"type":"t","fields":[1],"snapshot-id":1,"sequence-number":1,${extra}}]}`);
  throwsCode(() => readPuffinFooter(handMade([utf8('ab')], blob('"offset":4,"length":3'))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([utf8('ab')], blob('"offset":0,"length":2'))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([utf8('ab')], blob('"offset":4'))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([], utf8('{"blobs":{}}'))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([], utf8('{"blobs":[],"properties":{"a":1}}'))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([], utf8('{"blobs":['))), 'PUFFIN_INVALID');
  throwsCode(() => readPuffinFooter(handMade([], Uint8Array.of(0xff, 0xfe))), 'PUFFIN_INVALID');
  assert.deepEqual(readPuffinFooter(handMade([utf8('ab')], blob('"offset":4,"length":2'))).blobs[0].length, 2);
});

test('a deletion-vector Puffin file round-trips through writer, footer and blob reader', () => {
  const { bytes, metadata } = writePuffinFile(
    [
      deletionVectorBlob('s3://b/t/data/a.parquet', [0, 5, 2 ** 32 + 1]),
      deletionVectorBlob('s3://b/t/data/b.parquet', [7]),
    ],
    { 'created-by': 'floe' },
  );
  const footer = readPuffinFooter(bytes);
  assert.deepEqual(footer, metadata);
  assert.equal(footer.blobs[0].offset, 4);
  assert.equal(footer.blobs[1].offset, 4 + footer.blobs[0].length);
  assert.deepEqual(footer.blobs[1].properties, { 'referenced-data-file': 's3://b/t/data/b.parquet', cardinality: '1' });
  assert.equal(footer.blobs[0]['compression-codec'], undefined);
  const positions = footer.blobs.map((b) => Array.from(decodeDeletionVector(readPuffinBlob(bytes, b)).toFloat64Array()));
  assert.deepEqual(positions, [[0, 5, 2 ** 32 + 1], [7]]);
});
