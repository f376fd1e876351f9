/**
 * Upsert by equality deletes (`delete_files: 'equality'`): the incoming keys become an equality delete file and the
 * incoming rows data files, in one commit, with no read of the table (spec: "Equality Delete Files").
 */
import { FloeError } from '../../../errors.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import { writeEqualityDeletes } from '../../../engine/equality-delete-writer.js';
import { defaultSpec } from '../../../iceberg/spec/table-metadata.js';
import { dataDir } from '../../../iceberg/table/manifest-writing.js';
import { isPlainUpsert, type MergeSpec } from './merge-spec.js';
import { writeRows, type LoadedTable, type RowChange } from './row-operation.js';

/**
 * Upsert by equality deletes (Iceberg's equality-delete upsert, as Flink writes it): the incoming keys become an
 * equality delete file, which deletes every older row with one of those keys, and the incoming rows become data
 * files, in one commit. Nothing of the table is read. A delete applies only within its partition, so every
 * partition source column must be a key column (else a row moving partitions would survive in the old one).
 */
export async function equalityUpsert(
  engine: Engine,
  loaded: LoadedTable,
  srcRel: string,
  keys: string[] | undefined,
  spec: MergeSpec,
  change: RowChange,
): Promise<void> {
  const md = loaded.table.metadata;
  if (!keys || !isPlainUpsert(spec)) throw new FloeError('UNSUPPORTED', "delete_files: 'equality' is supported for upserts by key columns only");
  if (md['format-version'] < 2) throw new FloeError('UNSUPPORTED', 'equality deletes need a format version 2 or 3 table');
  const specNow = defaultSpec(md);
  for (const pf of specNow.fields) {
    const source = loaded.schema.fields.find((f) => f.id === pf['source-id']);
    if (pf.transform !== 'void' && source && !keys.includes(source.name)) {
      throw new FloeError('INVALID_ARGUMENT', `an equality-delete upsert needs the partition source column ${source.name} among the key columns`, {
        context: { column: source.name },
      });
    }
  }
  const ids = keys.map((k) => loaded.schema.fields.find((f) => f.name === k)!.id);
  change.addedDeletes = await writeEqualityDeletes(engine, {
    source: srcRel,
    schema: loaded.schema,
    spec: specNow,
    equalityIds: ids,
    location: dataDir(md),
    io: loaded.table.io,
    properties: md.properties,
    formatVersion: md['format-version'],
  });
  change.addedData = await writeRows(engine, loaded, srcRel);
  // Concurrently added rows are older than this commit's deletes, which apply to them: no data conflict.
  change.scope.checkAddedData = false;
}
