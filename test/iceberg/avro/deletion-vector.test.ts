import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { isFloeError } from '../../../src/errors.js';
import {
  DELETION_VECTOR_BLOB_TYPE,
  ROW_POSITION_FIELD_ID,
  crc32,
  decodeDeletionVector,
  deletionVectorBlob,
  encodeDeletionVector,
} from '../../../src/iceberg/avro/deletion-vector.js';
import { RoaringBitmap64 } from '../../../src/iceberg/avro/roaring.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

// The shared fixtures, found as every suite finds them (../shared/fixtures or FLOE_FIXTURES).
const FIXTURES = `${icebergFixtures() ?? '/nonexistent/shared/fixtures/iceberg'}/`;
const DV_DIR = `${FIXTURES}spec/deletion-vectors/`;
const LEGACY_DV = `${FIXTURES}duckdb-iceberg/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector/data/legacy-bare-deletion-vector.puffin`;
const skip = existsSync(DV_DIR) ? false : `fixtures absent: ${DV_DIR}`;
const skipLegacy = existsSync(LEGACY_DV) ? false : `fixtures absent: ${LEGACY_DV}`;
const fixture = (name: string) => new Uint8Array(readFileSync(`${DV_DIR}${name}`));

function throwsCode(fn: () => unknown, code: Parameters<typeof isFloeError>[1]): void {
  assert.throws(fn, (err: unknown) => isFloeError(err, code));
}

/** Iceberg Java's TestBitmapPositionDeleteIndex.position(bitmap, container, value). */
const BITMAP_OFFSET = 2 ** 32;
const CONTAINER_OFFSET = 65536;
const position = (bitmap: number, container: number, value: number) =>
  bitmap * BITMAP_OFFSET + container * CONTAINER_OFFSET + value;
/** `index.delete(start, end)` in Java deletes the half-open range [start, end). */
const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);

// The golden files of Iceberg Java's TestBitmapPositionDeleteIndex, with the positions each test deletes. Java
// asserts both that it decodes them to those positions and that its own serialization equals them byte for byte.
const GOLDEN: Record<string, number[]> = {
  'empty-position-index.bin': [],
  'small-alternating-values-position-index.bin': [1, 3, 5, 7, 9],
  'small-and-large-values-position-index.bin': [100, 101, 2147483647 + 100, 2147483647 + 101],
  'all-container-types-position-index.bin': [
    position(0, 0, 5),
    position(0, 0, 7),
    ...range(position(0, 1, 1), position(0, 1, 1000)),
    ...range(position(0, 2, 1), position(0, 2, CONTAINER_OFFSET - 1)),
    position(1, 0, 10),
    position(1, 0, 20),
    ...range(position(1, 1, 10), position(1, 1, 500)),
    ...range(position(1, 2, 1), position(1, 2, CONTAINER_OFFSET - 1)),
  ],
};

for (const [name, positions] of Object.entries(GOLDEN)) {
  test(`${name} decodes to the positions Iceberg Java deleted, and encoding reproduces it`, { skip }, () => {
    const bytes = fixture(name);
    const bitmap = decodeDeletionVector(bytes, { expectedCardinality: positions.length });
    assert.equal(bitmap.cardinality, positions.length);
    assert.deepEqual(Array.from(bitmap.toFloat64Array()), positions);
    // Shuffled input: the encoder sorts. Byte equality also checks the run-container choice and the CRC.
    assert.deepEqual(encodeDeletionVector([...positions].reverse()), bytes);
  });
}

test('all-container-types fixture uses array, run and bitmap-sized containers', { skip }, () => {
  const bitmap = decodeDeletionVector(fixture('all-container-types-position-index.bin'));
  assert.deepEqual(Array.from(bitmap.keys), [0, 1]);
  assert.deepEqual(
    bitmap.bitmaps.map((b) => b.containers.map((c) => c.kind)),
    [
      ['array', 'run', 'run'],
      ['array', 'run', 'run'],
    ],
  );
  assert.equal(bitmap.contains(position(0, 2, CONTAINER_OFFSET - 1)), false);
  assert.equal(bitmap.contains(position(1, 2, CONTAINER_OFFSET - 2)), true);
});

test('a corrupted CRC is rejected with PUFFIN_INVALID', { skip }, () => {
  const bytes = fixture('small-alternating-values-position-index.bin').slice();
  bytes[bytes.length - 1] ^= 0x01;
  throwsCode(() => decodeDeletionVector(bytes), 'PUFFIN_INVALID');
  const payload = fixture('small-alternating-values-position-index.bin').slice();
  payload[20] ^= 0x40; // a bitmap byte: the stored CRC no longer matches
  throwsCode(() => decodeDeletionVector(payload), 'PUFFIN_INVALID');
});

