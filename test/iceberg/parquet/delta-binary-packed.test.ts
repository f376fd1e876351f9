/**
 * DELTA_BINARY_PACKED (`delta-binary-packed.ts`): exact bytes derived by hand from Parquet Encodings.md, and round
 * trips through hyparquet's decoder for block and miniblock edges, large gaps, values past 2^32 and near 2^53, and
 * unsorted values (whose deltas minus the block minimum pass 2^53).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { deltaBinaryUnpack } from 'hyparquet/src/delta.js';
import { isFloeError } from '../../../src/errors.js';
import { encodeDeltaBinaryPacked } from '../../../src/iceberg/parquet/delta-binary-packed.js';

/** Decodes with hyparquet; checks the encoding ends exactly where the bytes do. */
function decode(bytes: Uint8Array, count: number): number[] {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const out = new BigInt64Array(count);
  deltaBinaryUnpack(reader, count, out);
  if (count > 1) assert.equal(reader.offset, bytes.length, 'no bytes after the last value');
  return [...out].map(Number);
}

function roundTrip(values: number[]): Uint8Array {
  const bytes = encodeDeltaBinaryPacked(values);
  assert.deepEqual(decode(bytes, values.length), values);
  return bytes;
}

let seed = 12345;
/** A deterministic pseudo-random number in [0, 1). */
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

test('the spec example 7 5 3 1 2 3 4 5, in blocks of 128 values and 4 miniblocks, byte for byte', () => {
  assert.deepEqual(
    [...encodeDeltaBinaryPacked([7, 5, 3, 1, 2, 3, 4, 5])],
    [
      0x80, 0x01, 0x04, 0x08, 0x0e, // header: block size 128, 4 miniblocks, 8 values, first value zigzag(7) = 14
      0x03, // min delta -2, zigzag 3
      0x02, 0x00, 0x00, 0x00, // bit widths: the 7 deltas minus -2 (0 0 0 3 3 3 3) fit 2 bits; miniblocks 2-4 are empty
      0xc0, 0x3f, 0, 0, 0, 0, 0, 0, // 32 values x 2 bits, least significant bit first, padded with zeros
    ],
  );
  assert.deepEqual([...encodeDeltaBinaryPacked([5])], [0x80, 0x01, 0x04, 0x01, 0x0a], 'one value: the header alone');
  assert.deepEqual([...encodeDeltaBinaryPacked([])], [0x80, 0x01, 0x04, 0x00, 0x00]);
});

test('round trips at block and miniblock edges: 1, 2, 32, 33, 127, 128, 129, 130, 257 values', () => {
  for (const n of [1, 2, 32, 33, 127, 128, 129, 130, 257]) {
    roundTrip(Array.from({ length: n }, (_, k) => k * 3 + (k % 5)));
  }
  // Equal values: every delta is the min delta, so every bit width is 0 and the one block is 5 bytes (min delta and
  // 4 widths) after the 6-byte header (128 and 129 take 2 bytes each).
  assert.equal(roundTrip(Array(129).fill(42)).length, 6 + 1 + 4);
});

test('round trips of ascending positions: random gaps, gaps of 2^31 - 1, values past 2^32 and near 2^53', () => {
  const gaps: number[] = [];
  let p = 0;
  for (let k = 0; k < 10_000; k++) {
    gaps.push(p);
    p += 1 + Math.floor(-Math.log(1 - random()) * 100);
  }
  const bytes = roundTrip(gaps);
  assert.ok(bytes.length < 10_000 * 1.5, `about 10 bits a position for gaps of ~100, got ${bytes.length} bytes`);
  roundTrip(Array.from({ length: 300 }, (_, k) => k * (2 ** 31 - 1)));
  roundTrip(Array.from({ length: 300 }, (_, k) => 2 ** 40 + k * 2 ** 35 + (k % 7)));
  roundTrip(Array.from({ length: 200 }, (_, k) => Number.MAX_SAFE_INTEGER - 199 + k));
  roundTrip([0, Number.MAX_SAFE_INTEGER]);
});

test('round trips of unsorted values, drops and rises of up to 2^53 in one block', () => {
  // Deltas 2^53 - 2 and -(2^53 - 1): their difference, 2^54 - 3, is odd and past 2^53, where doubles are even only.
  roundTrip([1, Number.MAX_SAFE_INTEGER, 0]);
  roundTrip([Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER, 0, 1, Number.MAX_SAFE_INTEGER - 1]);
  roundTrip(Array.from({ length: 1000 }, () => Math.floor(random() * 2 ** 31) * 2 ** 22 + Math.floor(random() * 2 ** 22)));
  roundTrip(Array.from({ length: 1000 }, () => Math.floor(random() * 1000)));
});

test('values that are not integers in [0, 2^53) are INVALID_ARGUMENT', () => {
  for (const bad of [[-1], [1.5], [2 ** 53], [NaN], [0, 1, -1], [0, 2 ** 53], [0, Infinity]]) {
    assert.throws(() => encodeDeltaBinaryPacked(bad), (e) => isFloeError(e, 'INVALID_ARGUMENT'), String(bad));
  }
});
