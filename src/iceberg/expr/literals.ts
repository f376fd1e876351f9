/**
 * Conversion of filter literals to a column's type for binding (spec: "Scan Planning"; value forms of
 * {@link PrimitiveValue}). A literal does not always name one value of the column's domain: `5.5` against an `int`
 * column lies between two ints, and a timestamp without zone compared with a `timestamptz` column names an instant
 * only up to the session's time zone. Such literals come out as intervals, from which binding derives predicates
 * that keep every row the filter could select (inclusive), never fewer.
 */
import { FloeError } from '../../errors.js';
import { civilToDays, daysToCivil } from '../spec/transforms.js';
import { primitiveToString, type Primitive, type PrimitiveValue } from '../spec/types.js';

/** An exact rational number `n / d` with `d > 0`; `d = 0` stands for +∞ (`n > 0`) or -∞ (`n < 0`). */
export interface Rational {
  n: bigint;
  d: bigint;
}

/** What a literal means in a column's domain. */
export type LiteralMeaning =
  /** One value of a non-numeric domain (boolean, string, uuid, fixed, binary). */
  | { kind: 'value'; value: PrimitiveValue }
  /**
   * A number on an integer-valued domain (int, long, date, time, timestamps, decimal as unscaled), in the column's
   * units: exactly `lo` when `point`, otherwise somewhere in `[lo, hi]`.
   */
  | { kind: 'integer'; lo: Rational; hi: Rational; point: boolean }
  /** A float or double value: exactly `lo` when `point`, otherwise somewhere in `[lo, hi]` (both representable). */
  | { kind: 'float'; lo: number; hi: number; point: boolean }
  /** A floating-point NaN. */
  | { kind: 'nan' }
  /** Nothing can be derived from it: the predicate must not prune. */
  | { kind: 'opaque' };

const NANOS_PER_DAY = 86_400_000_000_000n;
/** Widest UTC offset in use (UTC+14, and UTC-12 on the other side): how far local time can be from UTC. */
const MAX_ZONE_OFFSET_NANOS = 14n * 3_600_000_000_000n;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const DATE_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;
const OFFSET_RE = /(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/i;

function invalidLiteral(type: Primitive, column: string, value: PrimitiveValue, why?: string): FloeError {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'bytes' : JSON.stringify(value);
  return new FloeError(
    'INVALID_ARGUMENT',
    `cannot compare column '${column}' of type ${primitiveToString(type)} with ${shown}${why ? `: ${why}` : ''}`,
    { context: { column, type: primitiveToString(type) } },
  );
}

const rat = (n: bigint, d = 1n): Rational => ({ n, d });

function mulRat(a: Rational, n: bigint, d = 1n): Rational {
  return { n: a.n * n, d: a.d * d };
}

function addRat(a: Rational, n: bigint): Rational {
  return a.d === 0n ? a : { n: a.n + n * a.d, d: a.d };
}

/** Parses a plain or scientific decimal number exactly (`-12.5`, `1e-7`). */
export function parseRational(text: string): Rational | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  if (Math.abs(exp) > 10_000) return undefined;
  let n = BigInt(`${m[2]}${frac}` || '0');
  if (m[1] === '-') n = -n;
  return exp >= 0 ? rat(n * 10n ** BigInt(exp)) : rat(n, 10n ** BigInt(-exp));
}

/** The exact value of a JS number (its shortest decimal form names it exactly); `undefined` for NaN. */
function numberToRational(x: number): Rational | undefined {
  if (Number.isNaN(x)) return undefined;
  if (!Number.isFinite(x)) return rat(x > 0 ? 1n : -1n, 0n);
  return parseRational(String(x));
}

/** Floor of a rational; infinities map to `undefined`. */
export function floorRat(r: Rational): bigint | undefined {
  if (r.d === 0n) return undefined;
  const q = r.n / r.d;
  return r.n % r.d !== 0n && r.n < 0n ? q - 1n : q;
}

/** Ceiling of a rational; infinities map to `undefined`. */
export function ceilRat(r: Rational): bigint | undefined {
  if (r.d === 0n) return undefined;
  const q = r.n / r.d;
  return r.n % r.d !== 0n && r.n > 0n ? q + 1n : q;
}

/** A parsed date, time or timestamp text: nanoseconds (from the epoch, or of the day) and any zone offset. */
interface Temporal {
  nanos: Rational;
  offsetNanos?: bigint;
}

function parseDateDays(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return undefined;
  const days = civilToDays(year, month, day);
  const back = daysToCivil(days);
  return back.month === month && back.day === day ? days : undefined;
}