test('CRC matches Iceberg Java for positions {1, 2} (TestBitmapPositionDeleteIndex.testDeserializeInvalidCrc)', () => {
  const bytes = encodeDeletionVector([1, 2]);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(bytes.length - 4, false), 0x712fa6e8);
  bytes[bytes.length - 1] ^= 0x01;
  assert.throws(
    () => decodeDeletionVector(bytes, { location: 's3://bucket/dv.puffin' }),
    (err: unknown) =>
      isFloeError(err, 'PUFFIN_INVALID') &&
      err.message.includes('s3://bucket/dv.puffin') &&
      err.message.includes('0x712fa6e8') &&
      err.message.includes('0x712fa6e9'),
  );
});

test('crc32 is the IEEE CRC-32', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const all = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(all), 0x414fa339);
  assert.equal(crc32(all.subarray(10), crc32(all.subarray(0, 10))), 0x414fa339);
});

test('encode/decode round trip keeps every position, including ones beyond 2^32', () => {
  const positions = [0, 1, 2, 3, 4095, 4096, 65535, 65536, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1];
  for (let v = 1_000_000; v < 1_010_000; v += 2) positions.push(v); // 5000 values in one container: bitmap
  const bitmap = decodeDeletionVector(encodeDeletionVector(positions));
  assert.deepEqual(Array.from(bitmap.toFloat64Array()), [...positions].sort((a, b) => a - b));
  const big = decodeDeletionVector(encodeDeletionVector([2n ** 63n - 1n, 5n]));
  assert.deepEqual([...big], [5n, 2n ** 63n - 1n]);
  const fromBitmap = RoaringBitmap64.from([9, 8, 7]);
  assert.deepEqual(encodeDeletionVector(fromBitmap), encodeDeletionVector([7, 8, 9]));
});

test('malformed blobs are rejected with PUFFIN_INVALID', () => {
  const good = encodeDeletionVector([1, 2, 3]);
  const badMagic = good.slice();
  badMagic[4] = 0;
  throwsCode(() => decodeDeletionVector(badMagic), 'PUFFIN_INVALID');
  const badLength = good.slice();
  new DataView(badLength.buffer).setUint32(0, good.length - 7, false);
  throwsCode(() => decodeDeletionVector(badLength), 'PUFFIN_INVALID');
  throwsCode(() => decodeDeletionVector(good.subarray(0, 10)), 'PUFFIN_INVALID');
  throwsCode(() => decodeDeletionVector(Uint8Array.of(...good, 0)), 'PUFFIN_INVALID');
  throwsCode(() => decodeDeletionVector(good, { expectedCardinality: 4 }), 'PUFFIN_INVALID');
  assert.equal(decodeDeletionVector(good, { expectedCardinality: 3n }).cardinality, 3);
});

test('positions with the sign bit set are rejected on both sides', () => {
  throwsCode(() => encodeDeletionVector([2n ** 63n]), 'INVALID_ARGUMENT');
  // Hand-build a blob holding 2^63 with a valid CRC: decoding must still refuse it (puffin-spec: MSB must be 0).
  const bitmap = RoaringBitmap64.from([2n ** 63n]).serialize();
  const data = new Uint8Array(4 + bitmap.length);
  data.set([0xd1, 0xd3, 0x39, 0x64]);
  data.set(bitmap, 4);
  const blob = new Uint8Array(4 + data.length + 4);
  const view = new DataView(blob.buffer);
  view.setUint32(0, data.length, false);
  blob.set(data, 4);
  view.setUint32(4 + data.length, crc32(data), false);
  throwsCode(() => decodeDeletionVector(blob), 'PUFFIN_INVALID');
});

test('deletionVectorBlob carries the metadata the Puffin spec requires', () => {
  const blob = deletionVectorBlob('s3://b/t/data/a.parquet', [4, 2, 2]);
  assert.equal(blob.type, DELETION_VECTOR_BLOB_TYPE);
  assert.deepEqual(blob.fields, [ROW_POSITION_FIELD_ID]);
  assert.equal(blob['snapshot-id'], -1n);
  assert.equal(blob['sequence-number'], -1n);
  assert.deepEqual(blob.properties, { 'referenced-data-file': 's3://b/t/data/a.parquet', cardinality: '2' });
  assert.deepEqual(Array.from(decodeDeletionVector(blob.data).toFloat64Array()), [2, 4]);
});

test('DuckDB legacy bare deletion vector: the .puffin file is the blob itself', { skip: skipLegacy }, () => {
  // Its delete manifest entry has content_offset 0, content_size_in_bytes 42 and record_count 1.
  const file = new Uint8Array(readFileSync(LEGACY_DV));
  assert.equal(file.length, 42);
  const bitmap = decodeDeletionVector(file.subarray(0, 42), { expectedCardinality: 1 });
  assert.deepEqual(Array.from(bitmap.toFloat64Array()), [1]);
});
