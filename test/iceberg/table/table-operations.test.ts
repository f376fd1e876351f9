/**
 * Appends and overwrites committed through a catalog: snapshots, inherited sequence numbers, summaries
 * (Appendix F), manifest merging, retries on conflict, cleanup of files from commits that surely failed, and every
 * snapshot read back by the scan path.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { describeParquetFile } from '../../../src/engine/parquet-data-file.js';
import { quoteString } from '../../../src/engine/sql-literals.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { isFloeError } from '../../../src/errors.js';
import type { DataFile } from '../../../src/iceberg/avro/manifest.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import type { Catalog, TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import { snapshotManifestFiles } from '../../../src/iceberg/table/snapshot-manifests.js';
import { commitWithRetry, tableOf } from '../../../src/iceberg/table/commit.js';
import { appendFiles, overwriteFiles } from '../../../src/iceberg/table/table-operations.js';
import { SnapshotProducer } from '../../../src/iceberg/table/snapshot-producer.js';
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

async function setup(properties: Record<string, string> = {}) {
  const warehouse = mkdtempSync(join(tmpdir(), 'floe-ops-'));
  const catalog = new MemoryCatalog('test', { io, warehouse });
  await catalog.createNamespace(['db']);
  const id: TableIdentifier = { namespace: ['db'], name: 't' };
  const created = await catalog.createTable(id, { schema: SCHEMA, properties });
  const engine = await Engine.create();
  let n = 0;
  /** Writes `rows` rows starting at `start` as one Parquet data file of the table. */
  const writeFile = async (start: number, rows: number): Promise<DataFile> => {
    const path = join(created.metadata.location, 'data', `f-${n++}.parquet`);
    await io.write(path, new Uint8Array());
    await engine.run(
      `COPY (SELECT range AS id, 'n' || range AS name FROM range(${start}, ${start + rows})) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {id: 1, name: 2})`,
    );
    return describeParquetFile(engine, io, path, created.metadata.schemas[0]);
  };
  const count = async (snapshotId?: bigint): Promise<number> => {
    const t = tableOf(await catalog.loadTable(id));
    const { rows } = await scanTable(engine, t, snapshotId === undefined ? {} : { snapshotId });
    await readEverySnapshot(engine, t);
    return rows.length;
  };
  return { catalog, id, engine, writeFile, count, location: created.metadata.location };
}

test('appends make snapshots with inherited sequence numbers and Appendix F summaries', async () => {
  const s = await setup();
  try {
    const a = await appendFiles(s.catalog, s.id, io, [await s.writeFile(0, 100)]);
    const b = await appendFiles(s.catalog, s.id, io, [await s.writeFile(100, 50), await s.writeFile(150, 50)]);
    assert.equal(a.snapshot['sequence-number'], 1n);
    assert.equal(b.snapshot['sequence-number'], 2n);
    assert.equal(b.snapshot['parent-snapshot-id'], a.snapshot['snapshot-id']);
    assert.equal(b.snapshot.summary.operation, 'append');
    assert.equal(b.snapshot.summary['added-data-files'], '2');
    assert.equal(b.snapshot.summary['added-records'], '100');
    assert.equal(b.snapshot.summary['total-records'], '200');
    assert.equal(b.snapshot.summary['total-data-files'], '3');
    assert.equal(await s.count(a.snapshot['snapshot-id']), 100);
    assert.equal(await s.count(), 200);
    const t = tableOf(await s.catalog.loadTable(s.id));
    assert.equal(t.metadata['current-snapshot-id'], b.snapshot['snapshot-id']);
    const lists = await snapshotManifestFiles(t, b.snapshot);
    assert.deepEqual(lists.map((m) => m.sequence_number), [2n, 1n]);
  } finally {
    s.engine.close();
  }
});

test('overwrite replaces the live files and records them as deleted', async () => {
  const s = await setup();
  try {
    await appendFiles(s.catalog, s.id, io, [await s.writeFile(0, 10), await s.writeFile(10, 10)]);
    const o = await overwriteFiles(s.catalog, s.id, io, [await s.writeFile(1000, 5)], () => true);
    assert.equal(o.snapshot.summary.operation, 'overwrite');
    assert.equal(o.snapshot.summary['deleted-data-files'], '2');
    assert.equal(o.snapshot.summary['deleted-records'], '20');
    assert.equal(o.snapshot.summary['total-records'], '5');
    assert.equal(await s.count(), 5);
    const d = await overwriteFiles(s.catalog, s.id, io, [], (f) => f.record_count === 5n);
    assert.equal(d.snapshot.summary.operation, 'delete');
    assert.equal(await s.count(), 0);
  } finally {
    s.engine.close();
  }
});

