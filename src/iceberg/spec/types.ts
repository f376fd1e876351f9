/**
 * Iceberg data types in the spec's JSON shape (spec: "Schemas and Data Types", Appendix C "JSON serialization").
 * Primitive types are their JSON strings (`"decimal(9,2)"`, `"fixed[16]"`); nested types are objects with the
 * spec's keys. {@link parsePrimitive} gives a structured view of a primitive for code that switches on it.
 */
import { FloeError } from '../../errors.js';

/** A primitive type as written in metadata JSON, e.g. `"long"`, `"decimal(38,10)"`, `"fixed[16]"`. */
export type PrimitiveTypeName = string;

/** A field of a struct (spec: "Nested Types"). */
export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  /** Value for rows written before the field existed (v3; spec: "Default values"). JSON single-value form. */
  'initial-default'?: unknown;
  /** Value written when a writer does not supply the field (v3). JSON single-value form. */
  'write-default'?: unknown;
}

/** `struct<...>`. */
export interface StructType {
  type: 'struct';
  fields: NestedField[];
}

/** `list<E>`. */
export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
}

/** `map<K, V>`. */
export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
}

/** Any Iceberg type. */
export type IcebergType = PrimitiveTypeName | StructType | ListType | MapType;

/** A primitive type, parsed. */
export type Primitive =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'long' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp_ns' }
  | { kind: 'timestamptz_ns' }
  | { kind: 'string' }
  | { kind: 'uuid' }
  | { kind: 'fixed'; length: number }
  | { kind: 'binary' }
  | { kind: 'unknown' }
  | { kind: 'variant' }
  | { kind: 'geometry'; crs?: string }
  | { kind: 'geography'; crs?: string; algorithm?: string };

const SIMPLE = new Set([
  'boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'timestamp_ns',
  'timestamptz_ns', 'string', 'uuid', 'binary', 'unknown', 'variant',
]);

/**
 * Parses a primitive type string. Throws `METADATA_INVALID` for anything the spec does not define.
 */
export function parsePrimitive(name: string): Primitive {
  const t = name.trim();
  if (SIMPLE.has(t)) return { kind: t } as Primitive;
  let m = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (m) {
    const precision = Number(m[1]);
    const scale = Number(m[2]);
    if (precision < 1 || precision > 38 || scale > precision) {
      throw new FloeError('METADATA_INVALID', `invalid decimal type: ${name} (precision 1..38, scale <= precision)`);
    }
    return { kind: 'decimal', precision, scale };
  }
  m = /^fixed\s*\[\s*(\d+)\s*\]$/.exec(t);
  if (m) return { kind: 'fixed', length: Number(m[1]) };
  m = /^geometry\s*(?:\(\s*([^)]*)\))?$/.exec(t);
  if (m) return m[1] ? { kind: 'geometry', crs: m[1].trim() } : { kind: 'geometry' };
  m = /^geography\s*(?:\(\s*([^,)]*)\s*(?:,\s*([^)]*))?\))?$/.exec(t);
  if (m) {
    const g: Primitive = { kind: 'geography' };
    if (m[1]) g.crs = m[1].trim();
    if (m[2]) g.algorithm = m[2].trim();
    return g;
  }
  throw new FloeError('METADATA_INVALID', `unknown Iceberg type: ${JSON.stringify(name)}`, { context: { type: name } });
}

/** Formats a parsed primitive back to its JSON string. */
export function primitiveToString(p: Primitive): string {
  switch (p.kind) {
    case 'decimal':
      return `decimal(${p.precision},${p.scale})`;
    case 'fixed':
      return `fixed[${p.length}]`;
    case 'geometry':
      return p.crs ? `geometry(${p.crs})` : 'geometry';
    case 'geography':
      return p.crs ? `geography(${p.crs}${p.algorithm ? `, ${p.algorithm}` : ''})` : 'geography';
    default:
      return p.kind;
  }
}

/** True for a primitive (string) type. */
export function isPrimitive(t: IcebergType): t is PrimitiveTypeName {
  return typeof t === 'string';
}

/** True for `struct`. */
export function isStruct(t: IcebergType): t is StructType {
  return typeof t === 'object' && t.type === 'struct';
}

