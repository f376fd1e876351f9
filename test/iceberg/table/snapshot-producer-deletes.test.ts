/**
 * The snapshot producer's row-delta features: delete files added in their own manifests (any spec), delete files
 * removed with the data files they reference, explicit data sequence numbers kept, validation hooks, and
 * `changesSince` reporting what concurrent commits did.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { describeParquetFile } from '../../../src/engine/parquet-data-file.js';
import { quoteString } from '../../../src/engine/sql-literals.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { FloeError, isFloeError } from '../../../src/errors.js';
import { EntryStatus, type DataFile } from '../../../src/iceberg/avro/manifest.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import type { TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { changesSince } from '../../../src/iceberg/table/concurrent-changes.js';
import { loadSnapshotManifests } from '../../../src/iceberg/table/snapshot-manifests.js';
import { appendFiles, commitSnapshot } from '../../../src/iceberg/table/table-operations.js';
import { readEverySnapshot } from '../../helpers/read-every-snapshot.js';

const SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
  ],
};
const io = new LocalFileIO();

async function setup() {
  const warehouse = mkdtempSync(join(tmpdir(), 'floe-rowdelta-'));
  const catalog = new MemoryCatalog('test', { io, warehouse });
  await catalog.createNamespace(['db']);
  const id: TableIdentifier = { namespace: ['db'], name: 't' };
  const created = await catalog.createTable(id, { schema: SCHEMA });
  const engine = await Engine.create();
  let n = 0;
  const dataFile = async (start: number, rows: number): Promise<DataFile> => {
    const path = join(created.metadata.location, 'data', `f-${n++}.parquet`);
    await io.write(path, new Uint8Array());
    await engine.run(
      `COPY (SELECT range AS id, 'n' || range AS name FROM range(${start}, ${start + rows})) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {id: 1, name: 2})`,
    );
    return describeParquetFile(engine, io, path, SCHEMA);
  };
  /** A file-scoped position delete file for `target` deleting `positions` (spec: "Position Delete Files"). */
  const positionDeletes = async (target: DataFile, positions: number[]): Promise<DataFile> => {
    const path = join(created.metadata.location, 'data', `d-${n++}.parquet`);
    await io.write(path, new Uint8Array());
    const values = positions.map((p) => `(${quoteString(target.file_path)}, ${p}::BIGINT)`).join(', ');
    await engine.run(
      `COPY (SELECT * FROM (VALUES ${values}) v(file_path, pos) ORDER BY pos) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {file_path: 2147483546, pos: 2147483545})`,
    );
    return {
      content: 1,
      file_path: path,
      file_format: 'PARQUET',
      partition: new Map(),
      record_count: BigInt(positions.length),
      file_size_in_bytes: BigInt(statSync(path).size),
      referenced_data_file: target.file_path,
    };
  };
  const ids = async (snapshotId?: bigint): Promise<number[]> => {
    const t = tableOf(await catalog.loadTable(id));
    const { rows } = await scanTable(engine, t, snapshotId === undefined ? {} : { snapshotId });
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  };
  return { catalog, id, engine, dataFile, positionDeletes, ids };
}

test('delete files go to a delete manifest and apply; removing their data file removes them too', async () => {
  const s = await setup();
  try {
    const a = await s.dataFile(0, 5);
    const b = await s.dataFile(5, 5);
    await appendFiles(s.catalog, s.id, io, [a, b]);
    const del = await s.positionDeletes(a, [0, 2]);
    const d = await commitSnapshot(s.catalog, s.id, io, { operation: 'delete', added: [], addedFiles: [{ file: del, specId: 0 }] });
    assert.equal(d.snapshot.summary['added-position-deletes'], '2');
    assert.equal(d.snapshot.summary['total-delete-files'], '1');
    assert.deepEqual(await s.ids(), [1, 3, 4, 5, 6, 7, 8, 9]);
    const t = tableOf(await s.catalog.loadTable(s.id));
    const manifests = await loadSnapshotManifests(t, d.snapshot);
    assert.deepEqual(manifests.map((m) => m.manifest.content).sort(), [0, 1]);

    // Removing data file `a` takes its file-scoped delete file with it.
    const o = await commitSnapshot(s.catalog, s.id, io, { operation: 'delete', added: [], removes: (f) => f.file_path === a.file_path });
    assert.equal(o.snapshot.summary['deleted-data-files'], '1');
    assert.equal(o.snapshot.summary['removed-delete-files'], '1');
    assert.equal(o.snapshot.summary['total-delete-files'], '0');
    assert.equal(o.snapshot.summary['total-position-deletes'], '0');
    assert.deepEqual(await s.ids(), [5, 6, 7, 8, 9]);
    await readEverySnapshot(s.engine, tableOf(await s.catalog.loadTable(s.id)));
  } finally {
    s.engine.close();
  }
});