test('manifests are merged once their count reaches commit.manifest.min-count-to-merge', async () => {
  const s = await setup({ 'commit.manifest.min-count-to-merge': '4' });
  try {
    const snaps: bigint[] = [];
    for (let i = 0; i < 10; i++) {
      snaps.push((await appendFiles(s.catalog, s.id, io, [await s.writeFile(i * 10, 10)])).snapshot['snapshot-id']);
    }
    const t = tableOf(await s.catalog.loadTable(s.id));
    const lists = await snapshotManifestFiles(t, t.metadata.snapshots[t.metadata.snapshots.length - 1]);
    assert.ok(lists.length < 5, `${lists.length} manifests after 10 appends`);
    for (let i = 0; i < snaps.length; i++) assert.equal(await s.count(snaps[i]), (i + 1) * 10);
  } finally {
    s.engine.close();
  }
});

test('concurrent appends on the same base all land through retries', async () => {
  const s = await setup({ 'commit.retry.num-retries': '10', 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '20' });
  try {
    // One DuckDB connection runs one statement at a time: write the files first, then race the commits.
    const files: DataFile[] = [];
    for (let i = 0; i < 5; i++) files.push(await s.writeFile(i * 7, 7));
    const results = await Promise.all(files.map((f) => appendFiles(s.catalog, s.id, io, [f])));
    assert.ok(results.some((r) => r.attempts > 1), 'some commit had to retry');
    assert.equal(await s.count(), 35);
    const t = tableOf(await s.catalog.loadTable(s.id));
    assert.equal(t.metadata.snapshots.length, 5);
    assert.equal(t.metadata['last-sequence-number'], 5n);
  } finally {
    s.engine.close();
  }
});

test('a commit that surely failed deletes the files written for it', async () => {
  const s = await setup({ 'commit.retry.num-retries': '0' });
  try {
    const file = await s.writeFile(0, 3);
    // A catalog whose commits always conflict: the change can never land.
    const conflicting: Catalog = Object.create(s.catalog, {
      commitTable: {
        value: async () => {
          const { FloeError } = await import('../../../src/errors.js');
          throw new FloeError('COMMIT_CONFLICT', 'conflict', { retryable: true });
        },
      },
    });
    await assert.rejects(appendFiles(conflicting, s.id, io, [file]), (e) => isFloeError(e, 'COMMIT_CONFLICT'));
    assert.equal(existsSync(file.file_path), false, 'data file deleted');
    const meta = readdirSync(join(s.location, 'metadata'));
    assert.ok(!meta.some((f) => f.endsWith('.avro')), `no manifest or list left: ${meta.join(', ')}`);
  } finally {
    s.engine.close();
  }
});

test('a commit whose state is unknown keeps its files', async () => {
  const s = await setup();
  try {
    const file = await s.writeFile(0, 3);
    const unknown: Catalog = Object.create(s.catalog, {
      commitTable: {
        value: async () => {
          const { FloeError } = await import('../../../src/errors.js');
          throw new FloeError('COMMIT_STATE_UNKNOWN', 'gateway timeout');
        },
      },
    });
    await assert.rejects(appendFiles(unknown, s.id, io, [file]), (e) => isFloeError(e, 'COMMIT_STATE_UNKNOWN'));
    assert.equal(existsSync(file.file_path), true);
    assert.ok(readdirSync(join(s.location, 'metadata')).some((f) => f.startsWith('snap-')));
  } finally {
    s.engine.close();
  }
});

test('a producer reused across retries writes the added-files manifest once', async () => {
  const s = await setup();
  try {
    const producer = new SnapshotProducer(io, { operation: 'append', added: [await s.writeFile(0, 4)] });
    await appendFiles(s.catalog, s.id, io, [await s.writeFile(4, 4)]);
    const res = await commitWithRetry(s.catalog, s.id, (t) => producer.produce(t));
    assert.equal(res.attempts, 1);
    assert.equal(producer.allFiles().filter((f) => f.endsWith('-m0.avro')).length, 1);
    assert.equal(await s.count(), 8);
  } finally {
    s.engine.close();
  }
});
