/**
 * Position delete files (spec: "Position Delete Files"): Parquet files of `file_path` (field id 2147483546) and
 * `pos` (field id 2147483545) rows, sorted by path then position, each row deleting one row of one data file.
 *
 * Their layout follows the table property `write.delete.granularity` (Java `TableProperties.DELETE_GRANULARITY`):
 *
 * - `file` (floe's default, as Spark's merge-on-read writer defaults it): one delete file per data file, with
 *   `referenced_data_file` set. Readers skip every other delete file for a data file, and a later commit that
 *   removes the data file removes its deletes with it, so `total-position-deletes` keeps counting only rows that
 *   are really deleted.
 * - `partition`: one delete file per partition (spec id and partition tuple) per commit, naming the rows of every
 *   touched data file of that partition: far fewer, larger files (each small Parquet file is mostly footer), at
 *   the price of readers reading the file for each data file of the partition (filtering by `file_path`, whose
 *   full lower and upper bounds still narrow it down). `referenced_data_file` is set only when the file names one
 *   data file, as Java sets it.
 *
 * A delete file carries its data files' spec id and partition (spec: a position delete applies within its
 * partition).
 */
import { rm } from 'node:fs/promises';
import type { DataFile } from '../iceberg/avro/manifest.js';
import { FileContent } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { serializeValue } from '../iceberg/spec/bounds.js';
import type { PrimitiveValue } from '../iceberg/spec/types.js';
import type { AddedFile } from '../iceberg/table/snapshot-producer.js';
import { partitionKey } from '../iceberg/table/delete-index.js';
import { FloeError } from '../errors.js';
import type { Engine } from './duckdb-engine.js';
import { DeleteFileStaging } from './delete-writer-staging.js';
import { quoteString } from './sql-literals.js';
import { parseCopyStats } from './write-stats.js';

/** Reserved field id of a position delete file's `file_path` (spec: "Reserved Field IDs"). */
export const DELETE_FILE_PATH_FIELD_ID = 2147483546;
/** Reserved field id of a position delete file's `pos`. */
export const DELETE_FILE_POS_FIELD_ID = 2147483545;

/** Table property: `file` or `partition` (Java `TableProperties.DELETE_GRANULARITY`). */
export const DELETE_GRANULARITY = 'write.delete.granularity';

/** How position delete files are laid out: one per data file, or one per partition per commit. */
export type DeleteGranularity = 'file' | 'partition';

/**
 * The table's `write.delete.granularity` (case-insensitive); `file` when unset. Java's core `TableProperties`
 * default is `partition`, but its Spark writer (the engine whose row-level DELETE, UPDATE and MERGE floe's mirror)
 * defaults to `file` since Iceberg 1.8, and floe follows that. Another value is `CONFIG_INVALID`.
 */
export function deleteGranularity(props: Record<string, string>): DeleteGranularity {
  const v = (props[DELETE_GRANULARITY] ?? 'file').trim().toLowerCase();
  if (v === 'file' || v === 'partition') return v;
  throw new FloeError('CONFIG_INVALID', `unsupported ${DELETE_GRANULARITY}: ${JSON.stringify(props[DELETE_GRANULARITY])} (file or partition)`, {
    context: { property: DELETE_GRANULARITY, value: props[DELETE_GRANULARITY] },
  });
}

/** A data file that gets position deletes. */
export interface PositionDeleteTarget {
  /** The data file's path as recorded in its manifest (what `file_path` must hold). */
  path: string;
  specId: number;
  partition: Map<number, PrimitiveValue | null>;
}

/** Options of {@link writePositionDeletes}. */
export interface WritePositionDeletesOptions {
  /**
   * A DuckDB relation with columns `file_path` (recorded data file path, VARCHAR) and `pos` (BIGINT): the rows to
   * delete. Rows of data files not in `targets` are ignored.
   */
  source: string;
  targets: PositionDeleteTarget[];
  /** The table's data directory (local path, `file:` URI or object-store URI). */
  location: string;
  io: FileIO;
  /**
   * `write.delete.parquet.compression-codec` else `write.parquet.compression-codec` (zstd), the page version
   * ({@link deleteParquetVersion}), and `write.delete.granularity` unless `granularity` is given.
   */
  properties?: Record<string, string>;
  /** Overrides the `write.delete.granularity` property. */
  granularity?: DeleteGranularity;
}

function codecOf(props: Record<string, string>): string {
  const c = (props['write.delete.parquet.compression-codec'] ?? props['write.parquet.compression-codec'] ?? 'zstd').toLowerCase();
  return c === 'none' ? 'uncompressed' : c;
}

/** Table property: Parquet page version of delete files, `v1` or `v2` (Java `DELETE_PARQUET_PAGE_VERSION`). */
export const DELETE_PARQUET_PAGE_VERSION = 'write.delete.parquet.page-version';

/**
 * The DuckDB `PARQUET_VERSION` of delete files: `write.delete.parquet.page-version`, else
 * `write.parquet.page-version`, else `v1` (Java's default). `v2` writes data pages v2, whose delta encoding of
 * the sorted positions makes position delete files 10–25% smaller than plain encoding with zstd (the most when a
 * file names few data files: each switch of data file is a large negative delta). Readers need Parquet data page v2 support (Java, Spark, pyarrow, DuckDB,
 * hyparquet have it). Another value is `CONFIG_INVALID`.
 */
