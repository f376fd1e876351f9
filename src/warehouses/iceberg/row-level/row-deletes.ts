/**
 * Turning matched rows into deletes (merge-on-read). Rows to delete are a DuckDB relation of `(file_index, pos)`:
 * the index of each live row's data file among the operation's planned tasks and its position in that file, as
 * `buildScanSql(..., {includeFileIndex})` projects them. From it:
 *
 * - v2 tables get position delete files (spec: "Position Delete Files"), laid out by `write.delete.granularity`:
 *   one per touched data file (`file`, the default) or one per touched partition (`partition`);
 * - v3 tables get deletion vectors (spec: "Deletion Vectors"), one per touched data file, holding the new positions
 *   and those of the file's existing vector and position deletes; the vector and file-scoped position deletes it
 *   replaces are removed in the same commit ("at most one deletion vector per data file").
 *
 * Positions reach JS only to build v3 bitmaps, read a vector at a time and combined in bitsets (`positions.ts`).
 */
import { FloeError } from '../../../errors.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import { writeDeletionVectors } from '../../../engine/deletion-vector-writer.js';
import { writePositionDeletes } from '../../../engine/position-delete-writer.js';
import { quoteString } from '../../../engine/sql-literals.js';
import { dataDir } from '../../../iceberg/table/manifest-writing.js';
import type { FileScanTask } from '../../../iceberg/table/scan-planner.js';
import type { AddedFile } from '../../../iceberg/table/snapshot-producer.js';
import type { Table } from '../../../iceberg/table/table.js';
import { deleteFileKey } from './conflicts.js';
import { DeletedPositions, readPositionsByFile, type PositionsByFile } from './positions.js';

/** A data file with matched rows, and how many. */
export interface TouchedFile {
  task: FileScanTask;
  /** The file's index among the operation's planned tasks (the `file_index` of its rows). */
  index: number;
  matched: bigint;
  /** Live rows of the file, when counted. */
  live?: bigint;
}

/**
 * The data files with matched rows: `matched` is a relation of `file_index, pos` rows, or with `counted` of
 * `file_index, matched, live` counts per file; `tasks` are the planned tasks the indexes refer to.
 */
export async function touchedFiles(engine: Engine, tasks: FileScanTask[], matched: string, counted = false): Promise<TouchedFile[]> {
  const sql = counted
    ? `SELECT file_index, matched, live FROM ${matched} WHERE matched > 0 ORDER BY file_index`
    : `SELECT file_index, count(*), NULL FROM ${matched} GROUP BY file_index ORDER BY file_index`;
  const rows = (await (await engine.run(sql)).getRowsJS()) as Array<[number, bigint, bigint | null]>;
  return rows.map(([index, n, live]) => {
    const task = tasks[Number(index)];
    if (!task) throw new FloeError('INTERNAL', `matched a row of file index ${index}, which is not a planned data file`);
    return { task, index: Number(index), matched: BigInt(n), ...(live === null ? {} : { live: BigInt(live) }) };
  });
}

/**
 * A relation of the rows of `relation` (with a `file_index` column into the planned tasks) whose file is among
 * `subset`, its `file_index` renumbered to the index in `subset`: for joins with a scan of those files only.
 */
export function inSubset(relation: string, subset: TouchedFile[]): string {
  if (subset.length === 0) return `(SELECT * FROM ${relation} WHERE false)`;
  const values = subset.map((t, i) => `(${t.index}, ${i})`).join(', ');
  return `(SELECT r.* REPLACE (m.sub AS file_index) FROM ${relation} AS r JOIN (VALUES ${values}) AS m(idx, sub) ON r.file_index = m.idx)`;
}

/** Delete files to add and the delete files they replace. */
export interface RowDeletes {
  added: AddedFile[];
  /** Keys ({@link deleteFileKey}) of delete files to remove. */
  removedDeleteFiles: Set<string>;
}

/** Options of {@link writeRowDeletes}. */
export interface WriteRowDeletesOptions {
  /** The positions of `matched` per file index (any order; already deleted ones allowed), when the caller read them. */
  positions?: PositionsByFile;
  /** Existing deletes, when the caller already loaded some. */
  deleted?: DeletedPositions;
}

/**
 * Writes the deletes of the rows in `matched` (relation of `file_index, pos`, live rows only) for the `touched` data
 * files of `table`: position delete files in v2 (per the table's `write.delete.granularity` and
 * `write.delete.parquet.*` properties; a bad value is `CONFIG_INVALID`), deletion vectors in v3. Written files are
 * deleted again if this fails.
 */
export async function writeRowDeletes(
  engine: Engine,
  table: Table,
  touched: TouchedFile[],
  matched: string,
  opts: WriteRowDeletesOptions = {},
): Promise<RowDeletes> {
  const md = table.metadata;
  const location = dataDir(md);
  if (touched.length === 0) return { added: [], removedDeleteFiles: new Set() };
  if (md['format-version'] < 2) {
    throw new FloeError('UNSUPPORTED', 'merge-on-read needs a format version 2 or 3 table (v1 has no delete files)');
  }
  if (md['format-version'] === 2) {
    const mapping = touched.map((t) => `(${t.index}, ${quoteString(t.task.file.file_path)})`).join(', ');
    const source =
      `(SELECT m.recorded AS file_path, x.pos FROM ${matched} AS x ` +
      `JOIN (VALUES ${mapping}) AS m(file_index, recorded) ON x.file_index = m.file_index)`;
    const added = await writePositionDeletes(engine, {
      source,
      targets: touched.map(({ task }) => ({ path: task.file.file_path, specId: task.specId, partition: task.file.partition })),
      location,
      io: table.io,
      properties: md.properties,
    });
    return { added, removedDeleteFiles: new Set() };
  }
  const deleted = opts.deleted ?? new DeletedPositions(engine, table);
  const missing = touched.filter((t) => !opts.positions?.has(t.index)).map((t) => t.index);
  const read = missing.length > 0 ? await readPositionsByFile(engine, matched, missing) : new Map<number, Float64Array>();
  const removed = new Set<string>();
  const inputs = [];
  for (const { task, index } of touched) {
    // The file's vector and older position deletes fold into the new vector (spec: v3 writers merge them).
    const set = await deleted.set(task);
    set.addAll(opts.positions?.get(index) ?? read.get(index) ?? []);
    for (const d of task.deletes) {
      if (d.file.content !== 1) continue;
      if (d.file.file_format === 'PUFFIN' || d.file.referenced_data_file === task.file.file_path) removed.add(deleteFileKey(d.file));
    }
    inputs.push({ path: task.file.file_path, specId: task.specId, partition: task.file.partition, positions: set });
  }
  const added = await writeDeletionVectors(inputs, { location, io: table.io });
  return { added, removedDeleteFiles: removed };
}
