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
 *
 * Two writers, by page version ({@link deleteParquetVersion}): `v1` is DuckDB's `COPY` (data pages v1 with the
 * table's delete compression codec); `v2` is floe's own encoder (`iceberg/parquet/position-delete-parquet.ts`):
 * one data page per referenced data file in both columns, a gzip dictionary of the paths, and the positions
 * DELTA_BINARY_PACKED uncompressed. A delta run restarts at each page, so a file naming many data files pays no
 * penalty for switching from one to the next, which DuckDB's single delta run across them does (a large negative
 * delta widens the bit width of its whole block), and DuckDB cannot break pages where the data file changes.
 */
import { rm } from 'node:fs/promises';
import type { DataFile } from '../iceberg/avro/manifest.js';
import { FileContent } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { serializeValue } from '../iceberg/spec/bounds.js';
import type { PrimitiveValue } from '../iceberg/spec/types.js';
import type { AddedFile } from '../iceberg/table/snapshot-producer.js';
import { partitionKey } from '../iceberg/table/delete-index.js';
import {
  DELETE_FILE_PATH_FIELD_ID,
  DELETE_FILE_POS_FIELD_ID,
  encodePositionDeleteFile,
  type PositionDeleteRun,
} from '../iceberg/parquet/position-delete-parquet.js';
import { FloeError } from '../errors.js';
import { VERSION } from '../version.js';
import type { Engine } from './duckdb-engine.js';
import { DeleteFileStaging } from './delete-writer-staging.js';
import { quoteString } from './sql-literals.js';
import { readDoubleColumns } from './typed-columns.js';
import { parseCopyStats } from './write-stats.js';

