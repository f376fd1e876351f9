/**
 * Turns a planned Iceberg scan into DuckDB SQL over `read_parquet` (ARCHITECTURE.md "engine/": scans are
 * read_parquet plus deletes). Columns are projected by Iceberg field id through read_parquet's `schema`
 * parameter, so renamed columns read right, columns added later read as their `initial-default` (or NULL) in files
 * written before them, and promoted types are cast (spec: "Column Projection", "Default values").
 *
 * Files whose columns carry the table's field ids under the table's names and types are read by name instead
 * (`parquet-columns.ts`): the same rows, and DuckDB then knows the scan's row count, which decides join order.
 *
 * Deletes are applied as anti joins: position deletes and deletion vectors on (file, row position), or on the row
 * position alone when a group holds one data file (always so for a deletion vector), equality deletes on the
 * equality columns with null-safe comparison. Data files are grouped by the exact set of deletes that apply to them
 * (planned in iceberg/table/delete-index.ts), so each group needs no per-row sequence checks.
 */
import { FloeError } from '../errors.js';
import type { NestedField, IcebergType } from '../iceberg/spec/types.js';
import { parsePrimitive, type Primitive } from '../iceberg/spec/types.js';
import { valueToJson } from '../iceberg/spec/bounds.js';
import type { Schema } from '../iceberg/spec/schema.js';
import type { TableMetadata } from '../iceberg/spec/table-metadata.js';
import type { FileScanTask, ScanPlan } from '../iceberg/table/scan-planner.js';
import type { PlannedFile } from '../iceberg/table/delete-index.js';
import type { Table } from '../iceberg/table/table.js';
import { readDeletionVectorPositions } from './deletion-vector-positions.js';
import { isLocalPath, localCopy } from './remote-files.js';
import { LocalFileIO } from '../iceberg/io/local-file-io.js';
import type { Engine } from './duckdb-engine.js';
import { duckdbType, quoteIdent, quoteString, stringList } from './sql-literals.js';
import { nameMappedFiles, nameMappedSelect } from './name-mapped-files.js';
import { filesMissingNestedDefaults, nestedDefaultIds, structWithDefaults } from './nested-defaults.js';
import { fileMemberNames, membersMayDiffer, renameMembersBack, typeWithMemberNames, type MemberNames } from './nested-renames.js';
import { byNameLayout, topLevelColumns, type ByNameColumn } from './parquet-columns.js';
import { appendColumns } from './typed-columns.js';

/** Options of {@link buildScanSql}. */
export interface ScanSqlOptions {
  /** Also project DuckDB's `filename` column (the path read), for queries that reference it. */
  includeFilename?: boolean;
  /**
   * Also project `filename` (the path read) and `file_row_number` (the row's position in its data file) of every
   * live row: what row-level deletes record in position delete files and deletion vectors.
   */
  includeRowPosition?: boolean;
  /**
   * Also project `file_index` (INTEGER: the index of the row's data file in `plan.tasks`) and `file_row_number`:
   * a compact (file, position) for joins, cheaper than the `filename` string.
   */
  includeFileIndex?: boolean;
  /**
   * Do not apply position deletes and deletion vectors (equality deletes still apply): rows they delete are
   * returned too. For callers that filter a few matched rows afterwards rather than every row of the scan.
   */
  skipPositionDeletes?: boolean;
}

/** SQL for a scan, plus the temporary tables it needs (dropped by `cleanup`). */
export interface ScanSql {
  /** A table expression: either a bare `read_parquet(...)` call or a parenthesized subquery. */
  sql: string;
  cleanup: () => Promise<void>;
}

let tempCounter = 0;

/**
 * The names {@link buildScanSql} gives a schema's top-level columns, by field id. DuckDB identifiers are
 * case-insensitive while Iceberg names are not: a later name equal to an earlier one ignoring case gets a `_1`,
 * `_2`... suffix, as DuckDB's iceberg reader does.
 */
