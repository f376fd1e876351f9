import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { isFloeError } from '../../../src/errors.js';
import {
  RoaringBitmap32,
  RoaringBitmap64,
  decodeRoaring32,
  decodeRoaring64,
  encodeRoaring32,
  encodeRoaring64,
} from '../../../src/iceberg/avro/roaring.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

// Fixtures: apache/iceberg core/src/test/resources/org/apache/iceberg/deletes (copied from CRoaring's test data).
// The shared fixtures, found as every suite finds them (../shared/fixtures or FLOE_FIXTURES).
const FIXTURES = `${icebergFixtures() ?? '/nonexistent/shared/fixtures/iceberg'}/`;
const DV_DIR = `${FIXTURES}spec/deletion-vectors/`;
const skip = existsSync(DV_DIR) ? false : `fixtures absent: ${DV_DIR}`;
const fixture = (name: string) => new Uint8Array(readFileSync(`${DV_DIR}${name}`));

const TWO_32 = 2 ** 32;

/** Little-endian byte builder for hand-made bitmaps. */
function le(...parts: Array<[bits: 8 | 16 | 32, value: number]>): Uint8Array {
  const out: number[] = [];
  for (const [bits, v] of parts) for (let i = 0; i < bits / 8; i++) out.push((v >>> (8 * i)) & 0xff);
  return Uint8Array.from(out);
}

function throwsCode(fn: () => unknown, code: Parameters<typeof isFloeError>[1]): void {
  assert.throws(fn, (err: unknown) => isFloeError(err, code));
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32;
  };
}

// CRoaring's cpp_unit_util.cpp wrote these files; Iceberg's TestRoaringPositionBitmap reads them.
test('64mapempty.bin holds no values and re-serializes identically', { skip }, () => {
  const bytes = fixture('64mapempty.bin');
  const bitmap = decodeRoaring64(bytes);
  assert.equal(bitmap.cardinality, 0);
  assert.deepEqual(Array.from(bitmap.toFloat64Array()), []);
  assert.deepEqual(Array.from(bitmap.toBigUint64Array()), []);
  assert.deepEqual(bitmap.serialize(), bytes);
  assert.deepEqual(encodeRoaring64([]), bytes);
});

