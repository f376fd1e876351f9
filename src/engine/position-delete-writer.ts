/**
 * Position delete files (spec: "Position Delete Files"): Parquet files of `file_path` (field id 2147483546) and
 * `pos` (field id 2147483545) rows, sorted by path then position, each row deleting one row of one data file.
 *
 * floe writes them file-scoped, one delete file per data file with `referenced_data_file` set (Iceberg's
 * `write.delete.granularity=file`, the default since Iceberg 1.8): readers can then skip every other delete file
 * for a data file, and a later commit that removes the data file removes its deletes with it, so
 * `total-position-deletes` keeps counting only rows that are really deleted. A delete file carries its data
 * file's spec id and partition (spec: a position delete applies within its partition).
 */
import { rm } from 'node:fs/promises';
import type { DataFile } from '../iceberg/avro/manifest.js';
import { FileContent } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import { serializeValue } from '../iceberg/spec/bounds.js';
import type { PrimitiveValue } from '../iceberg/spec/types.js';
import type { AddedFile } from '../iceberg/table/snapshot-producer.js';
import type { Engine } from './duckdb-engine.js';
import { DeleteFileStaging } from './delete-writer-staging.js';
import { quoteString } from './sql-literals.js';
import { parseCopyStats } from './write-stats.js';

/** Reserved field id of a position delete file's `file_path` (spec: "Reserved Field IDs"). */
export const DELETE_FILE_PATH_FIELD_ID = 2147483546;
/** Reserved field id of a position delete file's `pos`. */
export const DELETE_FILE_POS_FIELD_ID = 2147483545;

/** A data file that gets a position delete file. */
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
  /** `write.delete.parquet.compression-codec` else `write.parquet.compression-codec` (zstd). */
  properties?: Record<string, string>;
}

function codecOf(props: Record<string, string>): string {
  const c = (props['write.delete.parquet.compression-codec'] ?? props['write.parquet.compression-codec'] ?? 'zstd').toLowerCase();
  return c === 'none' ? 'uncompressed' : c;
}

/**
 * Writes one position delete file per target holding at least one row of `source`; returns them as files to add
 * (content 1, format PARQUET, the target's spec id and partition). On failure, files already placed are deleted.
 */
export async function writePositionDeletes(engine: Engine, opts: WritePositionDeletesOptions): Promise<AddedFile[]> {
  const staging = new DeleteFileStaging(opts.io, opts.location);
  const codec = codecOf(opts.properties ?? {});
  const out: AddedFile[] = [];
  try {
    for (const t of opts.targets) {
      const staged = await staging.next('-deletes.parquet');
      const query = `SELECT file_path, pos FROM ${opts.source} WHERE file_path = ${quoteString(t.path)} ORDER BY pos`;
      const res = await engine.run(
        `COPY (${query}) TO ${quoteString(staged.local)} (FORMAT parquet, RETURN_STATS, COMPRESSION ${codec}, ` +
          `FIELD_IDS {file_path: ${DELETE_FILE_PATH_FIELD_ID}, pos: ${DELETE_FILE_POS_FIELD_ID}})`,
      );
      const stats = parseCopyStats((await res.getRowObjectsJS()) as Array<Record<string, unknown>>)[0];
      if (!stats || stats.count === 0n) {
        await rm(staged.local, { force: true });
        continue;
      }
      const size = await staging.place(staged);
      const posStats = stats.columns.get('"pos"') ?? stats.columns.get('pos');
      const pathStats = stats.columns.get('"file_path"') ?? stats.columns.get('file_path');
      const file: DataFile = {
        content: FileContent.POSITION_DELETES,
        file_path: staged.path,
        file_format: 'PARQUET',
        partition: t.partition,
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
        // Full (untruncated) path bounds, as Java keeps them for position deletes: lower = upper names the one
        // data file, which readers use to scope the delete file.
        lower_bounds: new Map([[DELETE_FILE_PATH_FIELD_ID, serializeValue('string', t.path)]]),
        upper_bounds: new Map([[DELETE_FILE_PATH_FIELD_ID, serializeValue('string', t.path)]]),
        key_metadata: null,
        split_offsets: null,
        sort_order_id: null,
        referenced_data_file: t.path,
      };
      const lo = posStats?.get('min');
      const hi = posStats?.get('max');
      if (lo !== undefined && hi !== undefined) {
        file.lower_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', BigInt(lo)));
        file.upper_bounds!.set(DELETE_FILE_POS_FIELD_ID, serializeValue('long', BigInt(hi)));
      }
      out.push({ file, specId: t.specId });
    }
    return out;
  } catch (err) {
    await staging.discard();
    throw err;
  } finally {
    await staging.release();
  }
}
