/**
 * SQL text for DuckDB: identifier and string quoting, Iceberg types as DuckDB types, and Iceberg values as
 * typed literals. Everything floe splices into SQL goes through here.
 */
import { FloeError } from '../errors.js';
import type { IcebergType, Primitive } from '../iceberg/spec/types.js';
import { isList, isMap, isStruct, parsePrimitive } from '../iceberg/spec/types.js';

/** Quotes an identifier (`"a""b"`). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal (`'it''s'`). */
export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A DuckDB list literal of strings. */
export function stringList(items: string[]): string {
  return `[${items.map(quoteString).join(', ')}]`;
}

/** The DuckDB type of an Iceberg primitive. */
export function duckdbPrimitiveType(p: Primitive): string {
  switch (p.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${p.precision},${p.scale})`;
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMP WITH TIME ZONE';
    case 'timestamp_ns':
      return 'TIMESTAMP_NS';
    case 'timestamptz_ns':
      // DuckDB has no nanosecond TIMESTAMPTZ; microseconds keep the instant (what DuckDB's iceberg reader does).
      return 'TIMESTAMP WITH TIME ZONE';
    case 'string':
      return 'VARCHAR';
    case 'uuid':
      return 'UUID';
    case 'fixed':
    case 'binary':
    case 'geometry':
    case 'geography':
      return 'BLOB';
    case 'variant':
      return 'VARIANT';
    case 'unknown':
      return 'VARCHAR';
  }
}

/** The DuckDB type of any Iceberg type. */
export function duckdbType(t: IcebergType): string {
  if (typeof t === 'string') return duckdbPrimitiveType(parsePrimitive(t));
  if (isStruct(t)) return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
  if (isList(t)) return `${duckdbType(t.element)}[]`;
  if (isMap(t)) return `MAP(${duckdbType(t.key)}, ${duckdbType(t.value)})`;
  throw new FloeError('UNSUPPORTED', `type not supported: ${JSON.stringify(t)}`);
}

/**
 * A DuckDB literal for a value in the spec's JSON single-value form (used by `initial-default`), or NULL.
 * (spec Appendix D "JSON single-value serialization".)
 */
export function jsonDefaultToSql(t: IcebergType, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const type = duckdbType(t);
  if (typeof t !== 'string') {
    return `${quoteString(JSON.stringify(value))}::JSON::${type}`;
  }
  const p = parsePrimitive(t);
  switch (p.kind) {
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'fixed':
    case 'binary':
      return `from_hex(${quoteString(String(value))})`;
    default:
      return `CAST(${quoteString(String(value))} AS ${type})`;
  }
}