export function scanColumnNames(schema: Pick<Schema, 'fields'>): Map<number, string> {
  const taken = new Set<string>();
  const out = new Map<number, string>();
  for (const f of schema.fields) {
    let name = f.name;
    for (let n = 1; taken.has(name.toLowerCase()); n++) name = `${f.name}_${n}`;
    taken.add(name.toLowerCase());
    out.set(f.id, name);
  }
  return out;
}

/** The `default_value` read_parquet casts from VARCHAR, from a JSON single-value default (Appendix D). */
function defaultValueText(type: IcebergType, value: unknown): string {
  if (value === null || value === undefined || typeof type !== 'string') return 'NULL';
  const p = parsePrimitive(type);
  if (p.kind === 'fixed' || p.kind === 'binary') {
    const hex = String(value);
    return quoteString(hex.replace(/(..)/g, '\\x$1'));
  }
  return quoteString(String(value));
}

/** Finds a top-level field by id in the current schema or, for dropped columns, any older schema. */
function fieldByIdAnySchema(md: TableMetadata, schema: Schema, id: number): NestedField | undefined {
  const direct = schema.fields.find((f) => f.id === id);
  if (direct) return direct;
  for (const s of [...md.schemas].reverse()) {
    const f = s.fields.find((x) => x.id === id);
    if (f) return f;
  }
  return undefined;
}

interface Column {
  id: number;
  /** Name of the column in the read relation. */
  name: string;
  type: IcebergType;
  defaultValue: unknown;
}

function schemaMap(cols: Column[]): string {
  const entries = cols.map(
    (c) =>
      `${c.id}: {name: ${quoteString(c.name)}, type: ${quoteString(duckdbType(c.type))}, default_value: ${defaultValueText(c.type, c.defaultValue)}}`,
  );
  return `MAP {${entries.join(', ')}}`;
}

function readParquet(paths: string[], cols: Column[], extra = ''): string {
  return `read_parquet(${stringList(paths)}, schema = ${schemaMap(cols)}${extra})`;
}

const eqName = (id: number) => `__floe_eq_${id}`;

interface IdentityColumn extends Column {
  /** Partition field id per spec id. */
  partitionFieldBySpec: Map<number, number>;
  primitive: Primitive;
}

/** Output columns that are the source of an identity partition field in some spec. */
function identityColumns(md: TableMetadata, plan: ScanPlan, output: Column[]): IdentityColumn[] {
  const out: IdentityColumn[] = [];
  for (const c of output) {
    if (typeof c.type !== 'string') continue;
    const bySpec = new Map<number, number>();
    for (const spec of md['partition-specs']) {
      const pf = spec.fields.find((f) => f['source-id'] === c.id && f.transform === 'identity');
      if (pf) bySpec.set(spec['spec-id'], pf['field-id']);
    }
    if (bySpec.size > 0) out.push({ ...c, partitionFieldBySpec: bySpec, primitive: parsePrimitive(c.type) });
  }
  return plan.tasks.length > 0 ? out : [];
}

/** The identity partition value of a file as the text read_parquet casts, or undefined when it has none. */
function identityDefault(c: IdentityColumn, t: FileScanTask): string | undefined {
  const pfId = c.partitionFieldBySpec.get(t.specId);
  if (pfId === undefined || !t.file.partition.has(pfId)) return undefined;
  const v = t.file.partition.get(pfId);
  if (v === null || v === undefined) return undefined;
  const json = valueToJson(c.primitive, v);
  return json === null ? undefined : String(json);
}

function withIdentityDefaults(cols: Column[], identity: IdentityColumn[], t: FileScanTask): Column[] {
  if (identity.length === 0) return cols;
  return cols.map((c) => {
    const ic = identity.find((i) => i.id === c.id);
    const v = ic ? identityDefault(ic, t) : undefined;
    return v === undefined ? c : { ...c, defaultValue: v };
  });
}

