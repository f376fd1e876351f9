/**
 * The Thrift compact-protocol writer (`thrift-compact.ts`) and the varints under it (`byte-writer.ts`): bytes
 * derived by hand from the compact protocol spec, and read back by hyparquet's own compact-protocol reader.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { isFloeError } from '../../../src/errors.js';
import { ByteWriter } from '../../../src/iceberg/parquet/byte-writer.js';
import { binary, bool, encodeStruct, i16, i32, i64, i8, list, struct } from '../../../src/iceberg/parquet/thrift-compact.js';

test('ByteWriter: ULEB128 and zigzag varints, exact past 2^52 and for int64 extremes; grows as it fills', () => {
  const w = new ByteWriter(1);
  w.uvarint(0);
  w.uvarint(127);
  w.uvarint(128);
  w.uvarint(300);
  w.uvarint(Number.MAX_SAFE_INTEGER);
  assert.deepEqual([...w.finish()], [0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  const z = new ByteWriter();
  z.zigzag(0);
  z.zigzag(-1);
  z.zigzag(1);
  z.zigzag(-64);
  z.zigzag(64);
  assert.deepEqual([...z.finish()], [0x00, 0x01, 0x02, 0x7f, 0x80, 0x01]);
  // 2^53 - 1 folds to 2^54 - 2 (bigint path): 0x7e, six 0x7f (each with the continuation bit), then 5 bits 0x1f.
  const big = new ByteWriter();
  big.zigzag(Number.MAX_SAFE_INTEGER);
  assert.deepEqual([...big.finish()], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
  const min = new ByteWriter();
  min.zigzag(-(2n ** 63n)); // folds to 2^64 - 1: nine 0xff and 0x01
  assert.deepEqual([...min.finish()], [...Array(9).fill(0xff), 0x01]);
  const grown = new ByteWriter(1);
  const payload = Uint8Array.from({ length: 1000 }, (_, k) => k % 251);
  for (let k = 0; k < 1000; k += 100) grown.bytes(payload.subarray(k, k + 100));
  grown.byte(7);
  assert.deepEqual([...grown.finish()], [...payload, 7]);
  assert.throws(() => new ByteWriter().uvarint(-1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => new ByteWriter().uvarint(1.5), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => new ByteWriter().zigzag(2n ** 63n), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('compact structs: short and long field headers, bools in the header, lists, nested and empty structs', () => {
  const bytes = encodeStruct([
    [1, i32(3)],
    [2, i32(-1)],
    [3, undefined], // unset optional: nothing written, the next delta counts from field 2
    [20, binary('ab')],
    [21, bool(true)],
    [22, list('i32', [i32(1), i32(2)])],
    [23, struct([])],
    [24, bool(false)],
  ]);
  assert.deepEqual(
    [...bytes],
    [
      0x15, 0x06, // field 1 (delta 1), i32 (5): zigzag(3) = 6
      0x15, 0x01, // field 2, i32: zigzag(-1) = 1
      0x08, 0x28, 0x02, 0x61, 0x62, // field 20: delta 18 > 15, so type 8 (binary) then zigzag(20) = 40; length 2, "ab"
      0x11, // field 21, bool true: type 1, no body
      0x19, 0x25, 0x02, 0x04, // field 22, list (9): 2 elements of i32 (5), zigzag 1 and 2
      0x1c, 0x00, // field 23, struct (12): empty, stop
      0x12, // field 24, bool false: type 2
      0x00, // stop
    ],
  );
  const long = encodeStruct([[1, list('i8', Array.from({ length: 15 }, (_, k) => i8(k)))]]);
  assert.deepEqual([...long.subarray(0, 3)], [0x19, 0xf3, 0x0f], 'size 15: high nibble 0xF, then the size as a varint');
  assert.throws(() => encodeStruct([[2, i32(1)], [2, i32(1)]]), (e) => isFloeError(e, 'INTERNAL'));
  assert.throws(() => encodeStruct([[1, i32(2 ** 31)]]), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => encodeStruct([[1, i16(40000)]]), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('hyparquet reads back every kind the writer writes', () => {
  const bytes = encodeStruct([
    [1, i8(-5)],
    [2, i16(-300)],
    [3, i32(123456789)],
    [4, i64(2n ** 62n)],
    [5, i64(-(2 ** 40))],
    [6, binary(new Uint8Array([0, 255]))],
    [7, bool(true)],
    [8, bool(false)],
    [40, list('binary', [binary('x'), binary('é')])],
    [41, list('struct', Array.from({ length: 20 }, (_, k) => struct([[1, i32(k)]])))],
    [300, struct([[17, i64(7)]])],
  ]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  const got = deserializeTCompactProtocol(reader) as Record<string, unknown>;
  assert.equal(reader.offset, bytes.length, 'the stop byte ends the struct exactly');
  assert.equal(got.field_1, -5);
  assert.equal(got.field_2, -300);
  assert.equal(got.field_3, 123456789);
  assert.equal(got.field_4, 2n ** 62n);
  assert.equal(got.field_5, -(2n ** 40n));
  assert.deepEqual([...(got.field_6 as Uint8Array)], [0, 255]);
  assert.equal(got.field_7, true);
  assert.equal(got.field_8, false);
  assert.deepEqual((got.field_40 as Uint8Array[]).map((b) => new TextDecoder().decode(b)), ['x', 'é']);
  assert.deepEqual((got.field_41 as Array<{ field_1: number }>).map((s) => s.field_1), Array.from({ length: 20 }, (_, k) => k));
  assert.deepEqual(got.field_300, { field_17: 7n });
});