function parseTimeNanos(text: string): Rational | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 23 || min > 59 || s > 59) return undefined;
  const frac = m[4] ?? '';
  const whole = BigInt((h * 60 + min) * 60 + s) * 1_000_000_000n;
  // Digits past nanoseconds are kept exactly (a rational), so `12:00:00.0000000001` is not taken for `12:00:00`.
  const scale = 10n ** BigInt(frac.length);
  return rat(whole * scale + BigInt(frac || '0') * 1_000_000_000n, scale);
}

/** Parses `YYYY-MM-DD`, or a date and time (`T` or space) with an optional `Z`/`±HH[:MM]` offset. */
function parseTimestampText(text: string): Temporal | undefined {
  const t = text.trim();
  const days = parseDateDays(t);
  if (days !== undefined) return { nanos: rat(BigInt(days) * NANOS_PER_DAY) };
  const sep = t.search(/[T ]/i);
  if (sep < 0) return undefined;
  const date = parseDateDays(t.slice(0, sep));
  let rest = t.slice(sep + 1);
  let offsetNanos: bigint | undefined;
  const off = OFFSET_RE.exec(rest);
  if (off) {
    if (off[1] !== undefined) {
      const [oh, om] = [Number(off[2]), Number(off[3] ?? '0')];
      if (oh > 18 || om > 59) return undefined;
      const abs = BigInt(oh * 60 + om) * 60_000_000_000n;
      offsetNanos = off[1] === '-' ? -abs : abs;
    } else {
      offsetNanos = 0n;
    }
    rest = rest.slice(0, off.index).trim();
  }
  const time = parseTimeNanos(rest);
  if (date === undefined || time === undefined) return undefined;
  return { nanos: addRat(time, BigInt(date) * NANOS_PER_DAY), offsetNanos };
}

/**
 * A temporal literal in nanoseconds since the epoch, as an interval: exact when the literal and the column agree
 * on having a zone; otherwise widened by the largest zone offset, since the engine relates the two through a
 * session time zone this code cannot know.
 */
function temporalInterval(parsed: Temporal, columnZoned: boolean): [Rational, Rational, boolean] {
  const literalZoned = parsed.offsetNanos !== undefined;
  const instant = literalZoned ? addRat(parsed.nanos, -(parsed.offsetNanos as bigint)) : parsed.nanos;
  if (literalZoned === columnZoned) return [instant, instant, true];
  return [addRat(instant, -MAX_ZONE_OFFSET_NANOS), addRat(instant, MAX_ZONE_OFFSET_NANOS), false];
}

/** A number, bigint or numeric string as an exact rational; `undefined` when it is none of those. */
function numericRational(value: PrimitiveValue): Rational | undefined {
  if (typeof value === 'bigint') return rat(value);
  if (typeof value === 'number') return numberToRational(value);
  if (typeof value === 'string') return parseRational(value);
  return undefined;
}

function integerMeaning(type: Primitive, column: string, value: PrimitiveValue): LiteralMeaning {
  if (typeof value === 'number' && Number.isNaN(value)) return { kind: 'opaque' };
  const point = (r: Rational): LiteralMeaning => ({ kind: 'integer', lo: r, hi: r, point: true });
  const numeric = (): LiteralMeaning => {
    const r = numericRational(value);
    if (r === undefined) throw invalidLiteral(type, column, value);
    return point(r);
  };
  /** Numbers are already in the column's unit; text is a date or timestamp, `perNano` column units per ns. */
  const temporal = (perNano: Rational, zoned: boolean): LiteralMeaning => {
    if (typeof value !== 'string') return numeric();
    const parsed = parseTimestampText(value);
    if (parsed === undefined) throw invalidLiteral(type, column, value, 'not an ISO-8601 date or timestamp');
    const [lo, hi, exact] = temporalInterval(parsed, zoned);
    return { kind: 'integer', lo: mulRat(lo, perNano.n, perNano.d), hi: mulRat(hi, perNano.n, perNano.d), point: exact };
  };
  switch (type.kind) {
    case 'int':
    case 'long':
      return numeric();
    case 'decimal': {
      // A bigint is already the unscaled value (the PrimitiveValue convention); other forms are decimal numbers.
      if (typeof value === 'bigint') return point(rat(value));
      const r = numericRational(value);
      if (r === undefined) throw invalidLiteral(type, column, value);
      return point(mulRat(r, 10n ** BigInt(type.scale)));
    }
    case 'date':
      return temporal(rat(1n, NANOS_PER_DAY), false);
    case 'timestamp':
    case 'timestamptz':
      return temporal(rat(1n, 1000n), type.kind === 'timestamptz');
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return temporal(rat(1n), type.kind === 'timestamptz_ns');
    case 'time': {
      if (typeof value !== 'string') return numeric();
      const nanos = parseTimeNanos(value.trim());
      if (nanos === undefined) throw invalidLiteral(type, column, value, 'not an ISO-8601 time');
      return point(mulRat(nanos, 1n, 1000n));
    }
    default:
      throw new FloeError('INTERNAL', `not an integer-valued type: ${primitiveToString(type)}`);
  }
}

