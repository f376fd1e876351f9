/**
 * Typed readers for fields of parsed metadata JSON (output of `parseJson`). Every failure is a `METADATA_INVALID`
 * {@link FloeError} whose message names the place (`where`) and the field, and whose `context.field` is the
 * field's key, so callers and tests can tell which required field is missing without parsing messages.
 *
 * 64-bit values (spec "long": snapshot ids, sequence numbers, timestamps) are read with {@link reqLong} /
 * {@link optLong}, which always return `bigint`: `parseJson` yields a `number` for small integers and a `bigint`
 * beyond 2^53, and normalizing both to `bigint` gives readers one type to compare.
 */
import { FloeError } from '../../errors.js';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Throws the `METADATA_INVALID` error for a field that is absent. */
export function missingField(where: string, key: string): never {
  throw new FloeError('METADATA_INVALID', `${where}: missing required field '${key}'`, {
    context: { field: key, where },
  });
}

/** Throws the `METADATA_INVALID` error for a field whose value has the wrong shape. */
export function invalidField(where: string, key: string, expected: string, value: unknown): never {
  throw new FloeError('METADATA_INVALID', `${where}: '${key}' must be ${expected}, got ${describe(value)}`, {
    context: { field: key, where },
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? typeof value;
}

/** True when `o` has `key` with a value other than `undefined` or JSON `null` (null reads as absent, as in Java). */
export function has(o: JsonObject, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** `value` as a JSON object, or a `METADATA_INVALID` error naming `where`. */
export function asObject(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FloeError('METADATA_INVALID', `${where}: must be a JSON object, got ${describe(value)}`, {
      context: { where },
    });
  }
  return value as JsonObject;
}

function toInt(v: unknown, where: string, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    return invalidField(where, key, 'a 32-bit integer', v);
  }
  return v;
}

function toLong(v: unknown, where: string, key: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return invalidField(where, key, 'a 64-bit integer', v);
}

/** A required JSON int. */
export function reqInt(o: JsonObject, key: string, where: string): number {
  return has(o, key) ? toInt(o[key], where, key) : missingField(where, key);
}

/** An optional JSON int. */
export function optInt(o: JsonObject, key: string, where: string): number | undefined {
  return has(o, key) ? toInt(o[key], where, key) : undefined;
}

/** A required JSON long, as bigint. */
export function reqLong(o: JsonObject, key: string, where: string): bigint {
  return has(o, key) ? toLong(o[key], where, key) : missingField(where, key);
}

/** An optional JSON long, as bigint. */
export function optLong(o: JsonObject, key: string, where: string): bigint | undefined {
  return has(o, key) ? toLong(o[key], where, key) : undefined;
}

/** A required JSON string. */
export function reqString(o: JsonObject, key: string, where: string): string {
  if (!has(o, key)) return missingField(where, key);
  const v = o[key];
  return typeof v === 'string' ? v : invalidField(where, key, 'a string', v);
}

/** An optional JSON string. */
export function optString(o: JsonObject, key: string, where: string): string | undefined {
  if (!has(o, key)) return undefined;
  const v = o[key];
  return typeof v === 'string' ? v : invalidField(where, key, 'a string', v);
}

/** A required JSON array. */
export function reqArray(o: JsonObject, key: string, where: string): unknown[] {
  if (!has(o, key)) return missingField(where, key);
  const v = o[key];
  return Array.isArray(v) ? v : invalidField(where, key, 'a JSON list', v);
}

/** An optional JSON array; absent (or null) reads as `undefined`. */
export function optArray(o: JsonObject, key: string, where: string): unknown[] | undefined {
  return has(o, key) ? reqArray(o, key, where) : undefined;
}

/** An optional list of JSON ints. */
export function optIntList(o: JsonObject, key: string, where: string): number[] | undefined {
  const list = optArray(o, key, where);
  return list?.map((v, i) => toInt(v, where, `${key}[${i}]`));
}

/**
 * An optional string-to-string map (table properties, snapshot summaries). Numbers and booleans are turned into
 * their string form: the spec types these maps as `map<string, string>`, but some writers emit bare scalars and
 * rejecting a whole table for that would help nobody.
 */
export function optStringMap(o: JsonObject, key: string, where: string): Record<string, string> | undefined {
  if (!has(o, key)) return undefined;
  const m = asObject(o[key], `${where}.${key}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') out[k] = String(v);
    else invalidField(`${where}.${key}`, k, 'a string', v);
  }
  return out;
}
