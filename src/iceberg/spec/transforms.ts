/**
 * Partition transforms (spec: "Partition Transforms", "Bucket Transform Details", "Truncate Transform Details",
 * Appendix B "32-bit Hash Requirements"): parsing the transform strings of partition specs and sort orders, their
 * result types, applying them to {@link PrimitiveValue}s, and the human-readable partition values used in paths.
 * Also holds the calendar and formatting helpers shared with `bounds.ts` (Appendix D), which imports them from here.
 */
import { FloeError } from '../../errors.js';
import { hashValue } from './murmur3.js';
import { parsePrimitive, primitiveToString, type Primitive, type PrimitiveValue } from './types.js';

/** A parsed transform. Unknown names are kept so that metadata written by newer writers still loads. */
export type Transform =
  | { kind: 'identity' }
  | { kind: 'bucket'; numBuckets: number }
  | { kind: 'truncate'; width: number }
  | { kind: 'year' }
  | { kind: 'month' }
  | { kind: 'day' }
  | { kind: 'hour' }
  | { kind: 'void' }
  | { kind: 'unknown'; name: string };

const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;
const NANOS_PER_DAY = 86_400_000_000_000n;
const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const BUCKETABLE = new Set([
  'int', 'long', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns', 'string',
  'uuid', 'fixed', 'binary',
]);
const TRUNCATABLE = new Set(['int', 'long', 'decimal', 'string', 'binary']);
const SIMPLE_TRANSFORMS = new Set(['identity', 'year', 'month', 'day', 'hour', 'void']);

function asPrimitive(p: Primitive | string): Primitive {
  return typeof p === 'string' ? parsePrimitive(p) : p;
}

/**
 * Parses a transform string, case-insensitively as Java's `Transforms.fromString` does. `bucket[N]` and
 * `truncate[W]` need a positive 32-bit parameter (`METADATA_INVALID` otherwise); any other name becomes `unknown`.
 */
export function parseTransform(text: string): Transform {
  const m = /^(\w+)\[(\d+)\]$/.exec(text);
  if (m && /^(bucket|truncate)$/i.test(m[1])) {
    const n = Number(m[2]);
    if (!(n >= 1 && n <= 0x7fffffff)) {
      throw new FloeError('METADATA_INVALID', `invalid transform ${JSON.stringify(text)}: parameter must be 1..2^31-1`);
    }
    return m[1].toLowerCase() === 'bucket' ? { kind: 'bucket', numBuckets: n } : { kind: 'truncate', width: n };
  }
  const lower = text.toLowerCase();
  return SIMPLE_TRANSFORMS.has(lower) ? ({ kind: lower } as Transform) : { kind: 'unknown', name: text };
}

/** The spec's string form of a transform (`bucket[16]`, `day`, ...); unknown transforms keep their original text. */
export function transformToString(t: Transform): string {
  switch (t.kind) {
    case 'bucket':
      return `bucket[${t.numBuckets}]`;
    case 'truncate':
      return `truncate[${t.width}]`;
    case 'unknown':
      return t.name;
    default:
      return t.kind;
  }
}

/**
 * Whether `t` may be applied to a source of type `sourceType` (the "Source types" column of the spec's transform
 * table). Unknown transforms answer true, as in Java, so metadata using them stays readable.
 */
export function canTransform(t: Transform, sourceType: Primitive | string): boolean {
  const k = asPrimitive(sourceType).kind;
  switch (t.kind) {
    case 'identity':
      return k !== 'geometry' && k !== 'geography' && k !== 'variant';
    case 'bucket':
      return BUCKETABLE.has(k);
    case 'truncate':
      return TRUNCATABLE.has(k);
    case 'year':
    case 'month':
    case 'day':
      return TEMPORAL.has(k);
    case 'hour':
      return TEMPORAL.has(k) && k !== 'date';
    case 'void':
    case 'unknown':
      return true;
  }
}

