/**
 * Deletion vectors: the Puffin blob type `deletion-vector-v1` (puffin-spec "`deletion-vector-v1` blob type"; table
 * spec "Deletion Vectors"). A blob is, in order:
 *
 * - the length of (magic + bitmap) as a 4-byte big-endian integer,
 * - the magic bytes `D1 D3 39 64`,
 * - the deleted positions as a portable 64-bit Roaring bitmap (little-endian),
 * - a CRC-32 (IEEE) of (magic + bitmap) as a 4-byte big-endian integer.
 *
 * The big-endian length and CRC come from Delta Lake's deletion vectors, which the spec keeps compatible.
 * Pure code: the caller slices the blob out of its Puffin file by `content_offset` / `content_size_in_bytes`.
 */
import { FloeError } from '../../errors.js';
import type { PuffinBlobInput } from './puffin.js';
import { RoaringBitmap64, readRoaring64, type RoaringValues } from './roaring.js';

/** Puffin blob type of a deletion vector. */
export const DELETION_VECTOR_BLOB_TYPE = 'deletion-vector-v1';

/** Magic bytes that open the vector's data (puffin-spec `deletion-vector-v1`). */
export const DELETION_VECTOR_MAGIC: Uint8Array = Uint8Array.of(0xd1, 0xd3, 0x39, 0x64);

/** Field id of the `_pos` metadata column (spec "Reserved Field IDs"): the one field a deletion vector lists. */
export const ROW_POSITION_FIELD_ID = 2147483645;

/** Largest high 32-bit key: the spec allows only positive 64-bit positions ("the most significant bit must be 0"). */
const MAX_KEY = 0x7fffffff;

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as `java.util.zip.CRC32` computes it. `zlib.crc32` only
 * exists from Node 20.15 / 22.2 and floe supports every Node >= 20, hence this table-driven helper.
 * Pass a previous result as `crc` to continue a checksum over more bytes.
 *
 * @returns the checksum as an unsigned 32-bit integer
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Options of {@link decodeDeletionVector}. */
export interface DecodeDeletionVectorOptions {
  /**
   * The delete file's `record_count` from its manifest entry: the number of deleted positions the vector must
   * hold (Iceberg Java rejects a mismatch, and so does floe).
   */
  expectedCardinality?: number | bigint;
  /** Location of the Puffin file, for error messages and context. */
  location?: string;
}

function invalid(message: string, options: DecodeDeletionVectorOptions, context: Record<string, unknown> = {}) {
  const where = options.location === undefined ? '' : ` ${options.location}`;
  return new FloeError('PUFFIN_INVALID', `invalid deletion vector${where}: ${message}`, {
    context: { ...(options.location === undefined ? {} : { location: options.location }), ...context },
  });
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Decodes a `deletion-vector-v1` blob (exactly the blob's bytes) into its set of deleted row positions. Verifies the
 * length field, the magic bytes, the CRC-32 and that every position is below 2^63.
 * Errors: `PUFFIN_INVALID`.
 */
export function decodeDeletionVector(blob: Uint8Array, options: DecodeDeletionVectorOptions = {}): RoaringBitmap64 {
  if (blob.length < 4 + 4 + 8 + 4) throw invalid(`blob too short (${blob.length} bytes)`, options);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const dataLength = view.getUint32(0, false);
  // The length covers magic + bitmap; the blob adds the length field itself and the trailing CRC.
  if (dataLength !== blob.length - 8) {
    throw invalid(`length field ${dataLength} does not match blob size ${blob.length} - 8`, options, {
      dataLength,
      blobLength: blob.length,
    });
  }
  for (let i = 0; i < 4; i++) {
    if (blob[4 + i] !== DELETION_VECTOR_MAGIC[i]) throw invalid('bad magic bytes (expected D1 D3 39 64)', options);
  }
  const expectedCrc = view.getUint32(4 + dataLength, false);
  const actualCrc = crc32(blob.subarray(4, 4 + dataLength));
  if (actualCrc !== expectedCrc) {
    throw invalid(`CRC mismatch: computed ${hex(actualCrc)}, stored ${hex(expectedCrc)}`, options, {
      computedCrc: actualCrc,
      storedCrc: expectedCrc,
    });
  }
  const { bitmap, end } = readRoaring64(blob.subarray(0, 4 + dataLength), 8);
  if (end !== 4 + dataLength) throw invalid(`${4 + dataLength - end} bytes after the bitmap`, options);
  const lastKey = bitmap.keys.length === 0 ? 0 : bitmap.keys[bitmap.keys.length - 1];
  if (lastKey > MAX_KEY) throw invalid(`position key ${lastKey} has the sign bit set`, options, { key: lastKey });
  const expected = options.expectedCardinality;
  if (expected !== undefined && BigInt(bitmap.cardinality) !== BigInt(expected)) {
    throw invalid(`cardinality ${bitmap.cardinality}, expected ${expected}`, options, {
      cardinality: bitmap.cardinality,
      expectedCardinality: expected,
    });
  }
  return bitmap;
}

/**
 * Encodes deleted row positions as a `deletion-vector-v1` blob. Positions may come in any order and repeat; run
 * containers are used where smaller, as Iceberg Java does, so equal inputs give byte-identical blobs.
 * The Puffin blob metadata must then carry `referenced-data-file` and `cardinality` properties and
 * `snapshot-id` / `sequence-number` -1 (puffin-spec); this function only builds the bytes.
 * Errors: `INVALID_ARGUMENT` for positions outside [0, 2^63).
 */
export function encodeDeletionVector(positions: RoaringBitmap64 | RoaringValues): Uint8Array {
  const bitmap = positions instanceof RoaringBitmap64 ? positions : RoaringBitmap64.from(positions);
  const lastKey = bitmap.keys.length === 0 ? 0 : bitmap.keys[bitmap.keys.length - 1];
  if (lastKey > MAX_KEY) throw new FloeError('INVALID_ARGUMENT', 'deletion vector positions must be below 2^63');
  const dataLength = 4 + bitmap.serializedSizeInBytes();
  const out = new Uint8Array(4 + dataLength + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, dataLength, false);
  out.set(DELETION_VECTOR_MAGIC, 4);
  bitmap.serializeInto(view, 8);
  view.setUint32(4 + dataLength, crc32(out.subarray(4, 4 + dataLength)), false);
  return out;
}

/**
 * A Puffin blob for the deleted `positions` of the data file at `referencedDataFile`, with the metadata the
 * puffin-spec requires: `referenced-data-file` and `cardinality` properties, `snapshot-id` and `sequence-number`
 * -1 (inherited on commit), no compression; `fields` lists `_pos` as Iceberg Java writes it.
 */
export function deletionVectorBlob(
  referencedDataFile: string,
  positions: RoaringBitmap64 | RoaringValues,
): PuffinBlobInput {
  const bitmap = positions instanceof RoaringBitmap64 ? positions : RoaringBitmap64.from(positions);
  return {
    type: DELETION_VECTOR_BLOB_TYPE,
    fields: [ROW_POSITION_FIELD_ID],
    'snapshot-id': -1n,
    'sequence-number': -1n,
    data: encodeDeletionVector(bitmap),
    properties: { 'referenced-data-file': referencedDataFile, cardinality: String(bitmap.cardinality) },
  };
}
