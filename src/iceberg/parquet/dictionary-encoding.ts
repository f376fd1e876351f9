/**
 * Dictionary encoding of a BYTE_ARRAY column (Parquet Encodings.md "Dictionary Encoding"): the distinct values once,
 * PLAIN, in the chunk's dictionary page; each data page then holds entry indices as the RLE/bit-packing hybrid,
 * preceded by one byte giving their bit width.
 *
 * floe's position delete files name each data file's rows together, so their indices are runs of one entry, which the
 * hybrid stores as RLE runs: `varint(count << 1)` and the index on ceil(bit width / 8) bytes.
 */
import { FloeError } from '../../errors.js';
import { ByteWriter } from './byte-writer.js';

/** PLAIN byte arrays, the dictionary page's body: each value as a 4-byte little-endian length and its bytes. */
export function plainByteArrays(values: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const v of values) size += 4 + v.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const v of values) {
    view.setUint32(at, v.length, true);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}

/** Bits per index for a dictionary of `size` entries (0 for one entry: every index is 0). */
export function dictionaryBitWidth(size: number): number {
  return size <= 1 ? 0 : 32 - Math.clz32(size - 1);
}

/** A run of rows naming one dictionary entry. */
export interface DictionaryRun {
  index: number;
  count: number;
}

/**
 * A data page's values section for `runs` of rows each naming one dictionary entry (of `size` entries): the bit
 * width byte, then one RLE run per entry run (RLE runs hold 1 to 2^31 - 1 values, Encodings.md "Run Length
 * Encoding").
 */
export function dictionaryIndexRuns(runs: readonly DictionaryRun[], size: number): Uint8Array {
  const width = dictionaryBitWidth(size);
  const out = new ByteWriter(16 + runs.length * 8);
  out.byte(width);
  for (const { index, count } of runs) {
    if (!Number.isInteger(count) || count < 1 || count > 2 ** 31 - 1 || !Number.isInteger(index) || index < 0 || index >= size) {
      throw new FloeError('INVALID_ARGUMENT', `bad dictionary run: index ${index} of ${size}, ${count} values`, { context: { index, size, count } });
    }
    out.uvarint(count * 2); // the run header: count << 1, low bit 0 marks an RLE run
    for (let b = 0; b < Math.ceil(width / 8); b++) out.byte((index >>> (8 * b)) & 0xff);
  }
  return out.finish();
}
