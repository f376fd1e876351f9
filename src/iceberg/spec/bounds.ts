/**
 * Single-value serialization of primitive values (spec Appendix D "Single-value serialization"): the binary form
 * used for manifest `lower_bounds`/`upper_bounds` and the JSON form used for `initial-default`/`write-default` and
 * REST partition values, plus the bound truncation writers apply to string and binary metrics.
 * Values follow the in-memory convention of {@link PrimitiveValue}.
 */
import { FloeError } from '../../errors.js';
import { bytesToUuid, fromTwosComplement, minimalTwosComplement, uuidToBytes } from './murmur3.js';
import {
  civilToDays,
  daysToCivil,
  float32Shortest,
  formatDecimal,
  formatIsoDate,
  formatIsoTimeOfDay,
  formatIsoTimestamp,
} from './transforms.js';
import { parsePrimitive, primitiveToString, type Primitive, type PrimitiveValue } from './types.js';

const MICROS_PER_DAY = 86_400_000_000n;
const NANOS_PER_DAY = 86_400_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A lone surrogate cannot be encoded as UTF-8 (TextEncoder would silently write U+FFFD), so such strings are refused.
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

function asPrimitive(p: Primitive | string): Primitive {
  return typeof p === 'string' ? parsePrimitive(p) : p;
}

function invalid(p: Primitive, msg: string): FloeError {
  return new FloeError('METADATA_INVALID', `${primitiveToString(p)}: ${msg}`, { context: { type: primitiveToString(p) } });
}

function badValue(p: Primitive, value: unknown): FloeError {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'bytes' : String(value);
  return new FloeError('INVALID_ARGUMENT', `not a valid ${primitiveToString(p)} value: ${shown}`, {
    context: { type: primitiveToString(p) },
  });
}

function expectInt32(p: Primitive, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw badValue(p, v);
  return v;
}

function expectInt64(p: Primitive, v: unknown): bigint {
  // Safe-integer numbers are accepted for convenience; the convention for 64-bit values is bigint.
  const b = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof b !== 'bigint' || b < INT64_MIN || b > INT64_MAX) throw badValue(p, v);
  return b;
}

function expectDecimal(p: Primitive & { kind: 'decimal' }, v: unknown): bigint {
  const b = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof b !== 'bigint' || !fitsPrecision(b, p.precision)) throw badValue(p, v);
  return b;
}

function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const abs = unscaled < 0n ? -unscaled : unscaled;
  return abs < 10n ** BigInt(precision);
}

function expectString(p: Primitive, v: unknown): string {
  if (typeof v !== 'string' || LONE_SURROGATE_RE.test(v)) throw badValue(p, v);
  return v;
}

/** A copy as a plain Uint8Array: `Buffer#slice` would share memory with the caller's bytes. */
function copyBytes(v: Uint8Array, start = 0, end = v.length): Uint8Array {
  return new Uint8Array(v.subarray(start, end));
}

function expectBytes(p: Primitive, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw badValue(p, v);
  if (p.kind === 'fixed' && v.length !== p.length) throw badValue(p, v);
  return v;
}

/**
 * Binary single-value serialization (spec Appendix D): little-endian numbers, UTF-8 strings, big-endian UUIDs and
 * minimal big-endian two's-complement decimals. Throws `INVALID_ARGUMENT` when `value` does not fit the type and
 * `UNSUPPORTED` for types the appendix does not serialize (unknown, variant, geometry, geography).
 */
export function serializeValue(primitive: Primitive | string, value: PrimitiveValue): Uint8Array {
  const p = asPrimitive(primitive);
  switch (p.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(p, value);
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, expectInt32(p, value), true);
      return out;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, expectInt64(p, value), true);
      return out;
    }
    case 'float':
    case 'double': {
      if (typeof value !== 'number') throw badValue(p, value);
      const out = new Uint8Array(p.kind === 'float' ? 4 : 8);
      const view = new DataView(out.buffer);
      if (p.kind === 'float') view.setFloat32(0, value, true);
      else view.setFloat64(0, value, true);
      return out;
    }
    case 'string':
      return UTF8_ENCODER.encode(expectString(p, value));
    case 'uuid':
      if (typeof value !== 'string') throw badValue(p, value);
      return uuidToBytes(value);
    case 'fixed':
    case 'binary':
      return copyBytes(expectBytes(p, value));
    case 'decimal':
      return minimalTwosComplement(expectDecimal(p, value));
    default:
      throw new FloeError('UNSUPPORTED', `binary single-value serialization is not defined for ${primitiveToString(p)}`);
  }
}

