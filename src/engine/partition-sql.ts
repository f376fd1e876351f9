/**
 * Iceberg transforms as DuckDB SQL over Iceberg-typed columns (spec "Partition Transforms", "Bucket Transform
 * Details", "Truncate Transform Details"), for partition keys and sort keys of writes; reading the keys back into
 * floe's in-memory values; and the partition directory names Java writes (`PartitionSpec.partitionToPath`).
 *
 * A partition key is computed in a form whose DuckDB text is trivially and exactly parsed back: integers for
 * int/date/bucket/year/month/day/hour, BIGINT micro- or nanoseconds for time and timestamps, the unscaled HUGEINT
 * for decimals, hex for binary, lower-case text for UUIDs.
 */
import { FloeError } from '../errors.js';
import type { PartitionField, PartitionSpec } from '../iceberg/spec/partition-spec.js';
import { indexById, type Schema } from '../iceberg/spec/schema.js';
import type { SortOrder } from '../iceberg/spec/sort-order.js';
import {
  canTransform,
  parseTransform,
  resultType,
  transformToHumanString,
  transformToString,
  type Transform,
} from '../iceberg/spec/transforms.js';
import { parsePrimitive, primitiveToString, type Primitive, type PrimitiveValue } from '../iceberg/spec/types.js';
import { HASH_BYTES_FUNCTION, HASH_DECIMAL_FUNCTION, HASH_LONG_FUNCTION } from './bucket-hash-function.js';
import { parseFloatText } from './duckdb-text.js';
import { quoteIdent, quoteString } from './sql-literals.js';

const MICROS_PER_DAY = '86400000000';
const MICROS_PER_HOUR = '3600000000';
const NANOS_PER_HOUR = '3600000000000';

/** A column of the schema that transforms can read: a primitive reached through structs only. */
export interface SourceColumn {
  path: string[];
  type: Primitive;
}

/**
 * The primitive column with field id `id`. Partition and sort sources must be primitives outside lists and maps
 * (spec "Partitioning", "Sorting"); anything else is `INVALID_ARGUMENT`.
 */
export function sourceColumn(schema: Schema, id: number, what: string): SourceColumn {
  const byId = indexById(schema);
  const entry = byId.get(id);
  if (!entry || typeof entry.field.type !== 'string') {
    throw new FloeError('INVALID_ARGUMENT', `${what}: source field ${id} is not a primitive column of the schema`, {
      context: { sourceId: id },
    });
  }
  // Walk the path through the schema: every step but the last must be a struct field.
  let fields = schema.fields;
  for (const name of entry.path.slice(0, -1)) {
    const f = fields.find((x) => x.name === name);
    if (!f || typeof f.type === 'string' || f.type.type !== 'struct') {
      throw new FloeError('INVALID_ARGUMENT', `${what}: source field ${id} is inside a list or map`, {
        context: { sourceId: id },
      });
    }
    fields = f.type.fields;
  }
  return { path: entry.path, type: parsePrimitive(entry.field.type) };
}

/** SQL reading the column at `path` of relation `alias`, through struct fields. */
export function columnRef(alias: string, path: string[]): string {
  let out = `${alias}.${quoteIdent(path[0])}`;
  for (const name of path.slice(1)) out = `struct_extract(${out}, ${quoteString(name)})`;
  return out;
}

/** floor(a / b) for b > 0 in integer arithmetic (DuckDB's `//` truncates toward zero). */
function floorDiv(a: string, b: string): string {
  return `((${a} - ((${a} % ${b}) + ${b}) % ${b}) // ${b})`;
}

/** Days since 1970-01-01 of a date or timestamp, floored (spec: instants before 1970 land on the earlier day). */
function epochDays(p: Primitive, c: string): string {
  switch (p.kind) {
    case 'date':
      return `(${c} - DATE '1970-01-01')`;
    case 'timestamp':
    case 'timestamp_ns':
      return `(CAST(${c} AS DATE) - DATE '1970-01-01')`;
    default:
      // timestamptz: the UTC day, whatever the session's TimeZone.
      return floorDiv(`epoch_us(${c})`, MICROS_PER_DAY);
  }
}

/** A value without time zone whose year() and month() are the UTC calendar's. */
function utcCalendarValue(p: Primitive, c: string): string {
  return p.kind === 'timestamptz' ? `make_timestamp(epoch_us(${c}))` : c;
}

