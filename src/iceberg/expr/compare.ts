/**
 * Ordering of in-memory Iceberg values ({@link PrimitiveValue}) for the pruning evaluators. Values of one column
 * may arrive in different JS representations: a column promoted from `int` to `long` (spec "Schema Evolution")
 * has old partition values as `number` and new ones as `bigint`, so integers compare exactly across the two.
 */
import type { PrimitiveValue } from '../spec/types.js';

/**
 * Compares two strings by Unicode code point, the order of their UTF-8 bytes, which is how writers compute
 * string bounds (Parquet compares binary statistics as unsigned bytes) and how Java's `Comparators.charSequences`
 * orders them. JS `<` compares UTF-16 code units instead, which differs for characters above U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after all BMP characters.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** Unsigned lexicographic comparison of bytes, the order of `fixed` and `binary` values and bounds. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** Exact comparison of an integer-or-fraction `number` with a `bigint`. */
function compareNumberBigint(a: number, b: bigint): number {
  if (a === Infinity) return 1;
  if (a === -Infinity) return -1;
  const fl = Math.floor(a);
  const fb = BigInt(fl);
  if (fb !== b) return fb < b ? -1 : 1;
  return a > fl ? 1 : 0;
}

/**
 * Sign of `a - b` (-1, 0 or 1), or `undefined` when the two values cannot be ordered: different kinds (a string
 * and a number) or a NaN, which the callers treat on their own. `-0` and `0` compare equal, as in SQL.
 */
export function compareValues(a: PrimitiveValue, b: PrimitiveValue): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isNaN(a) ? undefined : compareNumberBigint(a, b);
  if (typeof a === 'bigint' && typeof b === 'number') {
    return Number.isNaN(b) ? undefined : -compareNumberBigint(b, a);
  }
  if (typeof a === 'string' && typeof b === 'string') return Math.sign(compareStrings(a, b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Math.sign(compareBytes(a, b));
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return undefined;
}

/** True when `v` is a floating-point NaN. */
export function isNaNValue(v: PrimitiveValue): boolean {
  return typeof v === 'number' && Number.isNaN(v);
}

/**
 * True when `a` and `b` are certainly the same value. Stricter than `compareValues(a, b) === 0` for zeros:
 * `-0` and `0` differ here, so a `!=` predicate is never pruned on a zero whose sign the bounds may not tell.
 */
export function sameValue(a: PrimitiveValue, b: PrimitiveValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  return compareValues(a, b) === 0;
}

function uuidBytes(v: PrimitiveValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v.length === 16 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const hex = v.replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Uint8Array.from(Buffer.from(hex, 'hex')) : undefined;
}

/** Java's `UUID.compareTo`: the high and then the low 64 bits, each as a signed long. */
function compareUuidSigned(a: Uint8Array, b: Uint8Array): number {
  const va = new DataView(a.buffer, a.byteOffset, 16);
  const vb = new DataView(b.buffer, b.byteOffset, 16);
  for (const off of [0, 8]) {
    const x = va.getBigInt64(off);
    const y = vb.getBigInt64(off);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Whether `v` may lie within UUID bounds `[lower, upper]`. Writers disagree on UUID order: the spec and most
 * writers compare the 16 bytes unsigned, older Iceberg Java wrote bounds by Java's signed `UUID.compareTo`. A
 * value outside the bounds under both orders is outside whichever order the writer used.
 */
export function uuidMightBeWithin(lower: PrimitiveValue, upper: PrimitiveValue, v: PrimitiveValue): boolean {
  const lo = uuidBytes(lower);
  const hi = uuidBytes(upper);
  const x = uuidBytes(v);
  if (!lo || !hi || !x) return true;
  const unsigned = compareBytes(lo, x) <= 0 && compareBytes(x, hi) <= 0;
  const signed = compareUuidSigned(lo, x) <= 0 && compareUuidSigned(x, hi) <= 0;
  return unsigned || signed;
}