/**
 * Reads a binary single value (spec Appendix D). Bounds written before a type promotion keep their old width
 * (spec "Schema Evolution": long/4 bytes → int, double/4 bytes → float, timestamp[_ns]/4 bytes → date), so those
 * widths are accepted and converted. Wrong lengths or invalid bytes throw `METADATA_INVALID`.
 */
export function deserializeValue(primitive: Primitive | string, bytes: Uint8Array): PrimitiveValue {
  const p = asPrimitive(primitive);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  const expectLength = (...allowed: number[]): void => {
    if (!allowed.includes(len)) throw invalid(p, `expected ${allowed.join(' or ')} bytes, got ${len}`);
  };
  switch (p.kind) {
    case 'boolean':
      expectLength(1);
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      expectLength(4);
      return view.getInt32(0, true);
    case 'long':
      expectLength(4, 8);
      return len === 4 ? BigInt(view.getInt32(0, true)) : view.getBigInt64(0, true);
    case 'timestamp':
    case 'timestamp_ns':
      expectLength(4, 8);
      if (len === 8) return view.getBigInt64(0, true);
      // Promoted from date: the bound is days from the epoch.
      return BigInt(view.getInt32(0, true)) * (p.kind === 'timestamp' ? MICROS_PER_DAY : NANOS_PER_DAY);
    case 'time':
    case 'timestamptz':
    case 'timestamptz_ns':
      expectLength(8);
      return view.getBigInt64(0, true);
    case 'float':
      expectLength(4);
      return view.getFloat32(0, true);
    case 'double':
      expectLength(4, 8);
      return len === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
    case 'string':
      try {
        return UTF8_DECODER.decode(bytes);
      } catch (cause) {
        throw new FloeError('METADATA_INVALID', 'string: invalid UTF-8 bytes', { cause });
      }
    case 'uuid':
      expectLength(16);
      return bytesToUuid(bytes);
    case 'fixed':
      expectLength(p.length);
      return copyBytes(bytes);
    case 'binary':
      return copyBytes(bytes);
    case 'decimal': {
      if (len === 0) throw invalid(p, 'empty decimal bytes');
      const v = fromTwosComplement(bytes);
      // Promotion only widens precision, so an older bound always fits the current precision.
      if (!fitsPrecision(v, p.precision)) throw invalid(p, `unscaled value ${v} exceeds the precision`);
      return v;
    }
    default:
      throw new FloeError('UNSUPPORTED', `binary single-value serialization is not defined for ${primitiveToString(p)}`);
  }
}

// ---- JSON single-value serialization ----

const DATE_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const OFFSET_RE = /(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/i;
// Jackson writes non-finite doubles as these strings.
const JSON_SPECIAL_FLOATS = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDate(p: Primitive, text: string): number {
  const m = DATE_RE.exec(text);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const days = civilToDays(year, month, day);
    const back = daysToCivil(days);
    if (month >= 1 && month <= 12 && back.month === month && back.day === day) return days;
  }
  throw invalid(p, `invalid ISO-8601 date ${JSON.stringify(text)}`);
}

function parseTimeOfDayNanos(p: Primitive, text: string): bigint {
  const m = TIME_RE.exec(text);
  if (m) {
    const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
    if (h <= 23 && min <= 59 && s <= 59) {
      return BigInt((h * 60 + min) * 60 + s) * 1_000_000_000n + BigInt((m[4] ?? '').padEnd(9, '0'));
    }
  }
  throw invalid(p, `invalid ISO-8601 time ${JSON.stringify(text)}`);
}

function parseTimestamp(p: Primitive, text: string, unit: 'us' | 'ns', utc: boolean): bigint {
  const offset = OFFSET_RE.exec(text);
  const local = offset ? text.slice(0, offset.index) : text;
  if (utc && !offset) throw invalid(p, `timestamp ${JSON.stringify(text)} must include the offset +00:00`);
  if (!utc && offset) throw invalid(p, `timestamp ${JSON.stringify(text)} must not include a zone offset`);
  if (offset && !/^(Z|[+-]00:00(:00)?)$/i.test(offset[1])) {
    throw invalid(p, `timestamp ${JSON.stringify(text)} must be in UTC (+00:00)`);
  }
  const t = local.indexOf('T');
  if (t < 0) throw invalid(p, `invalid ISO-8601 timestamp ${JSON.stringify(text)}`);
  const nanos = BigInt(parseDate(p, local.slice(0, t))) * NANOS_PER_DAY + parseTimeOfDayNanos(p, local.slice(t + 1));
  // Extra sub-microsecond digits are dropped toward zero, as Java's ChronoUnit.MICROS.between does.
  const v = unit === 'ns' ? nanos : nanos / 1000n;
  if (v < INT64_MIN || v > INT64_MAX) throw invalid(p, `timestamp ${JSON.stringify(text)} is out of range`);
  return v;
}

