/**
 * Iceberg types for DuckDB types (as `DESCRIBE` prints them), for tables whose schema comes from the data.
 * Field ids are assigned in pre-order from 1 (the catalog reassigns fresh ids on create anyway).
 */
import { FloeError } from '../errors.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { IcebergType, NestedField } from '../iceberg/spec/types.js';

/** A column as DESCRIBE reports it. */
export interface DuckDBColumn {
  name: string;
  type: string;
  nullable?: boolean;
}

const SIMPLE: Record<string, string> = {
  BOOLEAN: 'boolean',
  TINYINT: 'int',
  SMALLINT: 'int',
  INTEGER: 'int',
  UTINYINT: 'int',
  USMALLINT: 'int',
  BIGINT: 'long',
  UINTEGER: 'long',
  HUGEINT: 'decimal(38,0)',
  UBIGINT: 'decimal(20,0)',
  FLOAT: 'float',
  DOUBLE: 'double',
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMPTZ: 'timestamptz',
  TIMESTAMP_NS: 'timestamp_ns',
  VARCHAR: 'string',
  BLOB: 'binary',
  UUID: 'uuid',
};

/** Splits `a, b(c, d), e` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out.filter((x) => x.length > 0);
}

/** Converts a DuckDB type to an Iceberg type; `nextId` hands out field ids for nested fields. */
export function icebergTypeOf(duck: string, nextId: () => number, column = ''): IcebergType {
  const t = duck.trim();
  const upper = t.toUpperCase();
  if (SIMPLE[upper]) return SIMPLE[upper];
  let m = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(t);
  if (m) return `decimal(${m[1]},${m[2]})`;
  if (t.endsWith('[]')) {
    const elementId = nextId();
    return { type: 'list', 'element-id': elementId, element: icebergTypeOf(t.slice(0, -2), nextId, column), 'element-required': false };
  }
  m = /^STRUCT\((.*)\)$/is.exec(t);
  if (m) {
    const fields: NestedField[] = splitTop(m[1]).map((part) => {
      const fm = /^("(?:[^"]|"")*"|[^\s]+)\s+(.*)$/s.exec(part);
      if (!fm) throw new FloeError('UNSUPPORTED', `cannot read struct field '${part}' of column ${column}`);
      const name = fm[1].startsWith('"') ? fm[1].slice(1, -1).replace(/""/g, '"') : fm[1];
      const id = nextId();
      return { id, name, required: false, type: icebergTypeOf(fm[2], nextId, `${column}.${name}`) };
    });
    return { type: 'struct', fields };
  }
  m = /^MAP\((.*)\)$/is.exec(t);
  if (m) {
    const [k, v] = splitTop(m[1]);
    const keyId = nextId();
    const valueId = nextId();
    return {
      type: 'map',
      'key-id': keyId,
      key: icebergTypeOf(k, nextId, `${column}.key`),
      'value-id': valueId,
      value: icebergTypeOf(v, nextId, `${column}.value`),
      'value-required': false,
    };
  }
  throw new FloeError('UNSUPPORTED', `column '${column}' has DuckDB type ${t}, which has no Iceberg type yet`, {
    context: { column, type: t },
  });
}

/** An Iceberg schema (id 0) for columns described by DuckDB. */
export function schemaFromDuckDB(columns: DuckDBColumn[]): Schema {
  let id = 0;
  const nextId = () => ++id;
  const top = columns.map((c) => ({ c, id: nextId() }));
  const fields: NestedField[] = top.map(({ c, id: fid }) => ({
    id: fid,
    name: c.name,
    required: c.nullable === false,
    type: icebergTypeOf(c.type, nextId, c.name),
  }));
  return { type: 'struct', 'schema-id': 0, fields };
}
