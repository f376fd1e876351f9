/**
 * BigInt-safe JSON. Iceberg snapshot ids are 64-bit and often above 2^53 (Java draws them at random), so parsing
 * table metadata with `JSON.parse` would silently corrupt them. Integers outside the safe range become `bigint`;
 * everything else parses as usual.
 */
import { parse, stringify, isSafeNumber } from 'lossless-json';

/** Parses JSON, keeping integers beyond Number.MAX_SAFE_INTEGER exact as `bigint`. */
export function parseJson(text: string): unknown {
  return parse(text, null, (value: string) => {
    if (isSafeNumber(value)) return Number(value);
    if (/^-?\d+$/.test(value)) return BigInt(value);
    // A non-integer that loses precision as a double (rare in metadata): keep the double, as Java would.
    return Number(value);
  });
}

/** Serializes to JSON; `bigint` values are written as plain JSON integers. */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = stringify(value, null, indent);
  if (out === undefined) throw new TypeError('value cannot be serialized to JSON');
  return out;
}

/**
 * JSON for programs reading floe's output: integers beyond 2^53 become strings so that every JSON reader keeps
 * them exact (the `--format json` contract of `floe sql`).
 */
export function stringifyJsonForOutput(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') {
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      }
      return v;
    },
    indent,
  );
}
