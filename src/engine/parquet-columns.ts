/**
 * Which data files DuckDB can read by column name rather than through read_parquet's `schema = MAP{field id: ...}`
 * projection. Both give the same rows when a file's top-level column carries the table column's field id, name and
 * DuckDB type (spec: "Column Projection" resolves columns by field id; here id and name agree, so reading by name
 * finds the same column). Reading by name is what DuckDB plans best: with the `schema` map it has no row-count
 * estimate for the scan, so in a join it may build its hash table on a 10M-row table instead of on 1M incoming
 * rows (measured 3.1 s vs 0.65 s for that join, docs/benchmarks.md "upsert").
 *
 * One `parquet_schema` call reads every file's footer (DuckDB reads nothing else); its `column_id` is the schema
 * element's pre-order index, from which the top-level columns are found with `num_children`.
 */
import type { Engine } from './duckdb-engine.js';
import { stringList } from './sql-literals.js';

/** A top-level column of a Parquet file. */
export interface ParquetTopColumn {
  name: string;
  fieldId: number | undefined;
  /** The type DuckDB reads it as (undefined for groups: structs, lists, maps). */
  duckdbType: string | undefined;
}

/** Virtual columns of read_parquet that a file column of the same name would hide. */
const VIRTUAL = new Set(['filename', 'file_row_number', 'file_index']);

/** Most files whose columns are remembered (about 100 bytes per column each). */
const CACHE_FILES = 4096;
/** Top-level columns by `path|size`: data files never change once written, so a path and size name one content. */
const cache = new Map<string, ParquetTopColumn[]>();

/** A file to look at: its path (as DuckDB reads it) and size in bytes (from its manifest entry). */
export interface ParquetFileRef {
  path: string;
  size: bigint | number;
}

/**
 * The top-level columns of each file, in file order, by path. Footers already read are remembered (bounded,
 * oldest first out), so repeated scans of a table pay for new files only.
 */
export async function topLevelColumns(engine: Engine, files: ParquetFileRef[]): Promise<Map<string, ParquetTopColumn[]>> {
  const out = new Map<string, ParquetTopColumn[]>();
  const missing: string[] = [];
  for (const f of files) {
    const hit = cache.get(`${f.path}|${f.size}`);
    if (hit) out.set(f.path, hit);
    else if (!out.has(f.path)) missing.push(f.path);
  }
  if (missing.length === 0) return out;
  const res = await engine.run(
    `SELECT file_name, column_id, name, field_id, duckdb_type, num_children ` +
      `FROM parquet_schema(${stringList([...new Set(missing)])}) ORDER BY file_name, column_id`,
  );
  const rows = (await res.getRowsJS()) as Array<[string, bigint, string, bigint | null, string | null, bigint | null]>;
  const read = new Map<string, ParquetTopColumn[]>();
  let file = '';
  let pending: number[] = [];
  for (const [f, , name, fieldId, type, children] of rows) {
    if (f !== file) {
      file = f;
      pending = [];
      read.set(f, []);
    }
    // pending: children still to come of each open group, innermost last; depth 1 = a top-level column.
    while (pending.length > 0 && pending[pending.length - 1] === 0) pending.pop();
    if (pending.length === 1) {
      read.get(f)!.push({ name, fieldId: fieldId === null ? undefined : Number(fieldId), duckdbType: type ?? undefined });
    }
    if (pending.length > 0) pending[pending.length - 1]--;
    if (children !== null && Number(children) > 0) pending.push(Number(children));
  }
  for (const f of files) {
    const cols = read.get(f.path);
    if (!cols) continue;
    out.set(f.path, cols);
    cache.set(`${f.path}|${f.size}`, cols);
    if (cache.size > CACHE_FILES) cache.delete(cache.keys().next().value as string);
  }
  return out;
}

/** A table column a scan reads: its Iceberg name and field id, and the DuckDB type the scan returns. */
export interface ByNameColumn {
  id: number;
  name: string;
  duckdbType: string;
}

/**
 * A key naming the file's top-level layout when every column of `wanted` is a top-level column of the file with
 * the same field id, name and DuckDB type, and the file's column names are unambiguous for DuckDB (unique ignoring
 * case, none named like a virtual column); undefined when the file must be read by field id. Files with equal
 * keys can share one `read_parquet` call.
 */
export function byNameLayout(columns: ParquetTopColumn[] | undefined, wanted: ByNameColumn[]): string | undefined {
  if (!columns || columns.length === 0) return undefined;
  const lower = new Set<string>();
  for (const c of columns) {
    const l = c.name.toLowerCase();
    if (lower.has(l) || VIRTUAL.has(l)) return undefined;
    lower.add(l);
  }
  for (const w of wanted) {
    const c = columns.find((x) => x.name === w.name);
    if (!c || c.fieldId !== w.id || c.duckdbType !== w.duckdbType) return undefined;
  }
  return columns.map((c) => `${c.fieldId ?? ''}:${c.name}:${c.duckdbType ?? '*'}`).join('|');
}