test('an explicit data sequence number is kept on re-added files', async () => {
  const s = await setup();
  try {
    const a = await s.dataFile(0, 3);
    const first = await appendFiles(s.catalog, s.id, io, [a]);
    await commitSnapshot(s.catalog, s.id, io, { operation: 'delete', added: [], removes: () => true });
    assert.deepEqual(await s.ids(), []);
    const back = await commitSnapshot(
      s.catalog,
      s.id,
      io,
      { operation: 'overwrite', added: [], addedFiles: [{ file: a, specId: 0, dataSequenceNumber: first.snapshot['sequence-number'] }] },
      { deleteOnFailure: false },
    );
    assert.deepEqual(await s.ids(), [0, 1, 2]);
    const t = tableOf(await s.catalog.loadTable(s.id));
    const [m] = await loadSnapshotManifests(t, back.snapshot);
    assert.equal(m.entries[0].sequence_number, 1n);
    assert.equal(m.entries[0].file_sequence_number, 3n);
    assert.equal(m.manifest.min_sequence_number, 1n);
  } finally {
    s.engine.close();
  }
});

test('validate sees each attempt base and its error aborts the commit; changesSince lists concurrent files', async () => {
  const s = await setup();
  try {
    const start = await appendFiles(s.catalog, s.id, io, [await s.dataFile(0, 3)]);
    const startId = start.snapshot['snapshot-id'];
    const concurrent = await s.dataFile(100, 2);
    await appendFiles(s.catalog, s.id, io, [concurrent]);
    const t = tableOf(await s.catalog.loadTable(s.id));
    const changes = await changesSince(t, startId);
    assert.equal(changes.snapshots.length, 1);
    assert.deepEqual(changes.addedDataFiles.map((f) => f.file.file_path), [concurrent.file_path]);
    assert.equal(changes.removedDataFiles.length, 0);

    const before = t.metadata['current-snapshot-id'];
    const mine = await s.dataFile(200, 1);
    await assert.rejects(
      commitSnapshot(s.catalog, s.id, io, {
        operation: 'append',
        added: [mine],
        validate: async (base) => {
          const c = await changesSince(base, startId);
          if (c.addedDataFiles.length > 0) throw new FloeError('COMMIT_CONFLICT', 'conflicting append');
        },
      }),
      (e: unknown) => isFloeError(e, 'COMMIT_CONFLICT'),
    );
    assert.equal(tableOf(await s.catalog.loadTable(s.id)).metadata['current-snapshot-id'], before);

    // A starting snapshot that is no longer an ancestor (a rollback happened) is a conflict.
    const orphan = await commitSnapshot(s.catalog, s.id, io, { operation: 'delete', added: [], removes: () => true });
    const removed = await changesSince(tableOf(await s.catalog.loadTable(s.id)), startId);
    assert.equal(removed.removedDataFiles.length, 2);
    assert.ok(removed.snapshots.some((x) => x['snapshot-id'] === orphan.snapshot['snapshot-id']));
    const rolled = tableOf(await s.catalog.loadTable(s.id));
    rolled.metadata.refs.main = { 'snapshot-id': 123n, type: 'branch' };
    await assert.rejects(changesSince(rolled, startId), (e: unknown) => isFloeError(e, 'COMMIT_CONFLICT'));
    assert.equal(EntryStatus.DELETED, 2);
  } finally {
    s.engine.close();
  }
});
