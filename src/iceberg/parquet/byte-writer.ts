/**
 * A growable byte buffer with the variable-length integers Parquet's encodings and the Thrift compact protocol
 * share: ULEB128 (unsigned LEB128) and zigzag (signed values folded onto unsigned ones, Parquet Encodings.md
 * "Delta Encoding", Thrift compact protocol "Integer encoding").
 *
 * Values are JS numbers, exact up to 2^53; a zigzag value whose fold may pass 2^53 goes through bigint.
 */
import { FloeError } from '../../errors.js';

/** |v| below this: 2|v| + 1 is still an exact double, so zigzag folds without bigint. */
const ZIGZAG_EXACT = 2 ** 52;

/** Appends bytes to a buffer that doubles as it fills; {@link ByteWriter.finish} returns the written bytes. */
export class ByteWriter {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  /** Appends one byte (the low 8 bits of `b`). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Appends `bytes` as they are. */
  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends a non-negative integer (at most 2^53 - 1) as ULEB128. */
  uvarint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new FloeError('INVALID_ARGUMENT', `not an unsigned varint: ${v}`, { context: { value: v } });
    this.ensure(8);
    // `v & 0x7f` is exact for any safe integer (ToInt32 keeps v mod 2^32); the division by 128 is exact too.
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** Appends a signed integer (a safe integer or any int64 bigint) zigzag-folded, as ULEB128. */
  zigzag(v: number | bigint): void {
    if (typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) < ZIGZAG_EXACT) {
      this.uvarint(v < 0 ? -2 * v - 1 : 2 * v);
      return;
    }
    const b = BigInt(v);
    if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new FloeError('INVALID_ARGUMENT', `not an int64: ${b}`, { context: { value: String(b) } });
    let z = b < 0n ? -2n * b - 1n : 2n * b;
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.length++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.length++] = Number(z);
  }

  /** The bytes written so far (a view: later writes may or may not show through it). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
