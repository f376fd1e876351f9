/**
 * DELTA_BINARY_PACKED, Parquet's delta encoding of INT32/INT64 values (Parquet Encodings.md "Delta Encoding"):
 *
 *     header: <block size> <miniblocks per block> <value count> <first value, zigzag>      (ULEB128 each)
 *     block:  <min delta, zigzag> <one bit-width byte per miniblock> <miniblocks, bit-packed>
 *
 * Each block holds the deltas of 128 consecutive values as 4 miniblocks of 32; a miniblock stores each delta minus
 * the block's min delta on the fewest bits that fit its largest, packed from the least significant bit of each byte
 * up (as the RLE/bit-packing hybrid). Sorted row positions, the reason floe has this encoder, have small non-negative
 * deltas, so a miniblock of 32 positions takes about 32 x log2(gap) bits.
 *
 * Values are JS numbers: integers in [0, 2^53). Deltas of such values are exact doubles; a block whose deltas minus
 * its min delta could pass 2^53 (only when values go down by more than they go up) is reduced through bigint.
 */
import { FloeError } from '../../errors.js';
import { ByteWriter } from './byte-writer.js';

/** Values per block (a multiple of 128, as the spec requires). */
export const DELTA_BLOCK_SIZE = 128;
/** Miniblocks per block: 32 values each (a multiple of 32, as the spec requires). */
export const DELTA_MINIBLOCKS = 4;
const MINI = DELTA_BLOCK_SIZE / DELTA_MINIBLOCKS;
const TWO_32 = 2 ** 32;

/** Bits needed for a value whose low and high 32-bit halves OR-ed over a miniblock are `lo` and `hi`. */
function bitWidth(lo: number, hi: number): number {
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
}

/** Scratch space, reused: one block's deltas and their reduced values as 32-bit halves, and one packed miniblock. */
const deltas = new Float64Array(DELTA_BLOCK_SIZE);
const lows = new Uint32Array(DELTA_BLOCK_SIZE);
const highs = new Uint32Array(DELTA_BLOCK_SIZE);
const packed = new Uint8Array((MINI * 64) / 8);

/** Packs `MINI` values (halves at `from` in lows/highs) on `width` bits, least significant bit first, into `out`. */
function packMiniblock(out: ByteWriter, from: number, width: number): void {
  if (width === 0) return;
  let acc = 0;
  let bits = 0;
  let p = 0;
  const lowBits = width > 32 ? 32 : width;
  // Appends the low `left` bits of `x`, at most 24 at a time joining the < 8 pending ones, so `acc` stays within
  // 31 bits.
  const push = (x: number, left: number) => {
    while (left > 0) {
      const take = left > 24 ? 24 : left;
      acc |= (x & ((1 << take) - 1)) << bits;
      bits += take;
      x >>>= take;
      left -= take;
      while (bits >= 8) {
        packed[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  };
  for (let i = from; i < from + MINI; i++) {
    push(lows[i], lowBits);
    push(highs[i], width - lowBits);
  }
  // 32 values x width bits is a whole number of bytes: nothing is left pending.
  out.bytes(packed.subarray(0, p));
}

function invalid(value: number, index: number): never {
  throw new FloeError('INVALID_ARGUMENT', `DELTA_BINARY_PACKED value ${value} at ${index} is not an integer in [0, 2^53)`, {
    context: { value, index },
  });
}

/** Appends `values` (integers in [0, 2^53)) DELTA_BINARY_PACKED to `out`. */
export function writeDeltaBinaryPacked(out: ByteWriter, values: ArrayLike<number>): void {
  const n = values.length;
  const first = n > 0 ? values[0] : 0;
  if (!(Number.isSafeInteger(first) && first >= 0)) invalid(first, 0);
  out.uvarint(DELTA_BLOCK_SIZE);
  out.uvarint(DELTA_MINIBLOCKS);
  out.uvarint(n);
  out.zigzag(first);
  let prev = first;
  for (let start = 1; start < n; start += DELTA_BLOCK_SIZE) {
    const count = Math.min(DELTA_BLOCK_SIZE, n - start);
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < count; j++) {
      const v = values[start + j];
      if (!(Number.isSafeInteger(v) && v >= 0)) invalid(v, start + j);
      const d = v - prev; // exact: both in [0, 2^53)
      deltas[j] = d;
      if (d < min) min = d;
      if (d > max) max = d;
      prev = v;
    }
    // d - min is exact unless it passes 2^53 (a large drop and a large rise in one block): then through bigint.
    if (min >= 0 || max <= Number.MAX_SAFE_INTEGER + min) {
      for (let j = 0; j < count; j++) {
        const r = deltas[j] - min;
        lows[j] = r >>> 0; // r mod 2^32, exact for any safe integer
        highs[j] = r < TWO_32 ? 0 : Math.floor(r / TWO_32);
      }
    } else {
      for (let j = 0; j < count; j++) {
        const r = BigInt(deltas[j]) - BigInt(min);
        lows[j] = Number(r & 0xffffffffn);
        highs[j] = Number(r >> 32n);
      }
    }
    // Padding of the last miniblock: zeros (the spec asks for zero bits; readers stop at the value count).
    lows.fill(0, count);
    highs.fill(0, count);
    out.zigzag(min);
    const widths = [0, 0, 0, 0];
    for (let m = 0; m < DELTA_MINIBLOCKS; m++) {
      let lo = 0;
      let hi = 0;
      for (let j = m * MINI; j < (m + 1) * MINI; j++) {
        lo |= lows[j];
        hi |= highs[j];
      }
      // Miniblocks past the last value keep width 0 and take no bytes (their width byte is still written).
      widths[m] = m * MINI < count ? bitWidth(lo >>> 0, hi >>> 0) : 0;
      out.byte(widths[m]);
    }
    for (let m = 0; m < DELTA_MINIBLOCKS && m * MINI < count; m++) packMiniblock(out, m * MINI, widths[m]);
  }
}

/** `values` (integers in [0, 2^53)) DELTA_BINARY_PACKED. */
export function encodeDeltaBinaryPacked(values: ArrayLike<number>): Uint8Array {
  const out = new ByteWriter(16 + values.length * 2);
  writeDeltaBinaryPacked(out, values);
  return out.finish();
}