/** True for `list`. */
export function isList(t: IcebergType): t is ListType {
  return typeof t === 'object' && t.type === 'list';
}

/** True for `map`. */
export function isMap(t: IcebergType): t is MapType {
  return typeof t === 'object' && t.type === 'map';
}

/**
 * Validates and normalizes a type from parsed JSON (ids as numbers, required flags as booleans).
 * `where` names the place in the metadata for error messages.
 */
export function parseType(json: unknown, where: string): IcebergType {
  if (typeof json === 'string') {
    parsePrimitive(json);
    return json;
  }
  if (json === null || typeof json !== 'object') {
    throw new FloeError('METADATA_INVALID', `${where}: type must be a string or an object`);
  }
  const o = json as Record<string, unknown>;
  switch (o.type) {
    case 'struct':
      return parseStruct(o, where);
    case 'list':
      return {
        type: 'list',
        'element-id': requireInt(o, 'element-id', where),
        element: parseType(requireKey(o, 'element', where), `${where}.element`),
        'element-required': requireBool(o, 'element-required', where),
      };
    case 'map':
      return {
        type: 'map',
        'key-id': requireInt(o, 'key-id', where),
        key: parseType(requireKey(o, 'key', where), `${where}.key`),
        'value-id': requireInt(o, 'value-id', where),
        value: parseType(requireKey(o, 'value', where), `${where}.value`),
        'value-required': requireBool(o, 'value-required', where),
      };
    default:
      throw new FloeError('METADATA_INVALID', `${where}: missing or unknown nested type ${JSON.stringify(o.type)}`, {
        context: { field: 'type' },
      });
  }
}

/** Validates a struct type object. */
export function parseStruct(o: Record<string, unknown>, where: string): StructType {
  const fields = o.fields;
  if (!Array.isArray(fields)) {
    throw new FloeError('METADATA_INVALID', `${where}: struct is missing required field 'fields'`, {
      context: { field: 'fields' },
    });
  }
  return {
    type: 'struct',
    fields: fields.map((f, i) => {
      const fw = `${where}.fields[${i}]`;
      if (f === null || typeof f !== 'object') throw new FloeError('METADATA_INVALID', `${fw}: must be an object`);
      const fo = f as Record<string, unknown>;
      const name = requireKey(fo, 'name', fw);
      if (typeof name !== 'string') throw new FloeError('METADATA_INVALID', `${fw}: 'name' must be a string`);
      const field: NestedField = {
        id: requireInt(fo, 'id', fw),
        name,
        required: requireBool(fo, 'required', fw),
        type: parseType(requireKey(fo, 'type', fw), `${fw}(${name})`),
      };
      if (typeof fo.doc === 'string') field.doc = fo.doc;
      if ('initial-default' in fo) field['initial-default'] = fo['initial-default'];
      if ('write-default' in fo) field['write-default'] = fo['write-default'];
      return field;
    }),
  };
}

function requireKey(o: Record<string, unknown>, key: string, where: string): unknown {
  if (!(key in o) || o[key] === undefined) {
    throw new FloeError('METADATA_INVALID', `${where}: missing required field '${key}'`, { context: { field: key } });
  }
  return o[key];
}

function requireInt(o: Record<string, unknown>, key: string, where: string): number {
  const v = requireKey(o, key, where);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FloeError('METADATA_INVALID', `${where}: '${key}' must be an integer`, { context: { field: key } });
  }
  return v;
}

function requireBool(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = requireKey(o, key, where);
  if (typeof v !== 'boolean') {
    throw new FloeError('METADATA_INVALID', `${where}: '${key}' must be a boolean`, { context: { field: key } });
  }
  return v;
}

/**
 * In-memory value of an Iceberg primitive, used by transforms, bounds and partition tuples:
 * boolean → boolean; int, date (days) → number; long, time (µs), timestamp[tz] (µs), timestamp[tz]_ns (ns) → bigint;
 * float, double → number; decimal → bigint (unscaled); string → string; uuid → string (lowercase, hyphenated);
 * fixed, binary → Uint8Array.
 */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;
