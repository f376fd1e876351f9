import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFloeError } from '../../../src/errors.js';
import {
  bytesToUuid,
  fromTwosComplement,
  hashValue,
  minimalTwosComplement,
  murmur3Hash32,
  uuidToBytes,
} from '../../../src/iceberg/spec/murmur3.js';

const DAY_2017_11_16 = 17486;
const TS_2017_11_16T22_31_08 = 1510871468000000n; // µs
const UUID = 'f79c3e09-677c-4bbd-a479-3f349cb785e7';
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const le64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, true);
  return b;
};

test('spec Appendix B byte vectors', () => {
  assert.equal(murmur3Hash32(Uint8Array.of(0, 1, 2, 3)), -188683207);
  assert.equal(murmur3Hash32(utf8('iceberg')), 1210000089);
  // 34 as an 8-byte little-endian long.
  assert.equal(murmur3Hash32(le64(34n)), 2017239379);
  // decimal 14.20 → unscaled 1420 → minimal big-endian 05 8C.
  assert.equal(murmur3Hash32(Uint8Array.of(0x05, 0x8c)), -500754589);
  assert.equal(
    murmur3Hash32(Uint8Array.from([0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7])),
    1488055340,
  );
});

test('well-known murmur3_x86_32 seed-0 values (every tail length)', () => {
  // Reference values of MurmurHash3_x86_32 with seed 0 (SMHasher / Guava murmur3_32_fixed).
  assert.equal(murmur3Hash32(new Uint8Array(0)), 0);
  assert.equal(murmur3Hash32(utf8('a')) >>> 0, 0x3c2569b2);
  assert.equal(murmur3Hash32(utf8('ab')) >>> 0, 0x9bbfd75f);
  assert.equal(murmur3Hash32(utf8('abc')) >>> 0, 0xb3dd93fa);
  assert.equal(murmur3Hash32(utf8('abcd')) >>> 0, 0x43ed676a);
  assert.equal(murmur3Hash32(utf8('Hello, world!')) >>> 0, 0xc0363e43);
  assert.equal(murmur3Hash32(utf8('The quick brown fox jumps over the lazy dog')) >>> 0, 0x2e4ff723);
});

test('seed changes the hash and the result is a signed 32-bit integer', () => {
  assert.equal(murmur3Hash32(new Uint8Array(0), 1) >>> 0, 0x514e28b7);
  const h = murmur3Hash32(utf8('iceberg'));
  assert.equal(h, h | 0);
});

test('hashes a subarray view by its own bytes only', () => {
  const backing = Uint8Array.of(9, 9, 0, 1, 2, 3, 9);
  assert.equal(murmur3Hash32(backing.subarray(2, 6)), -188683207);
});

test('hashValue matches every Appendix B test vector', () => {
  assert.equal(hashValue('int', 34), 2017239379);
  assert.equal(hashValue('long', 34n), 2017239379);
  assert.equal(hashValue('decimal(9,2)', 1420n), -500754589);
  assert.equal(hashValue('date', DAY_2017_11_16), -653330422);
  assert.equal(hashValue('time', 81068000000n), -662762989);
  assert.equal(hashValue('timestamp', TS_2017_11_16T22_31_08), -2047944441);
  assert.equal(hashValue('timestamp', TS_2017_11_16T22_31_08 + 1n), -1207196810);
  // 2017-11-16T14:31:08-08:00 is the same instant as 22:31:08 UTC.
  assert.equal(hashValue('timestamptz', TS_2017_11_16T22_31_08), -2047944441);
  assert.equal(hashValue('timestamptz', TS_2017_11_16T22_31_08 + 1n), -1207196810);
  assert.equal(hashValue('timestamp_ns', TS_2017_11_16T22_31_08 * 1000n), -2047944441);
  assert.equal(hashValue('timestamp_ns', TS_2017_11_16T22_31_08 * 1000n + 1001n), -1207196810);
  assert.equal(hashValue('timestamptz_ns', TS_2017_11_16T22_31_08 * 1000n), -2047944441);
  assert.equal(hashValue('timestamptz_ns', TS_2017_11_16T22_31_08 * 1000n + 1001n), -1207196810);
  assert.equal(hashValue('string', 'iceberg'), 1210000089);
  assert.equal(hashValue('uuid', UUID), 1488055340);
  assert.equal(hashValue('uuid', UUID.toUpperCase()), 1488055340);
  assert.equal(hashValue('fixed[4]', Uint8Array.of(0, 1, 2, 3)), -188683207);
  assert.equal(hashValue('binary', Uint8Array.of(0, 1, 2, 3)), -188683207);
  // Types not valid for bucketing, from the appendix's second table.
  assert.equal(hashValue('boolean', true), 1392991556);
  assert.equal(hashValue('float', 1), -142385009);
  assert.equal(hashValue('float', 0), 1669671676);
  assert.equal(hashValue('float', -0), 1669671676);
  assert.equal(hashValue('double', 1), -142385009);
  assert.equal(hashValue('double', 0), 1669671676);
  assert.equal(hashValue('double', -0), 1669671676);
  // Schema evolution section: "34" as a string hashes differently from 34.
  assert.equal(hashValue('string', '34'), -427558391);
  // Decimal hashes do not depend on scale; long and int hashes agree for any integer.
  assert.equal(hashValue('decimal(38,10)', 1420n), -500754589);
  assert.equal(hashValue('int', -7), hashValue('long', -7n));
  assert.throws(() => hashValue('variant', 'x'), (e) => isFloeError(e, 'UNSUPPORTED'));
});

test('byte helpers for decimals and uuids', () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  assert.equal(hex(minimalTwosComplement(1420n)), '058c');
  assert.equal(hex(minimalTwosComplement(-32768n)), '8000');
  assert.equal(hex(minimalTwosComplement(32768n)), '008000');
  for (const v of [0n, 1n, -1n, 255n, -256n, 10n ** 38n - 1n, -(10n ** 38n)]) {
    assert.equal(fromTwosComplement(minimalTwosComplement(v)), v);
  }
  assert.equal(hex(uuidToBytes(UUID)), 'f79c3e09677c4bbda4793f349cb785e7');
  assert.equal(bytesToUuid(uuidToBytes(UUID.toUpperCase())), UUID);
  assert.throws(() => uuidToBytes('f79c3e09'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});
