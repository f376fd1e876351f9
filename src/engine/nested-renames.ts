/**
 * Struct fields renamed since a file was written (spec "Column Projection": columns are found by field id, at any
 * depth). read_parquet's `schema` map finds top-level columns by field id, but it casts a struct column to the
 * STRUCT type asked for by member name: a member renamed since would read NULL, a member dropped and a new one added
 * under its name would read the old member's values, and a struct with no member name in common fails the cast.
 * So for files whose member names differ, floe asks read_parquet for the column under the file's own names (members
 * the file lacks under names no file uses, which read NULL) and renames them back in SQL. Tables whose schemas all
 * agree on their struct members (the common case) pay nothing: no file is inspected.
 */
import type { Schema } from '../iceberg/spec/schema.js';
import type { IcebergType, NestedField } from '../iceberg/spec/types.js';
import type { TableMetadata } from '../iceberg/spec/table-metadata.js';
import type { FileScanTask } from '../iceberg/table/scan-planner.js';
import type { Engine } from './duckdb-engine.js';
import { quoteIdent, stringList } from './sql-literals.js';

/** Member names of a file's structs by field id, for the members whose name differs from the read schema's. */
export type MemberNames = Map<number, string>;

/** Calls `visit` for every struct member at any depth (inside structs, list elements and map keys and values). */
function eachMember(type: IcebergType, visit: (f: NestedField) => void): void {
  if (typeof type === 'string') return;
  if (type.type === 'struct') {
    for (const f of type.fields) {
      visit(f);
      eachMember(f.type, visit);
    }
  } else if (type.type === 'list') eachMember(type.element, visit);
  else {
    eachMember(type.key, visit);
    eachMember(type.value, visit);
  }
}

function members(fields: NestedField[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of fields) eachMember(f.type, (m) => out.set(m.id, m.name));
  return out;
}

/**
 * True when some schema of the table names a struct member (by id) other than `schema` does, or has a member
 * `schema` lacks: only then can a file's member names differ from the ones read_parquet is asked for.
 */
export function membersMayDiffer(md: TableMetadata, schema: Schema): boolean {
  // Every scan asks; parsed metadata is shared between scans, so the answer is kept per metadata and schema.
  let bySchema = MAY_DIFFER.get(md);
  if (!bySchema) MAY_DIFFER.set(md, (bySchema = new Map()));
  let answer = bySchema.get(schema['schema-id']);
  if (answer === undefined) {
    const read = members(schema.fields);
    answer = read.size > 0 && md.schemas.some((s) => [...members(s.fields)].some(([id, name]) => read.get(id) !== name));
    bySchema.set(schema['schema-id'], answer);
  }
  return answer;
}

const MAY_DIFFER = new WeakMap<TableMetadata, Map<number, boolean>>();

/**
 * For each file whose struct members differ from `schema`'s: the members to ask for under another name (the file's
 * name, or for a member the file lacks, a name no file uses). Files that agree are left out.
 */
export async function fileMemberNames(engine: Engine, tasks: FileScanTask[], schema: Schema): Promise<Map<string, MemberNames>> {
  const out = new Map<string, MemberNames>();
  const read = members(schema.fields);
  if (read.size === 0 || tasks.length === 0) return out;
  const rows = (await (
    await engine.run(
      `SELECT file_name, list(field_id) FILTER (WHERE field_id IS NOT NULL), list(name) FILTER (WHERE field_id IS NOT NULL) ` +
        `FROM parquet_schema(${stringList(tasks.map((t) => t.readPath))}) GROUP BY file_name`,
    )
  ).getRowsJS()) as Array<[string, Array<number | bigint> | null, string[] | null]>;
  for (const [file, ids, names] of rows) {
    const byId = new Map<number, string>((ids ?? []).map((id, i) => [Number(id), (names ?? [])[i]]));
    const fileNames = new Set(byId.values());
    const differ: MemberNames = new Map();
    for (const [id, name] of read) {
      const inFile = byId.get(id);
      if (inFile !== undefined && inFile !== name) differ.set(id, inFile);
      // A member the file lacks, while the file has a member by that name (another id): asked for under a name no
      // file uses, so it reads NULL instead of the other member's values.
      else if (inFile === undefined && fileNames.has(name)) differ.set(id, `__floe_absent_${id}`);
    }
    if (differ.size > 0) {
      // Once a column is read under the file's names, every member the file lacks gets an unused name too: the
      // file's member of the same name (another id) must not be read for it.
      for (const [id] of read) if (!byId.has(id) && !differ.has(id)) differ.set(id, `__floe_absent_${id}`);
      out.set(file, differ);
    }
  }
  return out;
}

/** `type` with struct members named as `names` says (the type to ask read_parquet for). */
export function typeWithMemberNames(type: IcebergType, names: MemberNames): IcebergType {
  if (typeof type === 'string') return type;
  if (type.type === 'struct') {
    return { ...type, fields: type.fields.map((f) => ({ ...f, name: names.get(f.id) ?? f.name, type: typeWithMemberNames(f.type, names) })) };
  }
  if (type.type === 'list') return { ...type, element: typeWithMemberNames(type.element, names) };
  return { ...type, key: typeWithMemberNames(type.key, names), value: typeWithMemberNames(type.value, names) };
}

function touches(type: IcebergType, names: MemberNames): boolean {
  let hit = false;
  eachMember(type, (m) => {
    if (names.has(m.id)) hit = true;
  });
  return hit;
}

/**
 * SQL turning `expr`, read as {@link typeWithMemberNames}, back into `type`'s member names; undefined when no member
 * of `type` is renamed. A NULL struct stays NULL.
 */
export function renameMembersBack(expr: string, type: IcebergType, names: MemberNames, depth = 0): string | undefined {
  if (typeof type === 'string' || !touches(type, names)) return undefined;
  if (type.type === 'struct') {
    const children = type.fields.map((f) => {
      const inner = `${expr}.${quoteIdent(names.get(f.id) ?? f.name)}`;
      return `${quoteIdent(f.name)} := ${renameMembersBack(inner, f.type, names, depth + 1) ?? inner}`;
    });
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${children.join(', ')}) END`;
  }
  const v = `__floe_e${depth}`;
  if (type.type === 'list') {
    return `list_transform(${expr}, lambda ${v}: ${renameMembersBack(v, type.element, names, depth + 1) ?? v})`;
  }
  const key = renameMembersBack(`${v}.key`, type.key, names, depth + 1) ?? `${v}.key`;
  const value = renameMembersBack(`${v}.value`, type.value, names, depth + 1) ?? `${v}.value`;
  return `map_from_entries(list_transform(map_entries(${expr}), lambda ${v}: {'key': ${key}, 'value': ${value}}))`;
}
