/**
 * Puffin files (format/puffin-spec.md): `Magic Blob₁ … Blobₙ Footer`, where the footer is
 * `Magic FooterPayload FooterPayloadSize Flags Magic` and the payload is UTF-8 JSON `FileMetadata`, optionally
 * LZ4-compressed (flag bit 0 of byte 0). Iceberg keeps deletion vectors and column statistics in them.
 *
 * Pure code over byte arrays. A reader that fetches ranges can read the last 12 bytes, call
 * {@link puffinFooterLength}, fetch that many trailing bytes and call {@link readPuffinFooter} with `fileLength`.
 *
 * Codecs: `lz4` (a single LZ4 frame) is decoded here; `zstd` uses the pure-JS `fzstd` package, since Node 20's
 * zlib has no Zstandard (added in Node 22.15).
 */
import { decompress as zstdDecompress } from 'fzstd';
import { FloeError } from '../../errors.js';
import { parseJson, stringifyJson } from '../../util/json.js';

/** The 4 magic bytes `PFA1` that open a Puffin file and its footer. */
export const PUFFIN_MAGIC: Uint8Array = Uint8Array.of(0x50, 0x46, 0x41, 0x31);

/** FooterPayloadSize (4) + Flags (4) + Magic (4): the fixed tail of every footer. */
const FOOTER_TRAILER_BYTES = 12;

/** One blob's entry in the footer (puffin-spec "BlobMetadata"), in the spec's JSON shape. */
export interface PuffinBlobMetadata {
  /** Blob type, e.g. `deletion-vector-v1` or `apache-datasketches-theta-v1`. */
  type: string;
  /** Field ids the blob was computed for. */
  fields: number[];
  /** Snapshot the blob was computed from; -1 for deletion vectors (not known when written). */
  'snapshot-id': bigint;
  /** Sequence number of that snapshot; -1 for deletion vectors. */
  'sequence-number': bigint;
  /** Byte offset of the blob in the file. */
  offset: number;
  /** Stored (possibly compressed) length in bytes. */
  length: number;
  /** `lz4` or `zstd`; absent when uncompressed. */
  'compression-codec'?: string;
  /** Blob properties, e.g. `referenced-data-file` and `cardinality` for deletion vectors. */
  properties?: Record<string, string>;
}

/** The footer's `FileMetadata`. */
export interface PuffinFileMetadata {
  /** Blobs in file order. */
  blobs: PuffinBlobMetadata[];
  /** File properties such as `created-by`; empty when the footer has none. */
  properties: Record<string, string>;
}

/** Options of {@link readPuffinFooter}. */
export interface ReadPuffinFooterOptions {
  /**
   * Length of the whole file when `bytes` holds only its tail (at least {@link puffinFooterLength} bytes).
   * Defaults to `bytes.length`: `bytes` is the whole file.
   */
  fileLength?: number;
}

function invalid(message: string, context: Record<string, unknown> = {}): FloeError {
  return new FloeError('PUFFIN_INVALID', `invalid Puffin file: ${message}`, { context });
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return at >= 0 && at + 4 <= bytes.length && PUFFIN_MAGIC.every((b, i) => bytes[at + i] === b);
}

/**
 * Total footer length (magic + payload + size + flags + magic) given at least the file's last 12 bytes.
 * Errors: `PUFFIN_INVALID`.
 */
export function puffinFooterLength(tail: Uint8Array): number {
  if (tail.length < FOOTER_TRAILER_BYTES) throw invalid(`too short for a footer (${tail.length} bytes)`);
  if (!hasMagic(tail, tail.length - 4)) throw invalid('missing footer magic at end of file');
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  // "A 4 byte integer is always signed, in a two's complement representation, stored little-endian."
  const payloadSize = view.getInt32(tail.length - FOOTER_TRAILER_BYTES, true);
  if (payloadSize < 0) throw invalid(`negative footer payload size ${payloadSize}`);
  return 4 + payloadSize + FOOTER_TRAILER_BYTES;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (!isRecord(v)) throw invalid(`${what} must be an object`);
  for (const [k, s] of Object.entries(v)) if (typeof s !== 'string') throw invalid(`${what}.${k} must be a string`);
  return v as Record<string, string>;
}

