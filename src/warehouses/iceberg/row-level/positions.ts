/**
 * Row positions of data files in JS (positions stay far below 2^53, so doubles hold them exactly): what row-level
 * changes read from DuckDB (matched rows), from existing deletes (deletion vectors and position delete files), and
 * write as deletion vectors. A file's positions are combined in a bitset (`engine/position-set.ts`): no sort and no
 * per-row objects anywhere.
 */
import type { Engine } from '../../../engine/duckdb-engine.js';
import { readDeletionVectorBitmap } from '../../../engine/deletion-vector-positions.js';
import { isLocalPath } from '../../../engine/remote-files.js';
import { quoteString, stringList } from '../../../engine/sql-literals.js';
import { PositionSet } from '../../../engine/position-set.js';
import { readDoubleColumns } from '../../../engine/typed-columns.js';
import { LocalFileIO } from '../../../iceberg/io/local-file-io.js';
import type { FileScanTask } from '../../../iceberg/table/scan-planner.js';
import type { Table } from '../../../iceberg/table/table.js';

/** Positions per file index (in no particular order unless said). */
export type PositionsByFile = Map<number, Float64Array>;

/**
 * The positions of a relation's `file_index, pos` rows, grouped by file index in the order DuckDB returned them
 * (one pass to count, one to place); only of `fileIndexes` when given.
 */
export async function readPositionsByFile(engine: Engine, relation: string, fileIndexes?: number[]): Promise<PositionsByFile> {
  const out: PositionsByFile = new Map();
  if (fileIndexes && fileIndexes.length === 0) return out;
  const where = fileIndexes ? ` WHERE file_index IN (${fileIndexes.join(', ')})` : '';
  const [files, pos] = await readDoubleColumns(engine, `SELECT file_index::DOUBLE, pos::DOUBLE FROM ${relation}${where}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < files.length; i++) counts.set(files[i], (counts.get(files[i]) ?? 0) + 1);
  const at = new Map<number, number>();
  for (const [f, n] of counts) {
    out.set(f, new Float64Array(n));
    at.set(f, 0);
  }
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const k = at.get(f)!;
    out.get(f)![k] = pos[i];
    at.set(f, k + 1);
  }
  return out;
}

/**
 * The positions of data files already deleted by their position delete files and deletion vectors (the deletes
 * planning assigned to each task), loaded once per file and operation.
 */
export class DeletedPositions {
  private readonly cache = new Map<string, Promise<PositionSet>>();

  constructor(
    private readonly engine: Engine,
    private readonly table: Table,
  ) {}

  /** True when position deletes or a deletion vector apply to the task's file. */
  static has(task: FileScanTask): boolean {
    return task.deletes.some((d) => d.file.content === 1);
  }

  /** A new set of the task's file's positions holding its deleted ones (none when no deletes apply). */
  async set(task: FileScanTask): Promise<PositionSet> {
    if (!DeletedPositions.has(task)) return new PositionSet(task.file.record_count);
    let p = this.cache.get(task.file.file_path);
    if (!p) {
      p = this.load(task);
      this.cache.set(task.file.file_path, p);
    }
    return (await p).clone();
  }

  private async load(task: FileScanTask): Promise<PositionSet> {
    const set = new PositionSet(task.file.record_count);
    const parquet = task.deletes.filter((d) => d.file.content === 1 && d.file.file_format !== 'PUFFIN');
    if (parquet.length > 0) {
      const [pos] = await readDoubleColumns(
        this.engine,
        `SELECT pos::DOUBLE FROM read_parquet(${stringList(parquet.map((d) => d.readPath))}) WHERE file_path = ${quoteString(task.file.file_path)}`,
      );
      set.addAll(pos);
    }
    for (const d of task.deletes) {
      if (d.file.content !== 1 || d.file.file_format !== 'PUFFIN') continue;
      const io = isLocalPath(d.readPath) ? new LocalFileIO() : this.table.io;
      set.addBitmap(await readDeletionVectorBitmap(io, d));
    }
    return set;
  }
}