/** The 64-bit integer Appendix B hashes for int, long, date, time and timestamps (ns floored to µs, note 3). */
function hashedLong(p: Primitive, c: string): string {
  switch (p.kind) {
    case 'int':
    case 'long':
      return `CAST(${c} AS BIGINT)`;
    case 'date':
      return epochDays(p, c);
    case 'timestamp_ns':
      return floorDiv(`epoch_ns(${c})`, '1000');
    default:
      return `epoch_us(${c})`; // time, timestamp, timestamptz
  }
}

/** The Murmur3 hash (Appendix B) of an Iceberg-typed column, via the functions of `bucket-hash-function.ts`. */
function hashSql(p: Primitive, c: string): string {
  switch (p.kind) {
    case 'string':
      return `${HASH_BYTES_FUNCTION}(encode(${c}))`;
    case 'uuid':
      return `${HASH_BYTES_FUNCTION}(unhex(replace(CAST(${c} AS VARCHAR), '-', '')))`;
    case 'binary':
    case 'fixed':
      return `${HASH_BYTES_FUNCTION}(${c})`;
    case 'decimal':
      return `${HASH_DECIMAL_FUNCTION}(CAST(${c} AS VARCHAR))`;
    default: {
      const v = hashedLong(p, c);
      return `${HASH_LONG_FUNCTION}(CAST((${v}) & 4294967295 AS UINTEGER), CAST((${v}) >> 32 AS INTEGER))`;
    }
  }
}

/** The unscaled value of a decimal column: DuckDB prints every scale digit, so the text without its point. */
function unscaled(c: string): string {
  return `CAST(replace(CAST(${c} AS VARCHAR), '.', '') AS HUGEINT)`;
}

/** `v - (((v % w) + w) % w)`: the floor-truncation of spec note [1]. */
function truncateNumber(v: string, w: string): string {
  return `(${v} - (((${v} % ${w}) + ${w}) % ${w}))`;
}

/**
 * SQL computing transform `t` of column `c` (of Iceberg type `p`) as a partition key, or `undefined` for `void`.
 * With `forSort`, identity and binary truncation keep DuckDB's native value (same order, no conversion).
 */
export function transformSql(t: Transform, p: Primitive, c: string, forSort = false): string | undefined {
  if (t.kind === 'unknown') {
    throw new FloeError('UNSUPPORTED', `cannot write with unknown transform ${JSON.stringify(t.name)}`);
  }
  if (!canTransform(t, p)) {
    throw new FloeError('INVALID_ARGUMENT', `transform ${transformToString(t)} cannot apply to ${primitiveToString(p)}`);
  }
  switch (t.kind) {
    case 'void':
      return undefined;
    case 'identity':
      return forSort ? c : identityKey(p, c);
    case 'bucket':
      return `CAST((${hashSql(p, c)} & 2147483647) % ${t.numBuckets} AS INTEGER)`;
    case 'truncate':
      return truncateKey(p, c, t.width, forSort);
    case 'year':
      return `CAST(year(${utcCalendarValue(p, c)}) - 1970 AS INTEGER)`;
    case 'month': {
      const v = utcCalendarValue(p, c);
      return `CAST((year(${v}) - 1970) * 12 + month(${v}) - 1 AS INTEGER)`;
    }
    case 'day':
      return `CAST(${epochDays(p, c)} AS INTEGER)`;
    case 'hour':
      return p.kind === 'timestamp_ns'
        ? `CAST(${floorDiv(`epoch_ns(${c})`, NANOS_PER_HOUR)} AS INTEGER)`
        : `CAST(${floorDiv(`epoch_us(${c})`, MICROS_PER_HOUR)} AS INTEGER)`;
  }
}

