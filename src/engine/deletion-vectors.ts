/**
 * Loading deletion vectors (spec: "Deletion Vectors"): the blob at `content_offset` / `content_size_in_bytes` of a
 * Puffin delete file, decoded to the deleted row positions of its referenced data file.
 */
import { FloeError } from '../errors.js';
import { decodeDeletionVector } from '../iceberg/avro/deletion-vector.js';
import { readPuffinFooter, readPuffinBlob } from '../iceberg/avro/puffin.js';
import type { FileIO } from '../iceberg/io/file-io.js';
import type { PlannedFile } from '../iceberg/table/delete-index.js';

/** Reads the deleted positions of one deletion vector, sorted ascending. */
export async function readDeletionVector(io: FileIO, dv: PlannedFile): Promise<BigUint64Array> {
  const f = dv.file;
  let blob: Uint8Array;
  if (f.content_offset != null && f.content_size_in_bytes != null) {
    blob = await io.readRange(dv.readPath, Number(f.content_offset), Number(f.content_size_in_bytes));
  } else {
    // Legacy DVs without offsets: the Puffin footer names the blob (its `referenced-data-file` property).
    const bytes = await io.read(dv.readPath);
    const footer = readPuffinFooter(bytes);
    const meta = footer.blobs.find((b) => b.type === 'deletion-vector-v1');
    if (!meta) {
      throw new FloeError('PUFFIN_INVALID', `${f.file_path}: no deletion-vector-v1 blob`, { context: { path: f.file_path } });
    }
    blob = readPuffinBlob(bytes, meta);
  }
  const bitmap = decodeDeletionVector(blob, { expectedCardinality: f.record_count, location: f.file_path });
  return bitmap.toBigUint64Array();
}