function long(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw invalid(`${what} must be an integer`);
}

function parseBlob(b: unknown, i: number, blobsEnd: number): PuffinBlobMetadata {
  const what = `blobs[${i}]`;
  if (!isRecord(b)) throw invalid(`${what} must be an object`);
  if (typeof b.type !== 'string') throw invalid(`${what}.type must be a string`);
  if (!Array.isArray(b.fields) || !b.fields.every((f) => typeof f === 'number' && Number.isInteger(f))) {
    throw invalid(`${what}.fields must be a list of field ids`);
  }
  const offset = b.offset;
  const length = b.length;
  // JSON longs, but a blob offset or length beyond 2^53 cannot address bytes here: parseJson made it a bigint.
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw invalid(`${what}.offset must be an integer`);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw invalid(`${what}.length must be a non-negative integer`);
  }
  // Blobs lie between the leading magic and the footer.
  if (offset < PUFFIN_MAGIC.length || offset + length > blobsEnd) {
    throw invalid(`${what} [${offset}, ${offset + length}) lies outside the blob area`, { offset, length, blobsEnd });
  }
  const meta: PuffinBlobMetadata = {
    type: b.type,
    fields: b.fields as number[],
    'snapshot-id': long(b['snapshot-id'], `${what}.snapshot-id`),
    'sequence-number': long(b['sequence-number'], `${what}.sequence-number`),
    offset,
    length,
  };
  const codec = b['compression-codec'];
  if (codec !== undefined && codec !== null) {
    if (typeof codec !== 'string') throw invalid(`${what}.compression-codec must be a string`);
    meta['compression-codec'] = codec;
  }
  if (b.properties !== undefined && b.properties !== null) {
    meta.properties = stringMap(b.properties, `${what}.properties`);
  }
  return meta;
}

/**
 * Parses a Puffin file's footer. `bytes` is the whole file, or its tail when `options.fileLength` is given.
 * 64-bit ids are read exactly (as bigint). Errors: `PUFFIN_INVALID` for a malformed file, `UNSUPPORTED` for
 * footer flags this reader does not know, `INVALID_ARGUMENT` when the given tail is shorter than the footer.
 */
export function readPuffinFooter(bytes: Uint8Array, options: ReadPuffinFooterOptions = {}): PuffinFileMetadata {
  const fileLength = options.fileLength ?? bytes.length;
  const tailStart = fileLength - bytes.length; // file offset of bytes[0]
  if (tailStart < 0) throw new FloeError('INVALID_ARGUMENT', 'fileLength is smaller than the bytes given');
  const footerLength = puffinFooterLength(bytes);
  const footerStart = fileLength - footerLength; // file offset of the footer's magic
  if (footerStart < PUFFIN_MAGIC.length) {
    throw invalid(`footer payload size exceeds the file`, { fileLength, footerLength });
  }
  if (footerStart < tailStart) {
    throw new FloeError('INVALID_ARGUMENT', `need the last ${footerLength} bytes of the file to read its footer`, {
      context: { footerLength },
    });
  }
  if (tailStart === 0 && !hasMagic(bytes, 0)) throw invalid('missing magic at start of file');
  const local = footerStart - tailStart;
  if (!hasMagic(bytes, local)) throw invalid(`expected footer magic at offset ${footerStart}`);
  const flags = bytes.subarray(bytes.length - 8, bytes.length - 4);
  // Flags byte 0 bit 0: payload is LZ4-compressed; every other bit is reserved and must be 0 on write.
  if ((flags[0] & ~1) !== 0 || flags[1] !== 0 || flags[2] !== 0 || flags[3] !== 0) {
    throw new FloeError('UNSUPPORTED', `unknown Puffin footer flags ${Array.from(flags).join(',')}`);
  }
  let payload = bytes.subarray(local + 4, bytes.length - FOOTER_TRAILER_BYTES);
  if (flags[0] & 1) payload = decompressLz4Frame(payload);
  let json: unknown;
  try {
    json = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw new FloeError('PUFFIN_INVALID', 'invalid Puffin file: footer payload is not UTF-8 JSON', { cause });
  }
  if (!isRecord(json) || !Array.isArray(json.blobs)) throw invalid('footer must be an object with a blobs list');
  const blobs = json.blobs.map((b, i) => parseBlob(b, i, footerStart));
  const properties = json.properties === undefined || json.properties === null ? {} : json.properties;
  return { blobs, properties: stringMap(properties, 'properties') };
}