function identityKey(p: Primitive, c: string): string {
  switch (p.kind) {
    case 'decimal':
      return unscaled(c);
    case 'date':
      return `CAST(${epochDays(p, c)} AS INTEGER)`;
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${c})`;
    case 'timestamp_ns':
      return `epoch_ns(${c})`;
    case 'uuid':
      return `CAST(${c} AS VARCHAR)`;
    case 'binary':
    case 'fixed':
      return `hex(${c})`;
    default:
      return c;
  }
}

function truncateKey(p: Primitive, c: string, w: number, forSort: boolean): string {
  switch (p.kind) {
    case 'int': {
      // Java computes in int and wraps on overflow (only near Integer.MIN_VALUE); so does applyTransform.
      const v = truncateNumber(`CAST(${c} AS BIGINT)`, String(w));
      return `CAST(CASE WHEN ${v} < -2147483648 THEN ${v} + 4294967296 ELSE ${v} END AS INTEGER)`;
    }
    case 'long': {
      const v = truncateNumber(`CAST(${c} AS HUGEINT)`, String(w));
      return `CAST(CASE WHEN ${v} < -9223372036854775808 THEN ${v} + CAST('18446744073709551616' AS HUGEINT) ELSE ${v} END AS BIGINT)`;
    }
    case 'decimal':
      // The width applies to the unscaled value (note [2]).
      return truncateNumber(unscaled(c), `CAST(${w} AS HUGEINT)`);
    case 'string':
      // DuckDB's left() counts Unicode code points, never splitting a character (note [3]).
      return `left(${c}, ${w})`;
    default: {
      const sliced = `(${c})[1:${w}]`;
      return forSort ? sliced : `hex(${sliced})`;
    }
  }
}

/** The in-memory value (`PrimitiveValue`) of a key's DuckDB text, for a partition field of result type `p`. */
export function parseKeyText(p: Primitive, text: string | null): PrimitiveValue | null {
  if (text === null) return null;
  switch (p.kind) {
    case 'boolean':
      return text === 'true' || text === '1';
    case 'int':
    case 'date':
      return Number(text);
    case 'float':
      return Math.fround(parseFloatText(text));
    case 'double':
      return parseFloatText(text);
    case 'string':
      return text;
    case 'uuid':
      return text.toLowerCase();
    case 'binary':
    case 'fixed':
      return new Uint8Array(Buffer.from(text, 'hex'));
    default:
      return BigInt(text); // long, time, timestamps (µs/ns), decimal (unscaled)
  }
}

/** One field of a partitioned write. */
export interface PartitionKey {
  field: PartitionField;
  transform: Transform;
  source: SourceColumn;
  /** Type of the partition values (spec "Partition Transforms" result type). */
  resultType: Primitive;
  /** Hidden column carrying the key during the write, or undefined for `void` fields (always null). */
  column?: string;
  /** SQL of the key over relation `alias`. */
  sql?: string;
}

/** The partition keys of `spec` over rows of relation `alias`. */
export function partitionKeys(spec: PartitionSpec, schema: Schema, alias: string): PartitionKey[] {
  return spec.fields.map((field, i) => {
    const transform = parseTransform(field.transform);
    // A void field may name a dropped column (v1 removes partition fields by voiding them); it needs no source.
    const source: SourceColumn =
      transform.kind === 'void' && !indexById(schema).has(field['source-id'])
        ? { path: [], type: { kind: 'int' } }
        : sourceColumn(schema, field['source-id'], `partition field '${field.name}'`);
    const sql = transformSql(transform, source.type, columnRef(alias, source.path));
    const key: PartitionKey = { field, transform, source, resultType: resultType(transform, source.type) };
    if (sql !== undefined) {
      key.column = `__floe_part_${i}`;
      key.sql = sql;
    }
    return key;
  });
}

/** True when some key needs the bucket hash functions. */
export function needsHashFunctions(keys: Array<{ transform: Transform }>): boolean {
  return keys.some((k) => k.transform.kind === 'bucket');
}

/** The ORDER BY items of a sort order over relation `alias` (spec "Sorting"); empty when unsorted. */
export function sortItems(order: SortOrder, schema: Schema, alias: string): { items: string[]; transforms: Transform[] } {
  const items: string[] = [];
  const transforms: Transform[] = [];
  for (const f of order.fields) {
    const transform = parseTransform(f.transform);
    const source = sourceColumn(schema, f['source-id'], `sort field ${f.transform}(${f['source-id']})`);
    const sql = transformSql(transform, source.type, columnRef(alias, source.path), true);
    if (sql === undefined) continue; // void sorts nothing
    transforms.push(transform);
    items.push(`${sql} ${f.direction === 'desc' ? 'DESC' : 'ASC'} NULLS ${f['null-order'] === 'nulls-first' ? 'FIRST' : 'LAST'}`);
  }
  return { items, transforms };
}

/**
 * `URLEncoder.encode(s, UTF_8)`, which Java's `partitionToPath` applies to names and values: letters, digits and
 * `.-*_` stay, a space becomes `+`, every other UTF-8 byte `%XX`.
 */
export function javaUrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The relative directory of a partition tuple: `name=human/...` as Java's `PartitionSpec.partitionToPath`. */
export function partitionPath(keys: PartitionKey[], values: Map<number, PrimitiveValue | null>): string {
  return keys
    .map((k) => {
      const human = transformToHumanString(k.transform, values.get(k.field['field-id']) ?? null, k.source.type);
      return `${javaUrlEncode(k.field.name)}=${javaUrlEncode(human)}`;
    })
    .join('/');
}
