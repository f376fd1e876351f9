/**
 * `write.delete.granularity` on v2 merge-on-read: `partition` writes one position delete file per touched
 * partition per commit (naming every touched data file of it, `referenced_data_file` only when it names one),
 * `file` (the default) one per touched data file. Deletes, upserts and merges with partition-scoped deletes leave
 * the table holding what a plain DuckDB table holds after the same statements, on partitioned and unpartitioned
 * tables, mixed with file-scoped deletes; concurrent partition-scoped deletes conflict only with the data files
 * their path bounds can name; an unknown granularity is CONFIG_INVALID with the table untouched.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../../src/errors.js';
import { DELETE_FILE_PATH_FIELD_ID, deleteGranularity } from '../../../../src/engine/position-delete-writer.js';
import { deserializeValue } from '../../../../src/iceberg/spec/bounds.js';
import { planScan } from '../../../../src/iceberg/table/scan-planner.js';
import { loadSnapshotManifests } from '../../../../src/iceberg/table/snapshot-manifests.js';
import type { Table } from '../../../../src/iceberg/table/table.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../../src/warehouses/iceberg/iceberg-writer.js';
import { deleteRows } from '../../../../src/warehouses/iceberg/row-level/delete-rows.js';
import { RowLevelFixture } from './row-level-fixture.js';

/** Incoming rows: ids from..to-1, names tagged, values changed. */
function incoming(from: number, to: number, tag: string): string {
  return `SELECT range::BIGINT AS id, (range % 5)::INTEGER AS grp, '${tag}' || range AS name, (range * 2.0)::DOUBLE AS v FROM range(${from}, ${to})`;
}

/** The delete files the current snapshot added. */
async function addedDeletes(table: Table) {
  const snap = table.metadata.snapshots.find((s) => s['snapshot-id'] === table.metadata['current-snapshot-id'])!;
  const manifests = await loadSnapshotManifests(table, snap);
  return manifests
    .flatMap((m) => m.entries)
    .filter((e) => e.status === 1 && e.snapshot_id === snap['snapshot-id'] && e.data_file.content === 1)
    .map((e) => e.data_file);
}

const MOR = { 'write.delete.mode': 'merge-on-read', 'write.update.mode': 'merge-on-read', 'write.merge.mode': 'merge-on-read' };

test('deleteGranularity: file by default, partition when asked, anything else CONFIG_INVALID', () => {
  assert.equal(deleteGranularity({}), 'file');
  assert.equal(deleteGranularity({ 'write.delete.granularity': 'PARTITION' }), 'partition');
  assert.equal(deleteGranularity({ 'write.delete.granularity': 'file' }), 'file');
  assert.throws(() => deleteGranularity({ 'write.delete.granularity': 'table' }), (e) => isFloeError(e) && e.code === 'CONFIG_INVALID');
});

// Page version v1 files are DuckDB's; v2 files are floe's own encoder (one data page per data file named).
for (const [partitioned, pageVersion] of [
  [false, 'v1'],
  [true, 'v1'],
  [false, 'v2'],
  [true, 'v2'],
] as const) {
  const shape = `${partitioned ? 'partitioned' : 'unpartitioned'}, delete pages ${pageVersion}`;

  test(`partition granularity: deletes and upserts equal DuckDB's, one delete file per partition (${shape})`, async () => {
    const f = await new RowLevelFixture({
      formatVersion: 2,
      partitioned,
      rows: 500,
      properties: { ...MOR, 'write.delete.granularity': 'partition', 'write.delete.parquet.page-version': pageVersion },
    }).open();
    try {
      const partitionsOf = async (where: string) =>
        Number((await (await f.engine.run(`SELECT count(DISTINCT ${partitioned ? 'grp' : '0'}) FROM ref WHERE ${where}`)).getRowsJS())[0][0]);

      // A delete touching every data file (5 appends of 100 rows).
      let where = 'id % 7 = 3';
      let partitions = await partitionsOf(where);
      let r = await deleteRows(f.catalog, f.id, where, { engine: f.engine });
      await f.engine.run(`DELETE FROM ref WHERE ${where}`);
      assert.equal(r.delete_files_written, partitions);
      let files = await addedDeletes(await f.table());
      assert.equal(files.length, partitions);
      for (const d of files) {
        // Several data files in one delete file: no referenced data file, full path bounds around them.
        assert.equal(d.referenced_data_file, null);
        const lo = deserializeValue('string', d.lower_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!) as string;
        const hi = deserializeValue('string', d.upper_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!) as string;
        assert.ok(lo < hi, `${lo} < ${hi}`);
      }
      await f.assertSame(`after DELETE WHERE ${where}`);

      // Upserts over old files (which have deletes already) and new ones.
      const config: IcebergWriterConfig = { ...f.config, write_mode: 'upsert', key_columns: ['id'] };
      let i = 0;
      for (const [from, to] of [
        [50, 450],
        [0, 30],
        [440, 560],
        [100, 400],
      ] as Array<[number, number]>) {
        const sql = incoming(from, to, `u${i++}_`);
        const res = await writeIceberg(config, { sql }, {}, { catalog: f.catalog, engine: f.engine });
        await f.engine.run(`INSERT OR REPLACE INTO ref ${sql}`);
        assert.equal(res.files_rewritten, 0);
        await f.assertSame(`after upsert of ${from}..${to}`);
      }

      // A delete touching one data file only: the partition's file names it alone, as a file-scoped one would.
      where = 'id BETWEEN 200 AND 204';
      partitions = await partitionsOf(where);
      r = await deleteRows(f.catalog, f.id, where, { engine: f.engine });
      await f.engine.run(`DELETE FROM ref WHERE ${where}`);
      files = await addedDeletes(await f.table());
      assert.equal(files.length, partitions);
      await f.assertSame(`after DELETE WHERE ${where}`);

      // Switching to file granularity mid-history: both kinds apply together.
      await f.catalog.commitTable({
        identifier: f.id,
        requirements: [],
        updates: [{ action: 'set-properties', updates: { 'write.delete.granularity': 'file' } }],
      });
      where = 'v > 300 AND v < 700';
      const touched = Number(
        (await (await f.engine.run(`SELECT count(*) FROM ref WHERE ${where}`)).getRowsJS())[0][0],
      );
      r = await deleteRows(f.catalog, f.id, where, { engine: f.engine });
      await f.engine.run(`DELETE FROM ref WHERE ${where}`);
      assert.equal(r.rows_deleted, touched);
      files = await addedDeletes(await f.table());
      assert.equal(files.length, r.delete_files_written);
      for (const d of files) assert.ok(d.referenced_data_file, 'file granularity references its data file');
      await f.assertSame('after a file-scoped delete over partition-scoped ones');

      // Every data file of the table is planned with the partition-scoped deletes that apply to it.
      const plan = await planScan(await f.table());
      assert.ok(plan.tasks.some((t) => t.deletes.some((d) => d.file.referenced_data_file == null)));
    } finally {
      await f.close();
    }
  });
}