/** Builds the SQL reading `plan`'s rows. */
export async function buildScanSql(engine: Engine, table: Table, plan: ScanPlan, opts: ScanSqlOptions = {}): Promise<ScanSql> {
  const md = table.metadata;
  const names = scanColumnNames(plan.schema);
  const output: Column[] = plan.schema.fields.map((f) => ({ id: f.id, name: names.get(f.id)!, type: f.type, defaultValue: f['initial-default'] }));
  const temps: string[] = [];
  const cleanup = async () => {
    for (const t of temps) await engine.run(`DROP TABLE IF EXISTS ${t}`);
  };
  const withFilename = opts.includeFilename || opts.includeRowPosition;
  const withPosition = opts.includeRowPosition || opts.includeFileIndex;
  /**
   * The select list of a group read as `alias`; `fileIndex` is the SQL of the row's file index, `missing` the struct
   * children with defaults its files lack, `members` the struct members its files name otherwise.
   */
  const outList = (alias: string, fileIndex: string, missing?: Set<number>, members?: MemberNames) => {
    const cols = output.map((c, i) => {
      const read = `${alias}.${quoteIdent(c.name)}`;
      const renamed = members ? renameMembersBack(read, c.type, members) : undefined;
      const rebuilt = (missing ? structWithDefaults(renamed ?? read, plan.schema.fields[i], missing) : undefined) ?? renamed;
      return rebuilt ? `${rebuilt} AS ${quoteIdent(c.name)}` : read;
    });
    if (withFilename) cols.push(`${alias}.filename`);
    if (withPosition) cols.push(`${alias}.file_row_number`);
    if (opts.includeFileIndex) cols.push(`CAST(${fileIndex} AS INTEGER) AS file_index`);
    return cols.join(', ');
  };

  if (plan.tasks.length === 0) {
    const cols = output.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`);
    if (withFilename) cols.push('CAST(NULL AS VARCHAR) AS filename');
    if (withPosition) cols.push('CAST(NULL AS BIGINT) AS file_row_number');
    if (opts.includeFileIndex) cols.push('CAST(NULL AS INTEGER) AS file_index');
    return { sql: `(SELECT ${cols.join(', ')} WHERE false)`, cleanup };
  }

  // DuckDB here has no httpfs (no extension downloads): object-store files come through the table's FileIO into
  // a local cache. A table opened by path reads with LocalFileIO, which cannot: that is UNSUPPORTED, clearly.
  for (const t of plan.tasks) {
    for (const f of [t, ...t.deletes]) {
      if (isLocalPath(f.readPath)) continue;
      if (table.io instanceof LocalFileIO) {
        throw new FloeError('UNSUPPORTED', `reading ${f.readPath.split('://')[0]}:// files of a table opened by path is not supported yet: ${f.readPath}`, {
          context: { path: f.readPath },
        });
      }
      f.readPath = await localCopy(table.io, f.readPath);
    }
  }
  for (const t of plan.tasks) {
    if (t.file.file_format !== 'PARQUET') {
      throw new FloeError('UNSUPPORTED', `data file format ${t.file.file_format} is not supported yet: ${t.file.file_path}`);
    }
  }

  // Files written without field ids (tables migrated from Hive) are read by the table's name mapping.
  const mapped = await nameMappedFiles(engine, md, plan.tasks);

  // Identity partition values come from partition metadata when a file does not store the column (spec:
  // "Column Projection"): files are grouped by those values, which become the group's read defaults.
  const identity = identityColumns(md, plan, output);
  const missingNested = await filesMissingNestedDefaults(engine, plan.tasks, nestedDefaultIds(plan.schema));
  const memberNames = membersMayDiffer(md, plan.schema)
    ? await fileMemberNames(engine, plan.tasks.filter((t) => !mapped.has(t.readPath)), plan.schema)
    : new Map<string, MemberNames>();
  const layouts = await byNameLayouts(engine, plan.tasks, output, mapped);
  const groups = new Map<string, FileScanTask[]>();
  for (const t of plan.tasks) {
    const layout = layouts.get(t.readPath);
    const ids = layout !== undefined ? '' : identity.map((c) => `${c.id}=${identityDefault(c, t) ?? 'null'}`).join(',');
    const nested = [...(missingNested.get(t.readPath) ?? [])].sort((a, b) => a - b).join(',');
    const members = [...(memberNames.get(t.readPath) ?? [])].sort((a, b) => a[0] - b[0]).map(([id, n]) => `${id}:${n}`).join('/');
    const how = mapped.has(t.readPath) ? 'm' : layout !== undefined ? `n${layout}` : 'i';
    const deletes = t.deletes.filter((d) => !(opts.skipPositionDeletes && d.file.content === 1));
    const key = `${how}|${ids}|${nested}|${members}|${deletes.map((d) => `${d.file.file_path}#${d.file.content_offset ?? ''}`).sort().join('|')}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const files = [...groups.values()].flat();
  const inputIndex = new Map(plan.tasks.map((t, i) => [t, i] as const));

  const parts: string[] = [];
  for (const tasks of groups.values()) {
    const deletes = tasks[0].deletes.filter((d) => !(opts.skipPositionDeletes && d.file.content === 1));
    const eqIds = new Set<number>();
    for (const d of deletes) if (d.file.content === 2) for (const id of d.file.equality_ids ?? []) eqIds.add(id);
    // Equality columns the output does not carry (dropped or not selected) are read under hidden names.
    const hidden: Column[] = [...eqIds]
      .filter((id) => !output.some((c) => c.id === id))
      .map((id) => {
        const f = fieldByIdAnySchema(md, plan.schema, id);
        if (!f) throw new FloeError('METADATA_INVALID', `equality delete field id ${id} is in no schema of the table`);
        return { id, name: eqName(id), type: f.type, defaultValue: f['initial-default'] };
      });
    const paths = tasks.map((t) => t.readPath);
    const members = memberNames.get(paths[0]);
    const asRead = members ? output.map((c) => ({ ...c, type: typeWithMemberNames(c.type, members) })) : output;
    const readCols = [...withIdentityDefaults(asRead, identity, tasks[0]), ...hidden];
    const byName = hidden.length === 0 && layouts.has(paths[0]);
    // By name: no hive partitioning, which would read `grp=0/` in a path as a column and hide the file's own.
    const source = mapped.has(paths[0])
      ? `(${nameMappedSelect(md, paths, readCols, mapped)})`
      : byName
        ? `read_parquet(${stringList(paths)}, hive_partitioning = false)`
        : readParquet(paths, readCols);
    // The name-mapped select passes `filename` through but not `file_index`.
    const indexes = tasks.map((t) => inputIndex.get(t)!);
    const local = mapped.has(paths[0]) ? `(list_position(${stringList(paths)}, d.filename) - 1)` : 'CAST(d.file_index AS BIGINT)';
    const fileIndex = indexes.every((x, i) => x === indexes[0] + i) ? `${local} + ${indexes[0]}` : `[${indexes.join(', ')}][${local} + 1]`;
    let sql = `SELECT ${outList('d', fileIndex, missingNested.get(paths[0]), members)} FROM ${source} AS d`;

    const single = tasks.length === 1;
    const posRelations = await positionDeleteRelations(engine, table, tasks, deletes, temps, single);
    if (posRelations.length > 0) {
      const on = single ? 'p.pos = d.file_row_number' : 'p.file_path = d.filename AND p.pos = d.file_row_number';
      sql += ` ANTI JOIN (${posRelations.join(' UNION ALL ')}) AS p ON ${on}`;
    }
    const byIds = new Map<string, PlannedFile[]>();
    for (const d of deletes) {
      if (d.file.content !== 2) continue;
      const key = [...(d.file.equality_ids ?? [])].sort((a, b) => a - b).join(',');
      const list = byIds.get(key);
      if (list) list.push(d);
      else byIds.set(key, [d]);
    }
    let n = 0;
    for (const [key, deleteFiles] of byIds) {
      const ids = key.split(',').map(Number);
      const cols = readCols.filter((h) => ids.includes(h.id));
      const alias = `e${n++}`;
      const on = cols.map((c) => `d.${quoteIdent(c.name)} IS NOT DISTINCT FROM ${alias}.${quoteIdent(c.name)}`);
      sql += ` ANTI JOIN ${readParquet(deleteFiles.map((f) => f.readPath), cols)} AS ${alias} ON ${on.join(' AND ')}`;
    }
    parts.push(sql);
  }
  // One group read through the `schema` map with no deletes: the scan is read_parquet itself, so DuckDB's own
  // pushdown, parallelism and the `filename` virtual column apply unchanged.
  const only = files[0];
  if (
    groups.size === 1 &&
    !withPosition &&
    !mapped.has(only.readPath) &&
    !layouts.has(only.readPath) &&
    !missingNested.has(only.readPath) &&
    !memberNames.has(only.readPath) &&
    only.deletes.every((d) => opts.skipPositionDeletes && d.file.content === 1)
  ) {
    return { sql: readParquet(files.map((t) => t.readPath), withIdentityDefaults(output, identity, only)), cleanup };
  }
  return { sql: `(${parts.join(' UNION ALL ')})`, cleanup };
}

