/**
 * 32-bit Murmur3 hash, x86 variant, and the per-type hash inputs of spec Appendix B "32-bit Hash Requirements"
 * (used by `bucket[N]`, spec "Bucket Transform Details"). Iceberg buckets by `murmur3_x86_32(bytes, seed 0)`, so
 * this must agree bit-for-bit with Guava's `Hashing.murmur3_32_fixed()` that the Java reference uses. The byte forms
 * of decimals and UUIDs defined here are also Appendix D's binary single values, which `bounds.ts` reuses.
 */
import { FloeError } from '../../errors.js';
import { parsePrimitive, primitiveToString, type Primitive, type PrimitiveValue } from './types.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixK1(k: number): number {
  k = Math.imul(k, C1);
  k = rotl32(k, 15);
  return Math.imul(k, C2);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = rotl32(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Murmur3 x86 32-bit hash of `bytes`, returned as a signed 32-bit integer (the value Java's `int` would hold, which
 * is what the spec's test vectors list, e.g. `-188683207` for bytes `00 01 02 03`).
 *
 * @param bytes - the bytes to hash
 * @param seed - hash seed; Iceberg always uses 0
 */
export function murmur3Hash32(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  for (let i = 0; i < blocks; i += 4) {
    // Blocks are read little-endian regardless of platform, as in the reference algorithm.
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h = mixH1(h, mixK1(k));
  }
  const rem = len & 3;
  if (rem > 0) {
    // Tail bytes, little-endian, exactly as the reference's fall-through switch.
    let k1 = 0;
    if (rem === 3) k1 ^= bytes[blocks + 2] << 16;
    if (rem >= 2) k1 ^= bytes[blocks + 1] << 8;
    k1 ^= bytes[blocks];
    h ^= mixK1(k1);
  }
  h ^= len;
  // fmix32: final avalanche.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// ---- Appendix B hash inputs ----

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Minimal two's-complement big-endian bytes of `v` (spec Appendix B note 2, Appendix D `decimal`); 0 is `00`. */
export function minimalTwosComplement(v: bigint): Uint8Array {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  const out = new Uint8Array(n);
  let u = BigInt.asUintN(8 * n, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** The signed value of big-endian two's-complement bytes; the inverse of {@link minimalTwosComplement}. */
export function fromTwosComplement(bytes: Uint8Array): bigint {
  let u = 0n;
  for (const b of bytes) u = (u << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, u);
}

/** The 16 big-endian bytes of a hyphenated UUID string (spec Appendix B note 4); `INVALID_ARGUMENT` if malformed. */
export function uuidToBytes(uuid: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new FloeError('INVALID_ARGUMENT', `not a valid uuid: ${uuid}`);
  return Uint8Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

/** The lowercase hyphenated form of 16 big-endian UUID bytes; the inverse of {@link uuidToBytes}. */
export function bytesToUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function hashLong(v: bigint): number {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, v), true);
  return murmur3Hash32(b);
}

function badValue(p: Primitive, value: unknown): FloeError {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'bytes' : String(value);
  return new FloeError('INVALID_ARGUMENT', `not a valid ${primitiveToString(p)} value: ${shown}`);
}

function toBigInt(p: Primitive, v: PrimitiveValue): bigint {
  // Safe-integer numbers are tolerated; the convention for 64-bit values is bigint.
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw badValue(p, v);
}

/**
 * The 32-bit hash of a value as Appendix B defines it: int, long, date, time and timestamps hash as an 8-byte
 * little-endian long (so int→long promotion keeps buckets); nanosecond timestamps are first floored to µs (note 3);
 * decimals hash their minimal big-endian unscaled bytes; strings their UTF-8; UUIDs their 16 big-endian bytes.
 * Boolean, float and double follow the appendix's table for types not valid for bucketing. Throws
 * `INVALID_ARGUMENT` for a value of the wrong kind and `UNSUPPORTED` for types without a hash (variant, ...).
 */
export function hashValue(sourceType: Primitive | string, value: PrimitiveValue): number {
  const p = typeof sourceType === 'string' ? parsePrimitive(sourceType) : sourceType;
  switch (p.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(p, value);
      return hashLong(value ? 1n : 0n);
    case 'int':
    case 'date':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw badValue(p, value);
      return hashLong(BigInt(value));
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return hashLong(toBigInt(p, value));
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      // Floor, not truncate, to µs so that instants before 1970 hash like their µs counterparts.
      const ns = toBigInt(p, value);
      return hashLong(ns / 1000n - (ns % 1000n < 0n ? 1n : 0n));
    }
    case 'float':
    case 'double': {
      // doubleToLongBits with canonical NaN and -0.0 folded into 0.0 (note 5); floats hash as the widened double.
      if (typeof value !== 'number') throw badValue(p, value);
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, value === 0 ? 0 : value);
      return hashLong(Number.isNaN(value) ? 0x7ff8000000000000n : view.getBigInt64(0));
    }
    case 'decimal':
      return murmur3Hash32(minimalTwosComplement(toBigInt(p, value)));
    case 'string':
      if (typeof value !== 'string') throw badValue(p, value);
      return murmur3Hash32(new TextEncoder().encode(value));
    case 'uuid':
      if (typeof value !== 'string') throw badValue(p, value);
      return murmur3Hash32(uuidToBytes(value));
    case 'fixed':
    case 'binary':
      if (!(value instanceof Uint8Array)) throw badValue(p, value);
      return murmur3Hash32(value);
    default:
      throw new FloeError('UNSUPPORTED', `no 32-bit hash is defined for ${primitiveToString(p)}`);
  }
}