function parseDecimal(p: Primitive & { kind: 'decimal' }, text: string): bigint {
  const m = DECIMAL_RE.exec(text);
  if (m && (m[2] !== '' || (m[3] ?? '') !== '')) {
    const frac = m[3] ?? '';
    const scale = frac.length - Number(m[4] ?? '0');
    const magnitude = BigInt(`${m[2]}${frac}`);
    const unscaled = m[1] === '-' ? -magnitude : magnitude;
    // The JSON form encodes the scale in the digits (spec Appendix D); it must be the column's scale.
    if (scale === p.scale && fitsPrecision(unscaled, p.precision)) return unscaled;
  }
  throw invalid(p, `invalid decimal value ${JSON.stringify(text)} (scale must be ${p.scale})`);
}

/**
 * Reads a JSON single value (spec Appendix D "JSON single-value serialization") of a primitive type. `null` gives
 * `null`. Integers may arrive as `number` or `bigint` (see `parseJson`); float/double also accept the strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"` that Jackson writes. Invalid values throw `METADATA_INVALID`.
 */
export function valueFromJson(primitive: Primitive | string, json: unknown): PrimitiveValue | null {
  const p = asPrimitive(primitive);
  if (json === null || json === undefined) return null;
  const wrong = (): FloeError => invalid(p, `cannot read ${JSON.stringify(String(json))} as a JSON single value`);
  switch (p.kind) {
    case 'boolean':
      if (typeof json !== 'boolean') throw wrong();
      return json;
    case 'int':
      if (typeof json !== 'number' || !Number.isInteger(json) || json < -0x80000000 || json > 0x7fffffff) throw wrong();
      return json;
    case 'long': {
      const v = typeof json === 'number' && Number.isSafeInteger(json) ? BigInt(json) : json;
      if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) throw wrong();
      return v;
    }
    case 'float':
    case 'double': {
      const v = typeof json === 'number' ? json : typeof json === 'string' ? JSON_SPECIAL_FLOATS.get(json) : undefined;
      if (v === undefined) throw wrong();
      return p.kind === 'float' ? Math.fround(v) : v;
    }
    case 'unknown':
    case 'variant':
    case 'geometry':
    case 'geography':
      // Spec "Default values": these types must default to null.
      throw invalid(p, 'only null is a valid JSON single value for this type');
  }
  // Every remaining type is written as a JSON string.
  if (typeof json !== 'string') throw wrong();
  switch (p.kind) {
    case 'decimal':
      return parseDecimal(p, json);
    case 'date':
      return parseDate(p, json);
    case 'time':
      return parseTimeOfDayNanos(p, json) / 1000n;
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return parseTimestamp(p, json, p.kind.endsWith('_ns') ? 'ns' : 'us', p.kind.startsWith('timestamptz'));
    case 'uuid':
      if (!UUID_RE.test(json)) throw wrong();
      return json.toLowerCase();
    case 'fixed':
    case 'binary': {
      if (!/^(?:[0-9a-f]{2})*$/i.test(json)) throw wrong();
      const bytes = Uint8Array.from(Buffer.from(json, 'hex'));
      if (p.kind === 'fixed' && bytes.length !== p.length) throw invalid(p, `expected ${p.length} bytes, got ${bytes.length}`);
      return bytes;
    }
    default:
      return json;
  }
}

/**
 * Writes a JSON single value (spec Appendix D). Returns a JSON-ready value: 64-bit integers outside the safe range
 * stay `bigint` (write them with `stringifyJson`), binary becomes lowercase hex, decimals plain strings at the
 * column's scale, temporal values ISO-8601 strings (`timestamptz` with `+00:00`).
 */
