/**
 * `initial-default` of fields nested in a struct column (v3, spec: "Default values"). read_parquet's `schema`
 * parameter gives defaults to top-level columns only; a struct child missing from a file reads as NULL. So floe
 * checks, only when a struct child has a default, which files lack it (by Parquet field id), and for those files
 * rebuilds the struct with the default in place of the missing child.
 */
import type { Schema } from '../iceberg/spec/schema.js';
import type { NestedField } from '../iceberg/spec/types.js';
import { isStruct } from '../iceberg/spec/types.js';
import type { FileScanTask } from '../iceberg/table/scan-planner.js';
import type { Engine } from './duckdb-engine.js';
import { duckdbType, jsonDefaultToSql, quoteIdent, stringList } from './sql-literals.js';

/** Struct children with an initial default, by their field id. */
export function nestedDefaultIds(schema: Schema): Set<number> {
  const ids = new Set<number>();
  for (const f of schema.fields) {
    if (!isStruct(f.type)) continue;
    for (const c of f.type.fields) if (c['initial-default'] !== undefined && c['initial-default'] !== null) ids.add(c.id);
  }
  return ids;
}

/** For each file, the nested-default field ids it does not contain. Files missing none are left out. */
export async function filesMissingNestedDefaults(
  engine: Engine,
  tasks: FileScanTask[],
  ids: Set<number>,
): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  if (ids.size === 0 || tasks.length === 0) return out;
  const rows = await (
    await engine.run(
      `SELECT file_name, list(field_id) FILTER (WHERE field_id IS NOT NULL) FROM parquet_schema(${stringList(
        tasks.map((t) => t.readPath),
      )}) GROUP BY file_name`,
    )
  ).getRowsJS();
  for (const [file, present] of rows as Array<[string, Array<number | bigint> | null]>) {
    const have = new Set((present ?? []).map(Number));
    const missing = new Set([...ids].filter((id) => !have.has(id)));
    if (missing.size > 0) out.set(file, missing);
  }
  return out;
}

/** The struct column `field` read as the SQL `col`, with missing children replaced by their defaults. */
export function structWithDefaults(col: string, field: NestedField, missing: Set<number>): string | undefined {
  if (!isStruct(field.type) || !field.type.fields.some((c) => missing.has(c.id))) return undefined;
  const children = field.type.fields.map((c) => {
    const value = missing.has(c.id)
      ? `CAST(${jsonDefaultToSql(c.type, c['initial-default'])} AS ${duckdbType(c.type)})`
      : `${col}.${quoteIdent(c.name)}`;
    return `${quoteIdent(c.name)} := ${value}`;
  });
  // A NULL struct stays NULL: defaults fill missing children of rows that have the struct.
  return `CASE WHEN ${col} IS NULL THEN NULL ELSE struct_pack(${children.join(', ')}) END`;
}