/**
 * For each file readable by name (`parquet-columns.ts`) for the output's primitive columns, its layout key.
 * Tables with nested columns or name-mapped files are read through the `schema` map (it rebuilds structs and
 * finds columns by mapping), so they are not checked.
 */
async function byNameLayouts(engine: Engine, tasks: FileScanTask[], output: Column[], mapped: Map<string, unknown>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (output.length === 0 || output.some((c) => typeof c.type !== 'string') || mapped.size > 0) return out;
  const wanted: ByNameColumn[] = output.map((c) => ({ id: c.id, name: c.name, duckdbType: duckdbType(c.type) }));
  const columns = await topLevelColumns(engine, tasks.map((t) => ({ path: t.readPath, size: t.file.file_size_in_bytes })));
  for (const t of tasks) {
    const layout = byNameLayout(columns.get(t.readPath), wanted);
    if (layout !== undefined) out.set(t.readPath, layout);
  }
  return out;
}

/**
 * Relations of (file_path, pos) to remove from a group, or of `pos` alone when the group has a `single` data
 * file: Parquet position delete files restricted to the group's files (their recorded paths mapped to the paths
 * read), and deletion vectors loaded into temporary tables.
 */
async function positionDeleteRelations(
  engine: Engine,
  table: Table,
  tasks: FileScanTask[],
  deletes: PlannedFile[],
  temps: string[],
  single: boolean,
): Promise<string[]> {
  const out: string[] = [];
  const parquet = deletes.filter((d) => d.file.content === 1 && d.file.file_format === 'PARQUET');
  const puffin = deletes.filter((d) => d.file.content === 1 && d.file.file_format === 'PUFFIN');
  const other = deletes.find((d) => d.file.file_format !== 'PARQUET' && d.file.file_format !== 'PUFFIN');
  if (other) {
    throw new FloeError('UNSUPPORTED', `delete file format ${other.file.file_format} is not supported yet: ${other.file.file_path}`);
  }
  if (parquet.length > 0) {
    const files = stringList(parquet.map((d) => d.readPath));
    if (single) {
      out.push(`SELECT pos FROM read_parquet(${files}) WHERE file_path = ${quoteString(tasks[0].file.file_path)}`);
    } else {
      const mapping = tasks.map((t) => `(${quoteString(t.file.file_path)}, ${quoteString(t.readPath)})`).join(', ');
      out.push(
        `SELECT m.read_path AS file_path, pd.pos FROM read_parquet(${files}) AS pd ` +
          `JOIN (VALUES ${mapping}) AS m(recorded, read_path) ON pd.file_path = m.recorded`,
      );
    }
  }
  for (const dv of puffin) {
    const target = tasks.find((t) => t.file.file_path === dv.file.referenced_data_file);
    if (!target) continue;
    const positions = await readDeletionVectorPositions(isLocalPath(dv.readPath) ? new LocalFileIO() : table.io, dv);
    const name = `__floe_dv_${process.pid}_${++tempCounter}`;
    await engine.run(`CREATE TEMP TABLE ${name} (pos DOUBLE)`);
    temps.push(name);
    // Copied a vector at a time as doubles (exact below 2^53), cast back to BIGINT on the small side of the join.
    await appendColumns(engine, name, [positions]);
    const pos = 'CAST(pos AS BIGINT) AS pos';
    out.push(single ? `SELECT ${pos} FROM temp.${name}` : `SELECT ${quoteString(target.readPath)} AS file_path, ${pos} FROM temp.${name}`);
  }
  return out;
}