export function valueToJson(
  primitive: Primitive | string,
  value: PrimitiveValue | null,
): boolean | number | bigint | string | null {
  const p = asPrimitive(primitive);
  if (value === null) return null;
  switch (p.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(p, value);
      return value;
    case 'int':
      return expectInt32(p, value);
    case 'long': {
      const v = expectInt64(p, value);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'float':
    case 'double': {
      if (typeof value !== 'number') throw badValue(p, value);
      if (!Number.isFinite(value)) return String(value);
      return p.kind === 'float' ? float32Shortest(value) : value;
    }
    case 'decimal':
      return formatDecimal(expectDecimal(p, value), p.scale);
    case 'date':
      return formatIsoDate(expectInt32(p, value));
    case 'time':
      return formatIsoTimeOfDay(expectInt64(p, value) * 1000n);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return formatIsoTimestamp(expectInt64(p, value), p.kind.endsWith('_ns') ? 'ns' : 'us', p.kind.startsWith('timestamptz'));
    case 'string':
      return expectString(p, value);
    case 'uuid':
      if (typeof value !== 'string' || !UUID_RE.test(value)) throw badValue(p, value);
      return value.toLowerCase();
    case 'fixed':
    case 'binary': {
      const b = expectBytes(p, value);
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
    }
    default:
      throw badValue(p, value);
  }
}

// ---- Bound truncation for metrics ----

function checkTruncateLength(len: number): void {
  if (!Number.isInteger(len) || len < 0) {
    throw new FloeError('INVALID_ARGUMENT', `truncate length must be a non-negative integer, got ${len}`);
  }
}

/** Code points of `s` when it has more than `len` of them; `undefined` when it needs no truncation. */
function codePointsIfLonger(s: string, len: number): string[] | undefined {
  if (LONE_SURROGATE_RE.test(s)) throw new FloeError('INVALID_ARGUMENT', 'string bound is not valid Unicode');
  if (s.length <= len) return undefined;
  const cps = Array.from(s);
  return cps.length > len ? cps : undefined;
}

/**
 * A lower bound no longer than `len`: the first `len` Unicode code points of a string (never splitting a surrogate
 * pair), or the first `len` bytes of binary (spec "Truncate Transform Details" notes 3 and 4; Iceberg metrics mode
 * `truncate(len)`). A prefix always sorts at or below the value, so it stays a valid lower bound.
 */
export function truncateLowerBound(value: string, len: number): string;
export function truncateLowerBound(value: Uint8Array, len: number): Uint8Array;
export function truncateLowerBound(value: string | Uint8Array, len: number): string | Uint8Array;
export function truncateLowerBound(value: string | Uint8Array, len: number): string | Uint8Array {
  checkTruncateLength(len);
  if (value instanceof Uint8Array) return value.length <= len ? value : copyBytes(value, 0, len);
  const cps = codePointsIfLonger(value, len);
  return cps ? cps.slice(0, len).join('') : value;
}

/**
 * An upper bound no longer than `len`: the value itself when short enough, otherwise its prefix with the last code
 * point (string) or byte (binary) that can be incremented incremented and anything after it dropped, as Iceberg's
 * `UnicodeUtil.truncateStringMax` / `BinaryUtil.truncateBinaryMax` do. Returns `null` when no such bound exists
 * (every kept code point is U+10FFFF, or every kept byte 0xFF); the writer then omits the upper bound.
 */
export function truncateUpperBound(value: string, len: number): string | null;
export function truncateUpperBound(value: Uint8Array, len: number): Uint8Array | null;
export function truncateUpperBound(value: string | Uint8Array, len: number): string | Uint8Array | null;
export function truncateUpperBound(value: string | Uint8Array, len: number): string | Uint8Array | null {
  checkTruncateLength(len);
  if (value instanceof Uint8Array) {
    if (value.length <= len) return value;
    for (let i = len - 1; i >= 0; i--) {
      if (value[i] !== 0xff) {
        const out = copyBytes(value, 0, i + 1);
        out[i] += 1;
        return out;
      }
    }
    return null;
  }
  const cps = codePointsIfLonger(value, len);
  if (!cps) return value;
  for (let i = len - 1; i >= 0; i--) {
    const cp = cps[i].codePointAt(0) as number;
    if (cp === 0x10ffff) continue;
    // Surrogates are not Unicode scalar values (cannot appear in UTF-8), so U+D7FF steps to U+E000.
    const next = cp === 0xd7ff ? 0xe000 : cp + 1;
    return cps.slice(0, i).join('') + String.fromCodePoint(next);
  }
  return null;
}
