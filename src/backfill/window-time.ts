/**
 * Calendar arithmetic for time windows: instants as microseconds since the epoch (UTC), floored to and stepped by
 * hours, days or months, and written back as ISO text each source compares against its column (DATE as
 * `YYYY-MM-DD`, TIMESTAMP without an offset, TIMESTAMPTZ with `+00:00`).
 */
import { FloeError } from '../errors.js';

/** A time window unit. */
export type TimeUnit = 'hour' | 'day' | 'month';

const US_PER_HOUR = 3_600_000_000n;
const US_PER_DAY = 86_400_000_000n;

const ISO = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Microseconds since 1970-01-01T00:00:00Z of ISO text (a date, or a timestamp with an optional offset). */
export function parseInstant(text: string): bigint {
  const m = ISO.exec(text.trim());
  if (!m) throw new FloeError('INVALID_ARGUMENT', `not an ISO date or timestamp: ${text}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', off] = m;
  const days = daysFromCivil(Number(y), Number(mo), Number(d));
  let us = days * US_PER_DAY + BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(s)) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1n : 1n;
    const digits = off.slice(1).replace(':', '');
    const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
    us -= sign * minutes * 60_000_000n;
  }
  return us;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): bigint {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return BigInt(era * 146097 + doe - 719468);
}

/** The civil date of a day number (inverse of daysFromCivil). */
function civilFromDays(z0: bigint): { y: number; m: number; d: number } {
  const z = Number(z0) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** The start of the unit containing `us`. */
export function floorTo(us: bigint, unit: TimeUnit): bigint {
  if (unit === 'hour') return floorDiv(us, US_PER_HOUR) * US_PER_HOUR;
  const day = floorDiv(us, US_PER_DAY);
  if (unit === 'day') return day * US_PER_DAY;
  const { y, m } = civilFromDays(day);
  return daysFromCivil(y, m, 1) * US_PER_DAY;
}

/** The start of the unit after the one starting at `us` (which must be a unit start). */
export function nextUnit(us: bigint, unit: TimeUnit): bigint {
  if (unit === 'hour') return us + US_PER_HOUR;
  if (unit === 'day') return us + US_PER_DAY;
  const { y, m } = civilFromDays(floorDiv(us, US_PER_DAY));
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) * US_PER_DAY;
}

/** How a column's bounds are written: `date`, `timestamp` (no offset) or `timestamptz` (UTC offset). */
export type TimeStyle = 'date' | 'timestamp' | 'timestamptz';

/** The style of a DuckDB temporal type. */
export function timeStyleOf(duckdbType: string): TimeStyle {
  const t = duckdbType.toUpperCase();
  if (t === 'DATE') return 'date';
  return /WITH TIME ZONE|TIMESTAMPTZ/.test(t) ? 'timestamptz' : 'timestamp';
}

/** ISO text of `us` in `style` (fractional seconds only when there are any). */
export function formatInstant(us: bigint, style: TimeStyle): string {
  const day = floorDiv(us, US_PER_DAY);
  const { y, m, d } = civilFromDays(day);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${y < 0 ? '-' : ''}${p(Math.abs(y), 4)}-${p(m)}-${p(d)}`;
  if (style === 'date') return date;
  const rest = us - day * US_PER_DAY;
  const secs = Number(rest / 1_000_000n);
  const micros = Number(rest % 1_000_000n);
  const time = `${p(Math.floor(secs / 3600))}:${p(Math.floor(secs / 60) % 60)}:${p(secs % 60)}${micros ? `.${p(micros, 6)}` : ''}`;
  return `${date} ${time}${style === 'timestamptz' ? '+00:00' : ''}`;
}
