/**
 * The schema fingerprint: sha256 of a canonical JSON of the normalized form, so two introspections of an unchanged
 * database agree and any structural change (a column, a constraint, an index, an enum value) changes it.
 */
import { createHash } from 'node:crypto';
import type { SourceEnum, SourceTable } from './source-schema.js';

/** JSON with object keys sorted at every level; `undefined` members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * The fingerprint of tables and enums. Row counts and sizes are left out: they change with the data, not with the
 * schema. Tables and enums are sorted by name so catalog ordering does not matter.
 */
export function schemaFingerprint(tables: SourceTable[], enums: SourceEnum[]): string {
  const structural = tables
    .map(({ row_count: _c, row_count_exact: _e, size_bytes: _s, ...rest }) => rest)
    .sort((a, b) => `${a.schema ?? ''}.${a.name}`.localeCompare(`${b.schema ?? ''}.${b.name}`));
  const sortedEnums = [...enums].sort((a, b) => a.name.localeCompare(b.name));
  return createHash('sha256').update(canonicalJson({ tables: structural, enums: sortedEnums })).digest('hex');
}
