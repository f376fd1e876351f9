/**
 * Reading data files written without Parquet field ids (tables migrated from Hive or written by tools that do not
 * set ids). The spec says such files are read through the table's name mapping, `schema.name-mapping.default`
 * (spec: "Column Projection"). Only tables that have a mapping are checked, so ordinary tables pay nothing.
 */
import { parseNameMapping, mappedFieldId } from '../iceberg/spec/name-mapping.js';
import type { TableMetadata } from '../iceberg/spec/table-metadata.js';
import type { IcebergType } from '../iceberg/spec/types.js';
import type { FileScanTask } from '../iceberg/table/scan-planner.js';
import type { Engine } from './duckdb-engine.js';
import { duckdbType, jsonDefaultToSql, quoteIdent, stringList } from './sql-literals.js';

/** Paths of files without field ids, with their top-level column names. */
export type MappedFiles = Map<string, string[]>;

/** Finds which planned files lack field ids, when the table has a name mapping. */
export async function nameMappedFiles(engine: Engine, md: TableMetadata, tasks: FileScanTask[]): Promise<MappedFiles> {
  const out: MappedFiles = new Map();
  if (!md.properties['schema.name-mapping.default'] || tasks.length === 0) return out;
  const paths = tasks.map((t) => t.readPath);
  const res = await engine.run(
    `SELECT file_name, list(name ORDER BY rowid) FILTER (WHERE num_children IS NULL OR num_children >= 0) AS names, ` +
      `count(field_id) AS ids FROM (SELECT *, row_number() OVER () AS rowid FROM parquet_schema(${stringList(paths)})) ` +
      `GROUP BY file_name`,
  );
  for (const row of await res.getRowsJS()) {
    const [file, names, ids] = row as [string, string[], bigint];
    if (Number(ids) === 0) out.set(file, names);
  }
  return out;
}

interface Col {
  id: number;
  name: string;
  type: IcebergType;
  defaultValue: unknown;
}

/** A SELECT reading name-mapped files, each column found by the names the mapping gives its field id. */
export function nameMappedSelect(md: TableMetadata, paths: string[], cols: Col[], mapped: MappedFiles): string {
  const mapping = parseNameMapping(md.properties['schema.name-mapping.default']);
  const present = new Set<string>();
  for (const p of paths) for (const n of mapped.get(p) ?? []) present.add(n);
  const select = cols.map((c) => {
    const name = [...present].find((n) => mappedFieldId(mapping, [n]) === c.id);
    const expr = name !== undefined ? `CAST(${quoteIdent(name)} AS ${duckdbType(c.type)})` : jsonDefaultToSql(c.type, c.defaultValue);
    return `${expr} AS ${quoteIdent(c.name)}`;
  });
  return `SELECT ${select.join(', ')}, filename, file_row_number FROM read_parquet(${stringList(paths)}, union_by_name = true, filename = true, file_row_number = true)`;
}