/**
 * Returns a blob's bytes from the whole file, decompressed. Uncompressed blobs are a view into `file`, not a copy.
 * Errors: `PUFFIN_INVALID`, `UNSUPPORTED` (unknown codec).
 */
export function readPuffinBlob(file: Uint8Array, blob: PuffinBlobMetadata): Uint8Array {
  if (blob.offset < 0 || blob.offset + blob.length > file.length) {
    throw invalid(`blob [${blob.offset}, ${blob.offset + blob.length}) exceeds the file`, { fileLength: file.length });
  }
  return decompressPuffinBlob(file.subarray(blob.offset, blob.offset + blob.length), blob['compression-codec']);
}

/** Decompresses stored blob bytes by their `compression-codec` (puffin-spec "Compression codecs"). */
export function decompressPuffinBlob(data: Uint8Array, codec: string | undefined): Uint8Array {
  if (codec === undefined) return data;
  if (codec === 'lz4') return decompressLz4Frame(data);
  if (codec === 'zstd') {
    try {
      return zstdDecompress(data);
    } catch (cause) {
      throw new FloeError('PUFFIN_INVALID', 'invalid Puffin file: corrupt zstd blob', { cause });
    }
  }
  throw new FloeError('UNSUPPORTED', `unsupported Puffin compression codec: ${codec}`, { context: { codec } });
}

/**
 * Decodes one LZ4 frame (lz4_Frame_format.md), as Puffin uses for `lz4` blobs and compressed footers. Header,
 * block and content checksums (xxHash32) are skipped, not verified: the JSON parser and blob decoders (with the
 * deletion vector's own CRC) catch corruption. Frames with a dictionary id are `UNSUPPORTED`.
 */