test('partition granularity: MERGE with update, delete and insert equals DuckDB MERGE INTO (delete pages v2)', async () => {
  const f = await new RowLevelFixture({
    formatVersion: 2,
    partitioned: true,
    properties: { ...MOR, 'write.delete.granularity': 'partition', 'write.delete.parquet.page-version': 'v2' },
  }).open();
  try {
    const sql = incoming(150, 350, 'm_');
    await writeIceberg(
      {
        ...f.config,
        write_mode: 'merge',
        merge: {
          on: ['id'],
          when_matched: [
            { condition: 't.id % 3 = 0', action: 'delete' },
            { condition: 't.id % 3 = 1', action: 'update', set: { name: "s.name || '/' || t.name", v: 't.v + 1' } },
          ],
          when_not_matched: [{ condition: 's.id % 2 = 0', action: 'insert' }],
        },
      },
      { sql },
      {},
      { catalog: f.catalog, engine: f.engine },
    );
    await f.engine.run(
      `MERGE INTO ref AS t USING (${sql}) AS s ON t.id = s.id ` +
        `WHEN MATCHED AND t.id % 3 = 0 THEN DELETE ` +
        `WHEN MATCHED AND t.id % 3 = 1 THEN UPDATE SET name = s.name || '/' || t.name, v = t.v + 1 ` +
        `WHEN NOT MATCHED AND s.id % 2 = 0 THEN INSERT VALUES (s.id, s.grp, s.name, s.v)`,
    );
    const files = await addedDeletes(await f.table());
    assert.ok(files.length > 0 && files.length <= 5, `${files.length} delete files for 5 partitions`);
    await f.assertSame('after MERGE');
  } finally {
    await f.close();
  }
});

test('an unknown write.delete.granularity is CONFIG_INVALID and the table untouched', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false, properties: { ...MOR, 'write.delete.granularity': 'row' } }).open();
  try {
    const before = (await f.table()).metadata['current-snapshot-id'];
    await assert.rejects(deleteRows(f.catalog, f.id, 'id < 10', { engine: f.engine }), (e) => isFloeError(e) && e.code === 'CONFIG_INVALID');
    assert.equal((await f.table()).metadata['current-snapshot-id'], before);
    await f.assertSame();
  } finally {
    await f.close();
  }
});

test('a concurrent partition-scoped delete conflicts only with data files its path bounds can name', async () => {
  const { conflictValidator } = await import('../../../../src/warehouses/iceberg/row-level/conflicts.js');
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false, properties: { ...MOR, 'write.delete.granularity': 'partition' } }).open();
  try {
    const start = await f.table();
    const startId = start.metadata['current-snapshot-id']!;
    const tasks = (await planScan(start)).tasks;
    // A concurrent delete in the first two files (ids 0..199), one partition-scoped delete file.
    await deleteRows(f.catalog, f.id, 'id % 10 = 1 AND id < 200', { engine: f.engine });
    const [d] = await addedDeletes(await f.table());
    assert.equal(d.referenced_data_file, null);
    const lo = deserializeValue('string', d.lower_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!) as string;
    const hi = deserializeValue('string', d.upper_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!) as string;
    const scope = (path: string) => ({
      startingSnapshotId: startId,
      branch: 'main',
      referencedDataFiles: [{ ...tasks[0], file: { ...tasks[0].file, file_path: path } }],
      removedDeleteFiles: new Set<string>(),
      checkAddedData: false,
    });
    const base = await f.table();
    // A data file the delete names conflicts; paths outside its bounds do not.
    await assert.rejects(conflictValidator(scope(lo))(base), (e) => isFloeError(e) && e.code === 'COMMIT_CONFLICT');
    await assert.rejects(conflictValidator(scope(hi))(base), (e) => isFloeError(e) && e.code === 'COMMIT_CONFLICT');
    await conflictValidator(scope(`${hi}~`))(base);
    await conflictValidator(scope(lo.slice(0, -1)))(base);
  } finally {
    await f.close();
  }
});
