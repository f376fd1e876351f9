/**
 * Equality delete files (spec: "Equality Delete Files"): Parquet files whose rows are values of the equality
 * columns (`equality_ids`, by field id); every row of an older data file in the same partition (or of every data
 * file, for an unpartitioned spec) equal to one of them on all those columns is deleted.
 *
 * They are written by the data-file writer with a schema of only the equality columns (plus the sources of the
 * partition fields, so the files are partitioned as the data is: a delete applies only within its partition), then
 * marked as content 2 with `equality_ids`. The rows are the caller's (typically an upsert's incoming keys): no table
 * read at all.
 */
import { FloeError } from '../errors.js';
import { FileContent } from '../iceberg/avro/manifest.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import type { PartitionSpec } from '../iceberg/spec/partition-spec.js';
import type { Schema } from '../iceberg/spec/schema.js';
import { unsortedOrder } from '../iceberg/spec/sort-order.js';
import type { AddedFile } from '../iceberg/table/snapshot-producer.js';
import type { Engine } from './duckdb-engine.js';
import { writeDataFilesTo } from './remote-files.js';

/** Options of {@link writeEqualityDeletes}. */
export interface WriteEqualityDeletesOptions {
  /** A DuckDB relation holding (at least) the equality columns and the partition source columns, by name. */
  source: string;
  /** The table's current schema. */
  schema: Schema;
  /** The spec the delete files are written in (the table's default spec). */
  spec: PartitionSpec;
  /** Field ids of the equality columns: top-level primitive columns of `schema`. */
  equalityIds: number[];
  /** The table's data directory. */
  location: string;
  io: FileIO;
  properties: Record<string, string>;
  formatVersion: number;
}

/**
 * Writes the distinct rows of the equality (and partition source) columns of `source` as equality delete files,
 * partitioned by `spec`. Returns the files to add (empty when `source` has no rows).
 */
export async function writeEqualityDeletes(engine: Engine, opts: WriteEqualityDeletesOptions): Promise<AddedFile[]> {
  const ids = new Set(opts.equalityIds);
  for (const id of ids) {
    const f = opts.schema.fields.find((x) => x.id === id);
    if (!f || typeof f.type !== 'string') {
      throw new FloeError('INVALID_ARGUMENT', `equality delete column id ${id} is not a top-level primitive column of the table`);
    }
  }
  for (const pf of opts.spec.fields) {
    if (pf.transform !== 'void') ids.add(pf['source-id']);
  }
  // Keep the table's column order and required flags: the file's columns are a projection of the table schema.
  const fields = opts.schema.fields.filter((f) => ids.has(f.id));
  const schema: Schema = { ...opts.schema, fields };
  const names = fields.map((f) => `"${f.name.replace(/"/g, '""')}"`).join(', ');
  const written = await writeDataFilesTo(engine, opts.io, {
    source: `(SELECT DISTINCT ${names} FROM ${opts.source})`,
    schema,
    spec: opts.spec,
    sortOrder: unsortedOrder(),
    location: opts.location,
    properties: opts.properties,
    fileIO: opts.io,
    formatVersion: opts.formatVersion,
  });
  return written.files.map((f) => ({
    file: { ...f, content: FileContent.EQUALITY_DELETES, equality_ids: [...opts.equalityIds], sort_order_id: null },
    specId: opts.spec['spec-id'],
  }));
}
