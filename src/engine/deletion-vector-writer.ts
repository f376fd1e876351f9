/**
 * Deletion vectors (spec: "Deletion Vectors", v3): the deleted row positions of one data file as a Puffin
 * `deletion-vector-v1` blob. floe writes all the vectors of one commit into one Puffin file, one blob per data file;
 * each becomes a delete-file entry with `file_format` PUFFIN, `referenced_data_file`, `content_offset` and
 * `content_size_in_bytes` locating its blob, and `record_count` = the vector's cardinality.
 *
 * A v3 table holds at most one vector per data file, so the caller merges the positions of the file's existing
 * vector (and of older position delete files) into the new one and removes the old vector in the same commit.
 */
import { FloeError } from '../errors.js';
import { deletionVectorBlob } from '../iceberg/avro/deletion-vector.js';
import { FileContent, type DataFile } from '../iceberg/avro/manifest.js';
import { writePuffinFile } from '../iceberg/avro/puffin.js';
import { RoaringBitmap64 } from '../iceberg/avro/roaring.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import type { PrimitiveValue } from '../iceberg/spec/types.js';
import type { AddedFile } from '../iceberg/table/snapshot-producer.js';
import { DeleteFileStaging } from './delete-writer-staging.js';
import { PositionSet } from './position-set.js';

/** The deleted positions of one data file. */
export interface DeletionVectorInput {
  /** The data file's path as recorded in its manifest. */
  path: string;
  specId: number;
  partition: Map<number, PrimitiveValue | null>;
  /** Every deleted position of the file (old and new), in any order; a PositionSet builds fastest. */
  positions: RoaringBitmap64 | PositionSet | Float64Array | BigUint64Array;
}

/** Options of {@link writeDeletionVectors}. */
export interface WriteDeletionVectorsOptions {
  /** The table's data directory. */
  location: string;
  io: FileIO;
  /** Puffin file properties (`created-by`). */
  createdBy?: string;
}

function bitmapOf(positions: DeletionVectorInput['positions']): RoaringBitmap64 {
  if (positions instanceof RoaringBitmap64) return positions;
  if (positions instanceof PositionSet) return positions.toRoaring();
  return RoaringBitmap64.from(positions);
}

/**
 * Writes one Puffin file holding a deletion vector per input; returns one delete-file entry per vector (the same
 * Puffin path, each with its blob's offset and length). Inputs with no positions are skipped.
 */
export async function writeDeletionVectors(inputs: DeletionVectorInput[], opts: WriteDeletionVectorsOptions): Promise<AddedFile[]> {
  const vectors = inputs
    .map((i) => ({ input: i, bitmap: bitmapOf(i.positions) }))
    .filter((v) => v.bitmap.cardinality > 0);
  if (vectors.length === 0) return [];
  const seen = new Set<string>();
  for (const v of vectors) {
    if (seen.has(v.input.path)) {
      throw new FloeError('INVALID_ARGUMENT', `two deletion vectors for one data file: ${v.input.path}`, { context: { path: v.input.path } });
    }
    seen.add(v.input.path);
  }
  const { bytes, metadata } = writePuffinFile(
    vectors.map((v) => deletionVectorBlob(v.input.path, v.bitmap)),
    { 'created-by': opts.createdBy ?? 'floe' },
  );
  const staging = new DeleteFileStaging(opts.io, opts.location);
  try {
    const staged = await staging.next('-dv.puffin');
    const size = await staging.place(staged, bytes);
    return vectors.map((v, i): AddedFile => {
      const blob = metadata.blobs[i];
      const file: DataFile = {
        content: FileContent.POSITION_DELETES,
        file_path: staged.path,
        file_format: 'PUFFIN',
        partition: v.input.partition,
        record_count: BigInt(v.bitmap.cardinality),
        file_size_in_bytes: size,
        key_metadata: null,
        split_offsets: null,
        sort_order_id: null,
        referenced_data_file: v.input.path,
        content_offset: BigInt(blob.offset),
        content_size_in_bytes: BigInt(blob.length),
      };
      return { file, specId: v.input.specId };
    });
  } catch (err) {
    await staging.discard();
    throw err;
  } finally {
    await staging.release();
  }
}