export function decompressLz4Frame(input: Uint8Array): Uint8Array {
  const bad = (m: string) => new FloeError('PUFFIN_INVALID', `invalid LZ4 frame: ${m}`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const u32 = (p: number) => {
    if (p + 4 > input.length) throw bad('truncated');
    return view.getUint32(p, true);
  };
  if (u32(0) !== 0x184d2204) throw bad('bad magic number');
  if (input.length < 7) throw bad('truncated header');
  const flg = input[4];
  const bd = input[5];
  if (flg >> 6 !== 1) throw bad(`unsupported version ${flg >> 6}`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw bad('reserved bits set');
  if ((flg & 0x01) !== 0) throw new FloeError('UNSUPPORTED', 'LZ4 frames with a dictionary id are not supported');
  let at = 6;
  let contentSize = -1;
  if ((flg & 0x08) !== 0) {
    contentSize = u32(at + 4) * 2 ** 32 + u32(at);
    if (contentSize > 2 ** 31) throw bad(`content size ${contentSize} too large`);
    at += 8;
  }
  at += 1; // header checksum
  let out = new Uint8Array(contentSize >= 0 ? contentSize : Math.max(1024, input.length * 4));
  let n = 0;
  const ensure = (extra: number) => {
    if (n + extra <= out.length) return;
    if (contentSize >= 0) throw bad('data exceeds the declared content size');
    const bigger = new Uint8Array(Math.max(out.length * 2, n + extra));
    bigger.set(out.subarray(0, n));
    out = bigger;
  };
  const lengthExt = (p: number, end: number, base: number): [number, number] => {
    let len = base;
    for (let b = 255; b === 255; len += b) {
      if (p >= end) throw bad('truncated length');
      b = input[p++];
    }
    return [len, p];
  };
  for (;;) {
    const size = u32(at);
    at += 4;
    if (size === 0) break; // EndMark
    const len = size & 0x7fffffff;
    const end = at + len;
    if (end > input.length) throw bad('truncated block');
    if (size & 0x80000000) {
      ensure(len); // stored block
      out.set(input.subarray(at, end), n);
      n += len;
    }
    // LZ4 block format: sequences of (token, literals, 2-byte offset, match); the last has literals only.
    for (let p = at; !(size & 0x80000000) && p < end; ) {
      const token = input[p++];
      let lit = token >>> 4;
      if (lit === 15) [lit, p] = lengthExt(p, end, lit);
      if (p + lit > end) throw bad('literals overrun the block');
      ensure(lit);
      out.set(input.subarray(p, p + lit), n);
      n += lit;
      p += lit;
      if (p === end) break;
      if (p + 2 > end) throw bad('truncated match offset');
      const offset = input[p] | (input[p + 1] << 8);
      p += 2;
      if (offset === 0 || offset > n) throw bad(`match offset ${offset} out of range`);
      let match = (token & 15) + 4;
      if ((token & 15) === 15) [match, p] = lengthExt(p, end, match);
      ensure(match);
      const from = n - offset;
      if (offset >= match) out.copyWithin(n, from, from + match);
      else for (let k = 0; k < match; k++) out[n + k] = out[from + k]; // overlapping copy repeats a pattern
      n += match;
    }
    at = end + ((flg & 0x10) !== 0 ? 4 : 0); // block checksum
  }
  if ((flg & 0x04) !== 0) at += 4; // content checksum
  if (at > input.length) throw bad('truncated frame');
  if (contentSize >= 0 && n !== contentSize) throw bad(`content size ${n}, declared ${contentSize}`);
  return n === out.length ? out : out.slice(0, n);
}

/** A blob to write with {@link writePuffin}. */
export interface PuffinBlobInput {
  /** Blob type, e.g. `deletion-vector-v1`. */
  type: string;
  /** Field ids the blob was computed for; defaults to none. Deletion vectors list `_pos` (2147483645). */
  fields?: number[];
  /** Defaults to -1, as the spec requires for deletion vectors. */
  'snapshot-id'?: bigint;
  /** Defaults to -1, as the spec requires for deletion vectors. */
  'sequence-number'?: bigint;
  /** The blob's bytes, stored uncompressed. */
  data: Uint8Array;
  /** Blob properties. */
  properties?: Record<string, string>;
}

/**
 * Writes a Puffin file with uncompressed blobs and an uncompressed footer; returns the bytes and the footer
 * metadata (blob offsets and lengths, as a delete manifest's `content_offset` / `content_size_in_bytes` need).
 */
export function writePuffinFile(
  blobs: readonly PuffinBlobInput[],
  properties: Record<string, string> = {},
): { bytes: Uint8Array; metadata: PuffinFileMetadata } {
  let offset = PUFFIN_MAGIC.length;
  const metas = blobs.map((b): PuffinBlobMetadata => {
    const meta: PuffinBlobMetadata = {
      type: b.type,
      fields: b.fields ?? [],
      'snapshot-id': b['snapshot-id'] ?? -1n,
      'sequence-number': b['sequence-number'] ?? -1n,
      offset,
      length: b.data.length,
    };
    if (b.properties !== undefined) meta.properties = b.properties;
    offset += b.data.length;
    return meta;
  });
  // Key order as Iceberg Java writes it; `properties` is omitted when empty, like Java's empty-file fixture.
  const footerJson = Object.keys(properties).length === 0 ? { blobs: metas } : { blobs: metas, properties };
  const payload = new TextEncoder().encode(stringifyJson(footerJson));
  const bytes = new Uint8Array(offset + 4 + payload.length + FOOTER_TRAILER_BYTES);
  bytes.set(PUFFIN_MAGIC, 0);
  blobs.forEach((b, i) => bytes.set(b.data, metas[i].offset));
  bytes.set(PUFFIN_MAGIC, offset);
  bytes.set(payload, offset + 4);
  const view = new DataView(bytes.buffer);
  view.setInt32(bytes.length - FOOTER_TRAILER_BYTES, payload.length, true);
  view.setUint32(bytes.length - 8, 0, true); // flags: footer not compressed
  bytes.set(PUFFIN_MAGIC, bytes.length - 4);
  return { bytes, metadata: { blobs: metas, properties: { ...properties } } };
}

/** Writes a Puffin file with uncompressed blobs and footer; see {@link writePuffinFile} for the offsets. */
export function writePuffin(blobs: readonly PuffinBlobInput[], properties: Record<string, string> = {}): Uint8Array {
  return writePuffinFile(blobs, properties).bytes;
}
