/**
 * JSON Schema (draft 2020-12) of a table's rows, from its columns and constraints: the shape a row read from the
 * database (keyed by column name) must have. Decimals are JSON numbers bounded by their precision.
 */
import type { SourceColumn, SourceEnum, SourceTable } from '../sources/source-schema.js';
import type { ModelConstraint } from './constraints.js';
import type { FloeModel } from './model.js';
import { toClassName } from './naming.js';

/** A JSON Schema object (the keywords floe writes). */
export type JsonSchema = Record<string, unknown>;

/** The dialect URI of draft 2020-12. */
export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

const INT_RANGE: Record<string, [number, number]> = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  // bigint exceeds a double's exact range: bound it at what a JSON number holds exactly.
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function columnSchema(column: SourceColumn, enums: readonly SourceEnum[]): JsonSchema {
  const s: JsonSchema = {};
  switch (column.normalized) {
    case 'boolean': s.type = 'boolean'; break;
    case 'smallint': case 'integer': case 'bigint':
      s.type = 'integer';
      [s.minimum, s.maximum] = INT_RANGE[column.normalized];
      break;
    case 'decimal':
      s.type = 'number';
      if (column.precision !== undefined) {
        const scale = column.scale ?? 0;
        const limit = 10 ** (column.precision - scale);
        s.exclusiveMinimum = -limit;
        s.exclusiveMaximum = limit;
        s.multipleOf = scale === 0 ? 1 : Number(`1e-${scale}`);
      }
      break;
    case 'float': case 'double': s.type = 'number'; break;
    case 'date': s.type = 'string'; s.format = 'date'; break;
    case 'time': s.type = 'string'; s.format = 'time'; break;
    case 'timestamp': case 'timestamptz': s.type = 'string'; s.format = 'date-time'; break;
    case 'uuid': s.type = 'string'; s.format = 'uuid'; break;
    case 'binary': s.type = 'string'; s.contentEncoding = 'base64'; break;
    // JSON columns hold any JSON value: no type keyword.
    case 'json': break;
    case 'enum': {
      s.type = 'string';
      const e = enums.find((x) => x.name === column.enum);
      if (e) s.enum = [...e.values];
      break;
    }
    default: s.type = 'string';
  }
  if (column.length !== undefined && s.type === 'string') s.maxLength = column.length;
  if (column.comment) s.description = column.comment;
  return s;
}

function tighten(s: JsonSchema, key: 'minimum' | 'exclusiveMinimum' | 'maximum' | 'exclusiveMaximum', v: number): void {
  const old = s[key];
  const lower = key === 'minimum' || key === 'exclusiveMinimum';
  if (typeof old !== 'number' || (lower ? v > old : v < old)) s[key] = v;
}

function applyConstraint(s: JsonSchema, c: ModelConstraint): void {
  switch (c.check) {
    case '>': tighten(s, 'exclusiveMinimum', Number(c.value)); break;
    case '>=': tighten(s, 'minimum', Number(c.value)); break;
    case '<': tighten(s, 'exclusiveMaximum', Number(c.value)); break;
    case '<=': tighten(s, 'maximum', Number(c.value)); break;
    case 'between': tighten(s, 'minimum', c.min!); tighten(s, 'maximum', c.max!); break;
    // One `pattern` per schema: further patterns go into `allOf`, so every regex constraint still applies.
    case 'regex':
      if (s.pattern === undefined) s.pattern = String(c.value);
      else s.allOf = [...((s.allOf as JsonSchema[] | undefined) ?? []), { pattern: String(c.value) }];
      break;
    case '=': s.const = c.value; break;
    case '!=': s.not = { const: c.value }; break;
    case 'in': {
      const prior = Array.isArray(s.enum) ? (s.enum as unknown[]) : undefined;
      s.enum = prior ? prior.filter((v) => c.values!.includes(v as string | number)) : [...c.values!];
      break;
    }
    case 'notNull': break;
  }
}

/**
 * The JSON Schema of one table's rows. Nullable columns accept `null` unless a `notNull` constraint says
 * otherwise; a constraint's keywords only restrict values of its type, so `null` passes them as a CHECK does.
 */
export function tableJsonSchema(table: SourceTable, enums: readonly SourceEnum[], constraints: readonly ModelConstraint[] = [], title = toClassName(table.name)): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const column of [...table.columns].sort((a, b) => a.ordinal - b.ordinal)) {
    const s = columnSchema(column, enums);
    const mine = constraints.filter((c) => c.column === column.name);
    for (const c of mine) applyConstraint(s, c);
    const notNull = !column.nullable || table.primary_keys.includes(column.name) || mine.some((c) => c.check === 'notNull');
    if (notNull) required.push(column.name);
    else {
      if (typeof s.type === 'string') s.type = [s.type, 'null'];
      if (Array.isArray(s.enum)) s.enum = [...(s.enum as unknown[]), null];
      if ('const' in s) { s.enum = [s.const, null]; delete s.const; }
    }
    properties[column.name] = s;
  }
  const out: JsonSchema = { $schema: JSON_SCHEMA_2020_12, title, type: 'object' };
  if (table.comment) out.description = table.comment;
  out.properties = properties;
  out.required = required;
  out.additionalProperties = false;
  return out;
}

/** JSON Schemas of every class of a model, by table name. */
export function modelJsonSchemas(model: FloeModel): Map<string, JsonSchema> {
  const enums = model.enums.map((e) => e.source);
  return new Map(model.classes.map((c) => [c.table.name, tableJsonSchema(c.table, enums, c.constraints, c.name)]));
}
