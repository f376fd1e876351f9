/**
 * Conversion between Avro-decoded values and floe's in-memory Iceberg values ({@link PrimitiveValue}), and the
 * Avro type of each Iceberg primitive (spec Appendix A, "Avro").
 */
import type { Primitive, PrimitiveValue } from '../spec/types.js';
import type { AvroSchema } from './avro-container.js';

/** Minimum bytes that hold any unscaled value of a decimal with this precision (spec Appendix A). */
export function decimalRequiredBytes(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision)) bytes++;
  return bytes;
}

/** Avro schema of an Iceberg primitive, with the logical types Iceberg Java writes. */
export function primitiveAvroSchema(p: Primitive): AvroSchema {
  switch (p.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return p.kind === 'long' ? 'long' : p.kind;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'timestamp_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false };
    case 'timestamptz_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': true };
    case 'uuid':
      return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${p.length}`, size: p.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${p.precision}_${p.scale}`,
        size: decimalRequiredBytes(p.precision),
        logicalType: 'decimal',
        precision: p.precision,
        scale: p.scale,
      };
    default:
      return 'bytes';
  }
}

/** Two's-complement big-endian bytes to bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes[0] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** bigint to two's-complement big-endian bytes of exactly `size` bytes (sign-extended). */
export function bigIntToBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, value);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function uuidFromBytes(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Primitives stored as an Avro long and held as bigint (spec Appendix A). */
const LONG_KINDS = new Set<Primitive['kind']>(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);

/** Converts a value decoded by avsc into floe's value for the Iceberg primitive `p`. */
export function fromAvroValue(p: Primitive, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null;
  if (LONG_KINDS.has(p.kind)) return BigInt(v as number | bigint);
  switch (p.kind) {
    case 'decimal':
      return typeof v === 'bigint' ? v : bytesToBigInt(v as Uint8Array);
    case 'uuid':
      return typeof v === 'string' ? v.toLowerCase() : uuidFromBytes(v as Uint8Array);
    case 'fixed':
    case 'binary':
      return new Uint8Array(v as Uint8Array);
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return Number(v);
    default:
      return v as PrimitiveValue;
  }
}

/** Converts floe's value for the primitive `p` into what avsc encodes for {@link primitiveAvroSchema}. */
export function toAvroValue(p: Primitive, v: PrimitiveValue | null): unknown {
  if (v === null || v === undefined) return null;
  if (LONG_KINDS.has(p.kind)) return BigInt(v as bigint);
  switch (p.kind) {
    case 'decimal':
      return Buffer.from(bigIntToBytes(v as bigint, decimalRequiredBytes(p.precision)));
    case 'uuid':
      return Buffer.from((v as string).replace(/-/g, ''), 'hex');
    case 'fixed':
    case 'binary':
      return Buffer.from(v as Uint8Array);
    default:
      return v;
  }
}