/**
 * Type of the partition values `t` produces from `sourceType` (the "Result type" column): `int` for bucket, year,
 * month and hour; `date` for day (readers must also accept `int` there, spec note [1]); the source type for
 * identity, truncate and void; `string` for unknown transforms, as Java reports. Throws `METADATA_INVALID` when
 * the transform cannot apply to the source type.
 */
export function resultType(t: Transform, sourceType: Primitive | string): Primitive {
  const source = asPrimitive(sourceType);
  if (!canTransform(t, source)) {
    throw new FloeError(
      'METADATA_INVALID',
      `transform ${transformToString(t)} cannot be applied to type ${primitiveToString(source)}`,
    );
  }
  switch (t.kind) {
    case 'bucket':
    case 'year':
    case 'month':
    case 'hour':
      return { kind: 'int' };
    case 'day':
      return { kind: 'date' };
    case 'unknown':
      return { kind: 'string' };
    default:
      return source;
  }
}

/** Whether `t` is monotonic (a ≤ b implies t(a) ≤ t(b)), so sorting by the source also sorts by the result. */
export function preservesOrder(t: Transform): boolean {
  return !(t.kind === 'bucket' || t.kind === 'void' || t.kind === 'unknown');
}

// ---- Calendar and formatting helpers (also used by bounds.ts) ----

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Year, month (1-12) and day of month of `days` since 1970-01-01 in the proleptic Gregorian calendar (java.time). */
export function daysToCivil(days: number): { year: number; month: number; day: number } {
  // Howard Hinnant's days-to-civil algorithm over 400-year eras; floor division keeps it right before 1970.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12); the inverse of {@link daysToCivil}. */
export function civilToDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0');

function isoYear(year: number): string {
  return year > 9999 ? `+${year}` : year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
}

/** ISO-8601 local date of `days` since the epoch: `2017-11-16` (`+10000-01-01`, `-0001-01-01` outside 0..9999). */
export function formatIsoDate(days: number): string {
  const { year, month, day } = daysToCivil(days);
  return `${isoYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** ISO-8601 local time (java `ISO_LOCAL_TIME`) of nanoseconds of the day: `HH:mm:ss`, then a fraction without trailing zeros. */
export function formatIsoTimeOfDay(nanosOfDay: bigint): string {
  const secs = Number(nanosOfDay / 1_000_000_000n);
  const frac = nanosOfDay % 1_000_000_000n;
  const base = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  return frac === 0n ? base : `${base}.${pad(frac, 9).replace(/0+$/, '')}`;
}

/**
 * ISO-8601 timestamp (`2017-11-16T22:31:08.123456`) of µs or ns since the epoch; `utc` appends `+00:00`, the
 * only offset the spec's JSON form of `timestamptz` allows (Appendix D).
 */
export function formatIsoTimestamp(value: bigint, unit: 'us' | 'ns', utc: boolean): string {
  const perDay = unit === 'us' ? MICROS_PER_DAY : NANOS_PER_DAY;
  const days = floorDiv(value, perDay);
  const rest = value - days * perDay;
  const text = `${formatIsoDate(Number(days))}T${formatIsoTimeOfDay(unit === 'us' ? rest * 1000n : rest)}`;
  return utc ? `${text}+00:00` : text;
}

/** Plain decimal string of an unscaled value at `scale` (`1420n`, 2 → `"14.20"`), never scientific notation. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** The number with the fewest significant digits that rounds to the same float32 as `x` (how Java prints floats). */
export function float32Shortest(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}

// ---- Applying transforms ----

function fail(p: Primitive, value: unknown): never {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'bytes' : String(value);
  throw new FloeError('INVALID_ARGUMENT', `not a valid ${primitiveToString(p)} value: ${shown}`);
}

function num(p: Primitive, v: PrimitiveValue): number {
  if (typeof v !== 'number' || ((p.kind === 'int' || p.kind === 'date') && !Number.isInteger(v))) fail(p, v);
  return v;
}

function big(p: Primitive, v: PrimitiveValue): bigint {
  // Safe-integer numbers are tolerated; the convention for 64-bit values is bigint.
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  fail(p, v);
}

const str = (p: Primitive, v: PrimitiveValue): string => (typeof v === 'string' ? v : fail(p, v));
const bytes = (p: Primitive, v: PrimitiveValue): Uint8Array => (v instanceof Uint8Array ? v : fail(p, v));

function truncateValue(p: Primitive, w: number, v: PrimitiveValue): PrimitiveValue {
  switch (p.kind) {
    case 'int': {
      // Floor semantics: the remainder must be non-negative (spec note [1]); `| 0` wraps like Java's int math.
      const x = num(p, v);
      return (x - (((x % w) + w) % w)) | 0;
    }
    case 'long':
    case 'decimal': {
      // A decimal's width applies to the unscaled value, i.e. at the column's scale (note [2]).
      const x = big(p, v);
      const bw = BigInt(w);
      const r = x - (((x % bw) + bw) % bw);
      return p.kind === 'long' ? BigInt.asIntN(64, r) : r;
    }
    case 'string': {
      // At most W code points, never splitting a surrogate pair (note [3]).
      const s = str(p, v);
      let i = 0;
      for (let n = 0; n < w && i < s.length; n++) i += (s.codePointAt(i) as number) > 0xffff ? 2 : 1;
      return i >= s.length ? s : s.slice(0, i);
    }
    default: {
      const b = bytes(p, v);
      return new Uint8Array(b.subarray(0, w));
    }
  }
}

/** Days since the epoch of a date or timestamp value, floored so instants before 1970 land on the earlier day. */
function epochDays(p: Primitive, v: PrimitiveValue): number {
  if (p.kind === 'date') return num(p, v);
  return Number(floorDiv(big(p, v), p.kind.endsWith('_ns') ? NANOS_PER_DAY : MICROS_PER_DAY));
}

/**
 * Applies `t` to a source value of type `sourceType`, per the spec's transform table. `null` gives `null`, as does
 * `void`. year/month/hour give years/months/hours since 1970-01-01 00:00 as `int` (floored, so -1 µs is year,
 * month, day and hour -1); day gives days (`date`). Throws `INVALID_ARGUMENT` for a type the transform does not
 * accept or a value of the wrong kind, `UNSUPPORTED` for unknown transforms.
 */
export function applyTransform(
  t: Transform,
  sourceType: Primitive | string,
  value: PrimitiveValue | null,
): PrimitiveValue | null {
  const p = asPrimitive(sourceType);
  if (t.kind === 'unknown') {
    throw new FloeError('UNSUPPORTED', `cannot apply unknown transform ${JSON.stringify(t.name)}`);
  }
  if (!canTransform(t, p)) {
    throw new FloeError(
      'INVALID_ARGUMENT',
      `transform ${transformToString(t)} cannot be applied to type ${primitiveToString(p)}`,
    );
  }
  if (value === null || t.kind === 'void') return null;
  switch (t.kind) {
    case 'identity':
      return value;
    case 'bucket':
      return (hashValue(p, value) & 0x7fffffff) % t.numBuckets;
    case 'truncate':
      return truncateValue(p, t.width, value);
    case 'year':
      return daysToCivil(epochDays(p, value)).year - 1970;
    case 'month': {
      const { year, month } = daysToCivil(epochDays(p, value));
      return (year - 1970) * 12 + month - 1;
    }
    case 'day':
      return epochDays(p, value);
    case 'hour':
      return Number(floorDiv(big(p, value), p.kind.endsWith('_ns') ? MICROS_PER_HOUR * 1000n : MICROS_PER_HOUR));
  }
}

// ---- Human-readable partition values ----

/** Java's `Double.toString`/`Float.toString` layout: `1.0`, `0.001`, `1.0E7`, `1.0E-4`. */
function javaFloatString(x: number, isFloat: boolean): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const v = isFloat ? float32Shortest(x) : x;
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exp] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

/** Java's `BigDecimal.toString`: plain unless the adjusted exponent is below -6 (`1E-8`, `0E-8`). */
function javaDecimalString(unscaled: bigint, scale: number): string {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) return formatDecimal(unscaled, scale);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${unscaled < 0n ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** Java's `LocalTime.toString`: `HH:mm`, seconds only when non-zero, fraction in groups of 3 digits. */
function javaTimeString(micros: bigint): string {
  const nanos = micros * 1000n;
  const secs = Number(nanos / 1_000_000_000n);
  const frac = Number(nanos % 1_000_000_000n);
  let out = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}`;
  if (secs % 60 > 0 || frac > 0) out += `:${pad(secs % 60, 2)}`;
  if (frac > 0) {
    if (frac % 1_000_000 === 0) out += `.${pad(frac / 1_000_000, 3)}`;
    else if (frac % 1000 === 0) out += `.${pad(frac / 1000, 6)}`;
    else out += `.${pad(frac, 9)}`;
  }
  return out;
}

/** Java's `String.format("%04d-%02d-%02d")` of a day ordinal, as `TransformUtil.humanDay` writes it. */
function humanDay(days: number): string {
  const { year, month, day } = daysToCivil(days);
  return `${javaYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function javaYear(year: number): string {
  return year < 0 ? `-${pad(-year, 3)}` : pad(year, 4);
}

function ordinal(v: PrimitiveValue): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) fail({ kind: 'int' }, v);
  return v;
}

function humanValue(p: Primitive, v: PrimitiveValue): string {
  switch (p.kind) {
    case 'date':
      return humanDay(num(p, v));
    case 'time':
      return javaTimeString(big(p, v));
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return formatIsoTimestamp(big(p, v), p.kind.endsWith('_ns') ? 'ns' : 'us', p.kind.startsWith('timestamptz'));
    case 'decimal':
      return javaDecimalString(big(p, v), p.scale);
    case 'float':
    case 'double':
      return javaFloatString(num(p, v), p.kind === 'float');
    case 'fixed':
    case 'binary': {
      const b = bytes(p, v);
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
    }
    case 'uuid':
      return str(p, v).toLowerCase();
    default:
      return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v);
  }
}

/**
 * The human-readable form of a partition value, as Java's `Transform.toHumanString` writes it into partition paths
 * (`day` → `2023-05-15`, `month` → `2023-05`, `hour` → `2023-05-15-14`, `year` → `2023`; binary as base64;
 * `null` → `"null"`). identity and truncate render the value by its source type, so they need `sourceType`
 * (`INVALID_ARGUMENT` without it); the other transforms have a fixed result type and ignore it.
 */
export function transformToHumanString(
  t: Transform,
  value: PrimitiveValue | null,
  sourceType?: Primitive | string,
): string {
  if (value === null || t.kind === 'void') return 'null';
  switch (t.kind) {
    case 'year':
      return javaYear(1970 + ordinal(value));
    case 'month': {
      const m = ordinal(value);
      return `${javaYear(1970 + Math.floor(m / 12))}-${pad((((m % 12) + 12) % 12) + 1, 2)}`;
    }
    case 'day':
      return humanDay(ordinal(value));
    case 'hour': {
      const h = ordinal(value);
      return `${humanDay(Math.floor(h / 24))}-${pad(((h % 24) + 24) % 24, 2)}`;
    }
    case 'bucket':
      return String(value);
    case 'unknown':
      return humanValue({ kind: 'string' }, value);
    default:
      if (sourceType === undefined) {
        throw new FloeError('INVALID_ARGUMENT', `${t.kind} partition values need the source type to be rendered`);
      }
      return humanValue(asPrimitive(sourceType), value);
  }
}