const F32 = new DataView(new ArrayBuffer(4));
const F64 = new DataView(new ArrayBuffer(8));

/** The next representable float32 (`up`) or the previous one, from a float32 value. */
function stepFloat32(f: number, up: boolean): number {
  if (Number.isNaN(f) || f === (up ? Infinity : -Infinity)) return f;
  if (f === 0) return up ? 2 ** -149 : -(2 ** -149);
  F32.setFloat32(0, f);
  const bits = F32.getUint32(0);
  F32.setUint32(0, (f > 0) === up ? bits + 1 : bits - 1);
  return F32.getFloat32(0);
}

/** The next representable double (`up`) or the previous one. */
function stepFloat64(d: number, up: boolean): number {
  if (Number.isNaN(d) || d === (up ? Infinity : -Infinity)) return d;
  if (d === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  F64.setFloat64(0, d);
  const bits = F64.getBigUint64(0);
  F64.setBigUint64(0, (d > 0) === up ? bits + 1n : bits - 1n);
  return F64.getFloat64(0);
}

function floatMeaning(type: Primitive, column: string, value: PrimitiveValue): LiteralMeaning {
  let lo: number;
  let hi: number;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { kind: 'nan' };
    lo = hi = value;
  } else if (typeof value === 'bigint') {
    const d = Number(value);
    const exact = Number.isFinite(d) && BigInt(d) === value;
    lo = exact ? d : stepFloat64(d, false);
    hi = exact ? d : stepFloat64(d, true);
  } else if (typeof value === 'string') {
    const t = value.trim();
    if (/^nan$/i.test(t)) return { kind: 'nan' };
    const special = /^([+-]?)(inf|infinity)$/i.exec(t);
    if (special) {
      lo = hi = special[1] === '-' ? -Infinity : Infinity;
    } else {
      if (parseRational(t) === undefined) throw invalidLiteral(type, column, value);
      // Parsing rounds to the nearest double, so the written number lies within one step of it.
      const d = Number(t);
      lo = stepFloat64(d, false);
      hi = stepFloat64(d, true);
    }
  } else {
    throw invalidLiteral(type, column, value);
  }
  if (type.kind === 'float') {
    // Stored floats are float32; an engine may round the literal to float or widen the column to double, so the
    // literal is kept between the float32 values around it.
    const down = Math.fround(lo);
    const up = Math.fround(hi);
    lo = down > lo ? stepFloat32(down, false) : down;
    hi = up < hi ? stepFloat32(up, true) : up;
  }
  return { kind: 'float', lo, hi, point: Object.is(lo, hi) };
}

/**
 * What `value` means for a column of type `type` (named `column` for errors). Accepted forms: numbers, bigints
 * and numeric strings for numeric columns (a bigint for a decimal column is the unscaled value); days or
 * `YYYY-MM-DD` for dates; the column's unit (µs or ns) or ISO-8601 text (`2024-01-01T10:00:00`, optionally with
 * `Z`/`±HH:MM`) for timestamps; µs or `HH:MM:SS[.f]` for times; `true`/`false` for booleans; a UUID string or 16
 * bytes for uuid; bytes for fixed and binary. Other forms throw `INVALID_ARGUMENT` with `context.column`.
 */
export function literalMeaning(type: Primitive, column: string, value: PrimitiveValue): LiteralMeaning {
  switch (type.kind) {
    case 'int':
    case 'long':
    case 'decimal':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return integerMeaning(type, column, value);
    case 'float':
    case 'double':
      return floatMeaning(type, column, value);
    case 'boolean':
      if (typeof value === 'boolean') return { kind: 'value', value };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
        return { kind: 'value', value: value.trim().toLowerCase() === 'true' };
      }
      throw invalidLiteral(type, column, value);
    case 'string':
      if (typeof value === 'string') return { kind: 'value', value };
      throw invalidLiteral(type, column, value);
    case 'uuid':
      if (typeof value === 'string' && UUID_RE.test(value.trim())) {
        return { kind: 'value', value: value.trim().toLowerCase() };
      }
      if (value instanceof Uint8Array && value.length === 16) {
        const h = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
        return { kind: 'value', value: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
      }
      throw invalidLiteral(type, column, value);
    case 'fixed':
    case 'binary':
      if (value instanceof Uint8Array) return { kind: 'value', value };
      throw invalidLiteral(type, column, value);
    default:
      // unknown, variant, geometry, geography: no order or metrics to prune with.
      return { kind: 'opaque' };
  }
}
