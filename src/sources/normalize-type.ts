/**
 * Maps each database's own type names to floe's portable kinds (`SourceColumn.normalized`), one function per
 * dialect, plus the length / precision / scale read from the type's parameters.
 */
import type { SourceColumn } from './source-schema.js';

/** A portable kind. */
export type NormalizedType = SourceColumn['normalized'];

/** Length, precision and scale of a type, read from its `(a,b)` parameters according to its kind. */
export function typeParameters(type: string, normalized: NormalizedType): Pick<SourceColumn, 'length' | 'precision' | 'scale'> {
  const m = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
  if (!m) return {};
  if (normalized === 'decimal') return { precision: Number(m[1]), scale: m[2] === undefined ? 0 : Number(m[2]) };
  if (normalized === 'string') return { length: Number(m[1]) };
  return {};
}

/** The base name of a type: lower case, parameters and array/unsigned suffixes kept apart. */
function base(type: string): string {
  return type.trim().toLowerCase().replace(/\s*\(.*?\)/g, '').replace(/\s+/g, ' ');
}

/** PostgreSQL, from `format_type()` output. Arrays, intervals, geometric and text-search types are `unknown`. */
export function normalizePostgresType(type: string): NormalizedType {
  if (type.endsWith('[]')) return 'unknown';
  switch (base(type)) {
    case 'boolean': return 'boolean';
    case 'smallint': return 'smallint';
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'numeric': case 'decimal': return 'decimal';
    case 'real': return 'float';
    case 'double precision': return 'double';
    case 'character varying': case 'character': case 'varchar': case 'char': case '"char"': case 'name': return 'string';
    case 'text': case 'citext': return 'text';
    case 'date': return 'date';
    case 'time without time zone': case 'time with time zone': return 'time';
    case 'timestamp without time zone': return 'timestamp';
    case 'timestamp with time zone': return 'timestamptz';
    case 'uuid': return 'uuid';
    case 'bytea': return 'binary';
    case 'json': case 'jsonb': return 'json';
    default: return 'unknown';
  }
}

/**
 * MySQL / MariaDB, from `COLUMN_TYPE`. `tinyint(1)` and `bit(1)` are booleans by convention; unsigned integers move
 * up one size because their range does not fit the signed kind; `timestamp` is stored as UTC, hence `timestamptz`.
 */
export function normalizeMysqlType(columnType: string): NormalizedType {
  const t = columnType.trim().toLowerCase();
  const unsigned = /\bunsigned\b/.test(t);
  const b = base(t.replace(/\bunsigned\b|\bzerofill\b/g, '').trim());
  if (/^tinyint\(1\)/.test(t) || /^bit\(1\)/.test(t) || b === 'boolean' || b === 'bool') return 'boolean';
  switch (b) {
    case 'tinyint': return 'smallint';
    case 'smallint': return unsigned ? 'integer' : 'smallint';
    case 'mediumint': return 'integer';
    case 'int': case 'integer': return unsigned ? 'bigint' : 'integer';
    case 'bigint': return unsigned ? 'decimal' : 'bigint';
    case 'decimal': case 'numeric': return 'decimal';
    case 'float': return 'float';
    case 'double': case 'double precision': case 'real': return 'double';
    case 'char': case 'varchar': return 'string';
    case 'tinytext': case 'text': case 'mediumtext': case 'longtext': return 'text';
    case 'date': return 'date';
    case 'time': return 'time';
    case 'datetime': return 'timestamp';
    case 'timestamp': return 'timestamptz';
    case 'year': return 'smallint';
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': return 'binary';
    case 'json': return 'json';
    case 'uuid': return 'uuid';
    case 'enum': return 'enum';
    default: return 'unknown';
  }
}

/**
 * SQLite, from the declared type. SQLite stores every integer in up to 8 bytes whatever the declaration says, so
 * `INT`/`INTEGER` are `bigint`; only explicitly small names stay small. An empty declaration has no type at all.
 */
export function normalizeSqliteType(declared: string): NormalizedType {
  const b = base(declared);
  switch (b) {
    case 'boolean': case 'bool': return 'boolean';
    case 'tinyint': case 'smallint': case 'int2': return 'smallint';
    case 'int': case 'integer': case 'bigint': case 'int8': case 'mediumint': case 'unsigned big int': return 'bigint';
    case 'decimal': case 'numeric': return 'decimal';
    case 'real': case 'double': case 'double precision': case 'float': return 'double';
    case 'varchar': case 'char': case 'character': case 'nchar': case 'nvarchar': case 'varying character':
    case 'native character': return 'string';
    case 'text': case 'clob': return 'text';
    case 'date': return 'date';
    case 'time': return 'time';
    case 'datetime': case 'timestamp': return 'timestamp';
    case 'blob': return 'binary';
    case 'uuid': return 'uuid';
    case 'json': return 'json';
    default: return 'unknown';
  }
}

/** DuckDB, from `duckdb_columns().data_type`. Nested (LIST/STRUCT/MAP), INTERVAL and 128-bit integers are `unknown`. */
export function normalizeDuckdbType(dataType: string): NormalizedType {
  const t = dataType.trim().toUpperCase();
  if (t.startsWith('ENUM(')) return 'enum';
  if (/[[\]]/.test(t) || /^(STRUCT|MAP|UNION)\b/.test(t)) return 'unknown';
  switch (base(t)) {
    case 'boolean': return 'boolean';
    case 'tinyint': case 'smallint': case 'utinyint': return 'smallint';
    case 'integer': case 'usmallint': return 'integer';
    case 'bigint': case 'uinteger': return 'bigint';
    case 'decimal': return 'decimal';
    case 'float': return 'float';
    case 'double': return 'double';
    // DuckDB's VARCHAR has no length limit (a declared one is dropped), so it is text rather than a bounded string.
    case 'varchar': return 'text';
    case 'date': return 'date';
    case 'time': case 'time with time zone': return 'time';
    case 'timestamp': case 'timestamp_ms': case 'timestamp_ns': case 'timestamp_s': return 'timestamp';
    case 'timestamp with time zone': return 'timestamptz';
    case 'uuid': return 'uuid';
    case 'blob': return 'binary';
    case 'json': return 'json';
    default: return 'unknown';
  }
}