export { DELETE_FILE_PATH_FIELD_ID, DELETE_FILE_POS_FIELD_ID };

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
   * The page version ({@link deleteParquetVersion}), `write.delete.parquet.compression-codec` else
   * `write.parquet.compression-codec` (zstd; applies to page version v1, which DuckDB writes: v2 files have their
   * own fixed codecs), and `write.delete.granularity` unless `granularity` is given.
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
 * The page version of position delete files: `write.delete.parquet.page-version`, else
 * `write.parquet.page-version`, else `v1` (Java's default). `V1` files are written by DuckDB's `COPY` (plain
 * positions, the table's delete compression codec). `V2` files are written by floe's own encoder: data pages v2,
 * one page per referenced data file in both columns, the paths as a gzip-compressed dictionary, the positions
 * DELTA_BINARY_PACKED and uncompressed (delta-packed positions do not compress); the compression-codec properties
 * do not apply to them. On the delete files of `npm run bench -- versions` they take about 20% less than DuckDB's
 * own v2 files of the same rows (about 25% less for files naming 20-odd data files; the same for a file naming
 * one, where DuckDB has no switch to pay for). Readers need Parquet data page v2 support (Java, Spark, pyarrow,
 * DuckDB, hyparquet have it) and GZIP (every Parquet reader has it). Another value is `CONFIG_INVALID`.
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
  const version = deleteParquetVersion(props);
  const format = `COMPRESSION ${codecOf(props)}, PARQUET_VERSION ${version}`;
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
      const written =
        version === 'V2' ? await writeOneFloe(engine, staging, opts.source, group) : await writeOneDuckDB(engine, staging, opts.source, group, format);
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

/** The WHERE condition selecting the rows of `paths`. */
function pathFilter(paths: string[]): string {
  return paths.length === 1 ? `file_path = ${quoteString(paths[0])}` : `file_path IN (${paths.map(quoteString).join(', ')})`;
}

/** What a delete file's manifest entry records beyond its path and size. */
interface DeleteFileFacts {
  recordCount: bigint;
  /** The data files it names, in UTF-8 byte order. */
  paths: string[];
  /** Stored bytes per field id. */
  columnSizes: Map<number, bigint>;
  posBounds?: { lower: bigint; upper: bigint };
}

/** The manifest entry of a position delete file written for `group`. */
function deleteFileEntry(path: string, size: bigint, group: PositionDeleteTarget[], facts: DeleteFileFacts): AddedFile {
  const { paths, recordCount } = facts;
  const file: DataFile = {
    content: FileContent.POSITION_DELETES,
    file_path: path,
    file_format: 'PARQUET',
    partition: group[0].partition,
    record_count: recordCount,
    file_size_in_bytes: size,
    column_sizes: facts.columnSizes,
    value_counts: new Map([
      [DELETE_FILE_PATH_FIELD_ID, recordCount],
      [DELETE_FILE_POS_FIELD_ID, recordCount],
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
  if (facts.posBounds) {
    file.lower_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', facts.posBounds.lower));
    file.upper_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', facts.posBounds.upper));
  }
  return { file, specId: group[0].specId };
}

/**
 * Writes the rows of `source` for the data files of `group` (one partition) as one delete file in floe's own
 * layout (page version v2, `iceberg/parquet/position-delete-parquet.ts`), if any. The positions cross from DuckDB
 * as whole vectors of doubles, sorted by DuckDB, with a key naming each row's data file by its index in UTF-8 path
 * order: no string and no JS object per row.
 */
async function writeOneFloe(engine: Engine, staging: DeleteFileStaging, source: string, group: PositionDeleteTarget[]): Promise<AddedFile | undefined> {
  const paths = [...new Set(group.map((t) => t.path))].sort(compareUtf8);
  let keys: Float64Array | undefined;
  let positions: Float64Array;
  if (paths.length === 1) {
    [positions] = await readDoubleColumns(engine, `SELECT pos::DOUBLE FROM ${source} WHERE ${pathFilter(paths)} ORDER BY pos`);
  } else {
    const index = paths.map((p, k) => `(${quoteString(p)}, ${k})`).join(', ');
    [keys, positions] = await readDoubleColumns(
      engine,
      `SELECT m.k::DOUBLE, s.pos::DOUBLE FROM ${source} AS s JOIN (VALUES ${index}) AS m(path, k) ON s.file_path = m.path ORDER BY m.k, s.pos`,
    );
  }
  const n = positions.length;
  if (n === 0) return undefined;
  // One run per data file: rows are sorted by key, so each key's rows are contiguous.
  const runs: PositionDeleteRun[] = [];
  for (let start = 0, i = 1; i <= n; i++) {
    if (i === n || (keys !== undefined && keys[i] !== keys[start])) {
      runs.push({ path: paths[keys === undefined ? 0 : keys[start]], positions: positions.subarray(start, i) });
      start = i;
    }
  }
  const encoded = encodePositionDeleteFile(runs, { createdBy: `floe version ${VERSION}` });
  const staged = await staging.next('-deletes.parquet');
  const size = await staging.place(staged, encoded.bytes);
  return deleteFileEntry(staged.path, size, group, {
    recordCount: BigInt(encoded.rowCount),
    paths: runs.map((r) => r.path),
    columnSizes: new Map([...encoded.columnSizes].map(([id, bytes]) => [id, BigInt(bytes)])),
    posBounds: { lower: BigInt(encoded.minPosition), upper: BigInt(encoded.maxPosition) },
  });
}

/** Writes the rows of `source` for the data files of `group` (one partition) as one delete file by DuckDB's COPY. */
async function writeOneDuckDB(
  engine: Engine,
  staging: DeleteFileStaging,
  source: string,
  group: PositionDeleteTarget[],
  format: string,
): Promise<AddedFile | undefined> {
  const staged = await staging.next('-deletes.parquet');
  const filter = pathFilter(group.map((t) => t.path));
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
  const lo = posStats?.get('min');
  const hi = posStats?.get('max');
  return deleteFileEntry(staged.path, size, group, {
    recordCount: stats.count,
    paths,
    columnSizes: new Map(
      [
        [DELETE_FILE_PATH_FIELD_ID, pathStats?.get('column_size_bytes')],
        [DELETE_FILE_POS_FIELD_ID, posStats?.get('column_size_bytes')],
      ].flatMap(([id, v]) => (v === undefined ? [] : [[id as number, BigInt(v as string)]])),
    ),
    posBounds: lo !== undefined && hi !== undefined ? { lower: BigInt(lo), upper: BigInt(hi) } : undefined,
  });
}
