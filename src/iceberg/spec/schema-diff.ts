/**
 * Field-level differences between two schemas of one table, matched by field id (spec: "Schema Evolution": ids,
 * not names, identify columns, so a rename is a changed name on the same id and a re-added column of the same name
 * is a new id). Pure: used by `diffVersions` to report `schema_changes`.
 *
 * Changes reported, one entry per field (nested fields by their dotted path, list elements and map keys/values as
 * `element`, `key`, `value`):
 * - `added` / `dropped`: ids only in the newer / older schema; children of an added or dropped struct are not
 *   listed separately;
 * - `renamed`: the field's own name changed (a field under a renamed parent is not itself renamed);
 * - `promoted`: a primitive type changed (int→long, float→double, decimal widening, v3 date→timestamp...);
 * - `made_optional` / `made_required`; `doc_changed`; `moved`: the field's place among its siblings that exist in
 *   both schemas changed (a reorder);
 * - `identifier_fields`: the schema's identifier field ids (primary key) changed (field_id 0).
 */
import { indexById, type IndexedField, type Schema } from './schema.js';
import type { IcebergType } from './types.js';

/** Kinds of field-level change. */
export type SchemaChangeKind =
  | 'added'
  | 'dropped'
  | 'renamed'
  | 'promoted'
  | 'made_optional'
  | 'made_required'
  | 'doc_changed'
  | 'moved'
  | 'identifier_fields';

/** One field-level change between two schemas. */
export interface SchemaChange {
  change: SchemaChangeKind;
  /** The field's id (0 for `identifier_fields`, which concerns the schema). */
  field_id: number;
  /** Dotted path of the field in the newer schema (the older one for `dropped`). */
  name: string;
  /** `renamed`: the older path. */
  from_name?: string;
  /** `added`/`dropped`: the type; `promoted`: the newer type. */
  type?: string;
  /** `promoted`: the older type. */
  from_type?: string;
  /** `identifier_fields`: the older and newer identifier field ids. */
  from_ids?: number[];
  to_ids?: number[];
}

const typeText = (t: IcebergType): string => (typeof t === 'string' ? t : t.type);

/** Ids of the direct children of a type (struct fields, list element, map key and value), in order. */
function childIds(t: IcebergType): number[] {
  if (typeof t === 'string') return [];
  if (t.type === 'struct') return t.fields.map((f) => f.id);
  if (t.type === 'list') return [t['element-id']];
  return [t['key-id'], t['value-id']];
}

/** Parent id of every field (0 for top-level fields). */
function parents(schema: Schema): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of schema.fields) out.set(f.id, 0);
  for (const [id, { field }] of indexById(schema)) for (const c of childIds(field.type)) out.set(c, id);
  return out;
}

/** Children ids of each parent (0: the root), in schema order. */
function siblings(schema: Schema): Map<number, number[]> {
  const out = new Map<number, number[]>([[0, schema.fields.map((f) => f.id)]]);
  for (const [id, { field }] of indexById(schema)) out.set(id, childIds(field.type));
  return out;
}

function longestCommonSubsequence(x: number[], y: number[]): Set<number> {
  const n = x.length;
  const m = y.length;
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) len[i][j] = x[i] === y[j] ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
  }
  const out = new Set<number>();
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (x[i] === y[j]) {
      out.add(x[i]);
      i++;
      j++;
    } else if (len[i + 1][j] >= len[i][j + 1]) i++;
    else j++;
  }
  return out;
}

/** The changes from schema `from` to schema `to` (both of one table), in the newer schema's field order. */
export function diffSchemas(from: Schema, to: Schema): SchemaChange[] {
  const a = indexById(from);
  const b = indexById(to);
  const parentA = parents(from);
  const parentB = parents(to);
  const out: SchemaChange[] = [];
  const name = (f: IndexedField) => f.path.join('.');
  // A child of an added (dropped) field is part of that change, not one of its own.
  const underNew = (id: number, own: Map<number, number>, other: Map<number, IndexedField>): boolean => {
    for (let p = own.get(id) ?? 0; p !== 0; p = own.get(p) ?? 0) if (!other.has(p)) return true;
    return false;
  };

  for (const [id, fb] of b) {
    const fa = a.get(id);
    if (!fa) {
      if (!underNew(id, parentB, a)) out.push({ change: 'added', field_id: id, name: name(fb), type: typeText(fb.field.type) });
      continue;
    }
    if (fa.field.name !== fb.field.name) out.push({ change: 'renamed', field_id: id, name: name(fb), from_name: name(fa) });
    const ta = fa.field.type;
    const tb = fb.field.type;
    if (typeof ta === 'string' && typeof tb === 'string' && ta !== tb) {
      out.push({ change: 'promoted', field_id: id, name: name(fb), from_type: ta, type: tb });
    } else if (typeof ta !== typeof tb || (typeof ta !== 'string' && typeof tb !== 'string' && ta.type !== tb.type)) {
      // Not a legal evolution, but metadata written elsewhere may hold it: report it rather than hide it.
      out.push({ change: 'promoted', field_id: id, name: name(fb), from_type: typeText(ta), type: typeText(tb) });
    }
    if (fa.field.required && !fb.field.required) out.push({ change: 'made_optional', field_id: id, name: name(fb) });
    if (!fa.field.required && fb.field.required) out.push({ change: 'made_required', field_id: id, name: name(fb) });
    if ((fa.field.doc ?? '') !== (fb.field.doc ?? '')) out.push({ change: 'doc_changed', field_id: id, name: name(fb) });
  }
  for (const [id, fa] of a) {
    if (!b.has(id) && !underNew(id, parentA, b)) out.push({ change: 'dropped', field_id: id, name: name(fa), type: typeText(fa.field.type) });
  }

  // Reorders: within each parent present in both, compare the order of the children present in both.
  const sibA = siblings(from);
  const sibB = siblings(to);
  for (const [parent, kidsB] of sibB) {
    const kidsA = sibA.get(parent);
    if (!kidsA) continue;
    const commonA = kidsA.filter((k) => kidsB.includes(k));
    const commonB = kidsB.filter((k) => kidsA.includes(k));
    // The fewest fields that moved: those outside a longest common subsequence of the two orders.
    const stay = longestCommonSubsequence(commonA, commonB);
    for (const k of commonB) if (!stay.has(k)) out.push({ change: 'moved', field_id: k, name: name(b.get(k)!) });
  }

  const idsA = [...(from['identifier-field-ids'] ?? [])].sort((x, y) => x - y);
  const idsB = [...(to['identifier-field-ids'] ?? [])].sort((x, y) => x - y);
  if (idsA.join(',') !== idsB.join(',')) {
    out.push({ change: 'identifier_fields', field_id: 0, name: '', from_ids: idsA, to_ids: idsB });
  }
  return out;
}