test('64map32bitvals.bin holds 0..9', { skip }, () => {
  const bytes = fixture('64map32bitvals.bin');
  const bitmap = decodeRoaring64(bytes);
  assert.deepEqual(Array.from(bitmap.toFloat64Array()), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...bitmap], [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
  assert.equal(bitmap.contains(9), true);
  assert.equal(bitmap.contains(10), false);
  assert.deepEqual(bitmap.serialize(), bytes);
  // CRoaring wrote an array container (no run optimization): the same choice reproduces the bytes.
  assert.deepEqual(encodeRoaring64([9, 3, 0, 1, 2, 4, 5, 6, 7, 8], { runOptimize: false }), bytes);
});

test('64mapspreadvals.bin holds (high << 32) + low for high, low in 0..9', { skip }, () => {
  const bytes = fixture('64mapspreadvals.bin');
  const bitmap = decodeRoaring64(bytes);
  const expected: number[] = [];
  for (let high = 0; high < 10; high++) for (let low = 0; low < 10; low++) expected.push(high * TWO_32 + low);
  assert.equal(bitmap.cardinality, 100);
  assert.deepEqual(Array.from(bitmap.keys), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(bitmap.toFloat64Array()), expected);
  assert.deepEqual(Array.from(bitmap.toBigUint64Array()), expected.map(BigInt));
  assert.equal(bitmap.contains((3n << 32n) | 7n), true);
  assert.equal(bitmap.contains(10n << 32n), false);
  assert.equal(bitmap.contains(10), false);
  assert.deepEqual(bitmap.serialize(), bytes);
  assert.deepEqual(encodeRoaring64(expected, { runOptimize: false }), bytes);
});

test('64maphighvals.bin as shipped is corrupt and is rejected', { skip }, () => {
  // The file in apache/iceberg (and so here) had every byte >= 0x80 replaced by the UTF-8 replacement character
  // EF BF BD, so it no longer decodes; Iceberg Java's testDeserializeUnsupportedRoaringExample expects failure too.
  const bytes = fixture('64maphighvals.bin');
  assert.deepEqual(Array.from(bytes.subarray(8, 11)), [0xef, 0xbf, 0xbd]);
  throwsCode(() => decodeRoaring64(bytes), 'PUFFIN_INVALID');
});

test('the values 64maphighvals.bin was meant to hold round-trip exactly', () => {
  // CRoaring's generator: high and low both in [2^32 - 11, 2^32 - 1], so values reach 2^64 - 1.
  const expected: bigint[] = [];
  for (let high = TWO_32 - 11; high < TWO_32; high++) {
    for (let low = TWO_32 - 11; low < TWO_32; low++) expected.push((BigInt(high) << 32n) | BigInt(low));
  }
  const bytes = encodeRoaring64([...expected].reverse(), { runOptimize: false });
  // 8-byte count + 11 buckets of (key 4 + cookie 4 + count 4 + header 4 + offset 4 + 11 values * 2).
  assert.equal(bytes.length, 8 + 11 * (20 + 22));
  const bitmap = decodeRoaring64(bytes);
  assert.equal(bitmap.cardinality, 121);
  assert.deepEqual(Array.from(bitmap.toBigUint64Array()), expected);
  assert.deepEqual([...bitmap], expected);
  assert.equal(bitmap.contains(2n ** 64n - 1n), true);
  assert.equal(bitmap.contains(2n ** 64n), false);
  throwsCode(() => bitmap.toFloat64Array(), 'UNSUPPORTED');
  // With run optimization each bucket is one run container (11 consecutive values): smaller, same content.
  const runs = encodeRoaring64(expected);
  assert.ok(runs.length < bytes.length);
  assert.deepEqual(Array.from(decodeRoaring64(runs).toBigUint64Array()), expected);
});

test('hand-built 32-bit bitmap with run cookie, offset header and all container kinds decodes', () => {
  // 4 containers (so SERIAL_COOKIE still writes offsets): key 0 array {1, 5}, key 1 run [10, 14],
  // key 2 bitmap of the even values 0..9998 (5000 > 4096), key 3 run [0, 0] and [65535, 65535].
  const cookie = (12347 | (3 << 16)) >>> 0;
  const header = le([32, cookie]);
  const runFlags = Uint8Array.of(0b1010);
  const descriptive = le([16, 0], [16, 1], [16, 1], [16, 4], [16, 2], [16, 4999], [16, 3], [16, 1]);
  const array = le([16, 1], [16, 5]);
  const run1 = le([16, 1], [16, 10], [16, 4]);
  const bitmap = new Uint8Array(8192);
  for (let v = 0; v < 10000; v += 2) bitmap[v >> 3] |= 1 << (v & 7);
  const run3 = le([16, 2], [16, 0], [16, 0], [16, 65535], [16, 0]);
  const start = header.length + runFlags.length + descriptive.length + 16;
  const offsets = le(
    [32, start],
    [32, start + array.length],
    [32, start + array.length + run1.length],
    [32, start + array.length + run1.length + 8192],
  );
  const bytes = new Uint8Array(Buffer.concat([header, runFlags, descriptive, offsets, array, run1, bitmap, run3]));
  const decoded = decodeRoaring32(bytes);
  assert.deepEqual(
    decoded.containers.map((c) => c.kind),
    ['array', 'run', 'bitmap', 'run'],
  );
  const expected = [1, 5, 65546, 65547, 65548, 65549, 65550];
  for (let v = 0; v < 10000; v += 2) expected.push(2 * 65536 + v);
  expected.push(3 * 65536, 3 * 65536 + 65535);
  assert.deepEqual(Array.from(decoded.toUint32Array()), expected);
  assert.equal(decoded.cardinality, expected.length);
  assert.equal(decoded.contains(2 * 65536 + 4), true);
  assert.equal(decoded.contains(2 * 65536 + 5), false);
  assert.equal(decoded.contains(65545), false);
  assert.equal(decoded.contains(3 * 65536 + 65535), true);
  // Our writer reproduces these bytes from the same containers.
  assert.deepEqual(decoded.serialize(), bytes);
});

test('32-bit encoding picks array, bitmap and run containers and round-trips', () => {
  const values: number[] = [7, 3, 3, 70000]; // array container 0, array container 1
  for (let v = 0; v < 20000; v += 3) values.push(5 * 65536 + v); // 6667 values: bitmap
  for (let v = 0; v < 10000; v++) values.push(9 * 65536 + v); // one run of 10000 (> 4096: bitmap unless runs)
  values.push(TWO_32 - 1);
  const expected = [...new Set(values)].sort((a, b) => a - b);
  const plain = encodeRoaring32(values, { runOptimize: false });
  const optimized = encodeRoaring32(values);
  const view = new DataView(plain.buffer, plain.byteOffset);
  assert.equal(view.getUint32(0, true), 12346, 'no run containers: SERIAL_COOKIE_NO_RUNCONTAINER');
  assert.equal(new DataView(optimized.buffer).getUint32(0, true) & 0xffff, 12347);
  assert.ok(optimized.length < plain.length);
  for (const bytes of [plain, optimized]) {
    const decoded = decodeRoaring32(bytes);
    assert.deepEqual(Array.from(decoded.toUint32Array()), expected);
  }
  assert.deepEqual(
    decodeRoaring32(plain).containers.map((c) => c.kind),
    ['array', 'array', 'bitmap', 'bitmap', 'array'],
  );
  assert.deepEqual(
    decodeRoaring32(optimized).containers.map((c) => c.kind),
    ['array', 'array', 'bitmap', 'run', 'array'],
  );
});

test('large random 64-bit sets round-trip through every representation', () => {
  const random = prng(42);
  const positions = new Set<number>();
  for (let i = 0; i < 200_000; i++) positions.add(Math.floor(random() * 3_000_000)); // dense: bitmap containers
  for (let i = 0; i < 5_000; i++) positions.add(Math.floor(random() * 2 ** 40)); // sparse, many buckets
  for (let v = 10_000_000; v < 10_200_000; v++) positions.add(v); // runs
  const expected = Float64Array.from(positions).sort();
  const bitmap = decodeRoaring64(encodeRoaring64(positions));
  assert.equal(bitmap.cardinality, expected.length);
  assert.deepEqual(bitmap.toFloat64Array(), expected);
  const big = bitmap.toBigUint64Array();
  assert.equal(big.length, expected.length);
  for (let i = 0; i < expected.length; i += 997) assert.equal(big[i], BigInt(expected[i]));
  for (let i = 0; i < 1000; i++) {
    const probe = Math.floor(random() * 3_000_000);
    assert.equal(bitmap.contains(probe), positions.has(probe), `contains(${probe})`);
  }
  // BigUint64Array input takes the same path to the same bytes.
  assert.deepEqual(encodeRoaring64(big), encodeRoaring64(expected));
});

test('building accepts mixed number/bigint input in any order and rejects non-integers', () => {
  const bitmap = RoaringBitmap64.from([5n, 3, 2n ** 40n, 3n, 0, 2 ** 40]);
  assert.deepEqual([...bitmap], [0n, 3n, 5n, 2n ** 40n]);
  throwsCode(() => RoaringBitmap64.from([-1]), 'INVALID_ARGUMENT');
  throwsCode(() => RoaringBitmap64.from([1.5]), 'INVALID_ARGUMENT');
  throwsCode(() => RoaringBitmap64.from([2n ** 64n]), 'INVALID_ARGUMENT');
  throwsCode(() => encodeRoaring32([TWO_32]), 'INVALID_ARGUMENT');
  throwsCode(() => RoaringBitmap32.fromSorted(Uint32Array.of(2, 1)), 'INVALID_ARGUMENT');
});

test('corrupt or truncated input fails with PUFFIN_INVALID', () => {
  const good = encodeRoaring64([1, 2, 3, 70000, 2 ** 33]);
  throwsCode(() => decodeRoaring64(good.subarray(0, good.length - 1)), 'PUFFIN_INVALID');
  throwsCode(() => decodeRoaring64(Uint8Array.of(...good, 0)), 'PUFFIN_INVALID'); // trailing byte
  throwsCode(() => decodeRoaring64(new Uint8Array(4)), 'PUFFIN_INVALID');
  throwsCode(() => decodeRoaring64(le([32, 0xffffffff], [32, 0])), 'PUFFIN_INVALID'); // absurd bucket count
  throwsCode(() => decodeRoaring64(le([32, 1], [32, 1])), 'PUFFIN_INVALID'); // count above 2^32 - 1
  throwsCode(() => decodeRoaring32(le([32, 12345], [32, 0])), 'PUFFIN_INVALID'); // unknown cookie
  // Array container whose values are not increasing.
  throwsCode(() => decodeRoaring32(le([32, 12346], [32, 1], [16, 0], [16, 1], [32, 16], [16, 5], [16, 4])), 'PUFFIN_INVALID');
  // Keys out of order.
  const keysBad = le([32, 12346], [32, 2], [16, 1], [16, 0], [16, 0], [16, 0], [32, 24], [32, 26], [16, 1], [16, 1]);
  throwsCode(() => decodeRoaring32(keysBad), 'PUFFIN_INVALID');
  // Bitmap container whose popcount disagrees with the header cardinality.
  const bm = new Uint8Array(Buffer.concat([le([32, 12346], [32, 1], [16, 0], [16, 4999], [32, 16]), new Uint8Array(8192)]));
  throwsCode(() => decodeRoaring32(bm), 'PUFFIN_INVALID');
  // Run container running past 65535.
  const run = le([32, 12347], [8, 1], [16, 0], [16, 9], [16, 1], [16, 65530], [16, 9]);
  throwsCode(() => decodeRoaring32(run), 'PUFFIN_INVALID');
});