export function deleteParquetVersion(props: Record<string, string>): 'V1' | 'V2' {
  const key = props[DELETE_PARQUET_PAGE_VERSION] !== undefined ? DELETE_PARQUET_PAGE_VERSION : 'write.parquet.page-version';
  const v = (props[key] ?? 'v1').trim().toLowerCase();
  if (v === 'v1' || v === 'v2') return v === 'v1' ? 'V1' : 'V2';
  throw new FloeError('CONFIG_INVALID', `unsupported ${key}: ${JSON.stringify(props[key])} (v1 or v2)`, {
    context: { property: key, value: props[key] },
  });
}

/** UTF-8 byte order, which Iceberg's string bounds use (JS `<` compares UTF-16 code units). */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Writes the position deletes of `source` for `targets`: one file per target holding at least one row (`file`
 * granularity), or one file per partition of the targets holding rows (`partition`); returns them as files to add
 * (content 1, format PARQUET, the targets' spec id and partition). On failure, files already placed are deleted.
 */
export async function writePositionDeletes(engine: Engine, opts: WritePositionDeletesOptions): Promise<AddedFile[]> {
  const props = opts.properties ?? {};
  const granularity = opts.granularity ?? deleteGranularity(props);
  const staging = new DeleteFileStaging(opts.io, opts.location);
  const format = `COMPRESSION ${codecOf(props)}, PARQUET_VERSION ${deleteParquetVersion(props)}`;
  const groups: PositionDeleteTarget[][] = [];
  if (granularity === 'file') {
    for (const t of opts.targets) groups.push([t]);
  } else {
    const byPartition = new Map<string, PositionDeleteTarget[]>();
    for (const t of opts.targets) {
      const key = partitionKey(t.specId, t.partition);
      const g = byPartition.get(key);
      if (g) g.push(t);
      else byPartition.set(key, [t]);
    }
    groups.push(...byPartition.values());
  }
  const out: AddedFile[] = [];
  try {
    for (const group of groups) {
      const written = await writeOne(engine, staging, opts.source, group, format);
      if (written) out.push(written);
    }
    return out;
  } catch (err) {
    await staging.discard();
    throw err;
  } finally {
    await staging.release();
  }
}

/** Writes the rows of `source` for the data files of `group` (one partition) as one delete file, if any. */
async function writeOne(
  engine: Engine,
  staging: DeleteFileStaging,
  source: string,
  group: PositionDeleteTarget[],
  format: string,
): Promise<AddedFile | undefined> {
  const staged = await staging.next('-deletes.parquet');
  const filter =
    group.length === 1 ? `file_path = ${quoteString(group[0].path)}` : `file_path IN (${group.map((t) => quoteString(t.path)).join(', ')})`;
  // Sorted by path, then position (spec: "Position Delete Files").
  const query = `SELECT file_path, pos FROM ${source} WHERE ${filter} ORDER BY file_path, pos`;
  const res = await engine.run(
    `COPY (${query}) TO ${quoteString(staged.local)} (FORMAT parquet, RETURN_STATS, ${format}, ` +
      `FIELD_IDS {file_path: ${DELETE_FILE_PATH_FIELD_ID}, pos: ${DELETE_FILE_POS_FIELD_ID}})`,
  );
  const stats = parseCopyStats((await res.getRowObjectsJS()) as Array<Record<string, unknown>>)[0];
  if (!stats || stats.count === 0n) {
    await rm(staged.local, { force: true });
    return undefined;
  }
  // The data files the file names: all of the group's, unless some had no rows (asked only when it matters).
  let paths = group.map((t) => t.path);
  if (group.length > 1) {
    const rows = (await (await engine.run(`SELECT DISTINCT file_path FROM ${source} WHERE ${filter}`)).getRowsJS()) as Array<[string]>;
    paths = rows.map((r) => r[0]);
  }
  paths.sort(compareUtf8);
  const size = await staging.place(staged);
  const posStats = stats.columns.get('"pos"') ?? stats.columns.get('pos');
  const pathStats = stats.columns.get('"file_path"') ?? stats.columns.get('file_path');
  const file: DataFile = {
    content: FileContent.POSITION_DELETES,
    file_path: staged.path,
    file_format: 'PARQUET',
    partition: group[0].partition,
    record_count: stats.count,
    file_size_in_bytes: size,
    column_sizes: new Map(
      [
        [DELETE_FILE_PATH_FIELD_ID, pathStats?.get('column_size_bytes')],
        [DELETE_FILE_POS_FIELD_ID, posStats?.get('column_size_bytes')],
      ].flatMap(([id, v]) => (v === undefined ? [] : [[id as number, BigInt(v as string)]])),
    ),
    value_counts: new Map([
      [DELETE_FILE_PATH_FIELD_ID, stats.count],
      [DELETE_FILE_POS_FIELD_ID, stats.count],
    ]),
    null_value_counts: new Map([
      [DELETE_FILE_PATH_FIELD_ID, 0n],
      [DELETE_FILE_POS_FIELD_ID, 0n],
    ]),
    // Full (untruncated) path bounds, as Java keeps them for position deletes: readers use them to scope the
    // delete file (lower = upper names the one data file).
    lower_bounds: new Map([[DELETE_FILE_PATH_FIELD_ID, serializeValue('string', paths[0])]]),
    upper_bounds: new Map([[DELETE_FILE_PATH_FIELD_ID, serializeValue('string', paths[paths.length - 1])]]),
    key_metadata: null,
    split_offsets: null,
    sort_order_id: null,
    referenced_data_file: paths.length === 1 ? paths[0] : null,
  };
  const lo = posStats?.get('min');
  const hi = posStats?.get('max');
  if (lo !== undefined && hi !== undefined) {
    file.lower_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', BigInt(lo)));
    file.upper_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', BigInt(hi)));
  }
  return { file, specId: group[0].specId };
}
