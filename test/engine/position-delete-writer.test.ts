/**
 * The position delete writer's layouts: `partition` granularity puts the rows of all targets of one partition in
 * one file sorted by path then position (no `referenced_data_file` unless it names one data file; full path
 * bounds), `write.delete.parquet.page-version` v2 writes delta-encoded data pages v2 that DuckDB and floe read
 * back, and bad property values are CONFIG_INVALID with nothing written.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readdir } from 'node:fs/promises';
import { DELETE_FILE_PATH_FIELD_ID, deleteParquetVersion, writePositionDeletes } from '../../src/engine/position-delete-writer.js';
import { isFloeError } from '../../src/errors.js';
import { toLocalPath } from '../../src/iceberg/io/local-file-io.js';
import { deserializeValue } from '../../src/iceberg/spec/bounds.js';
import { dataDir } from '../../src/iceberg/table/manifest-writing.js';
import { planScan } from '../../src/iceberg/table/scan-planner.js';
import { commitRowChange, loadTableAt } from '../../src/warehouses/iceberg/row-level/row-operation.js';
import { RowLevelFixture } from '../warehouses/iceberg/row-level/row-level-fixture.js';

test('deleteParquetVersion: v1 by default, the delete property before the data one, else CONFIG_INVALID', () => {
  assert.equal(deleteParquetVersion({}), 'V1');
  assert.equal(deleteParquetVersion({ 'write.parquet.page-version': 'v2' }), 'V2');
  assert.equal(deleteParquetVersion({ 'write.parquet.page-version': 'v2', 'write.delete.parquet.page-version': 'V1' }), 'V1');
  assert.throws(() => deleteParquetVersion({ 'write.delete.parquet.page-version': '3' }), (e) => isFloeError(e) && e.code === 'CONFIG_INVALID');
});

for (const pageVersion of ['v1', 'v2'] as const) {
  test(`partition granularity, page ${pageVersion}: one sorted file per partition, bounds, read back by DuckDB and floe`, async () => {
    const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false }).open();
    try {
      const table = await f.table();
      const [a, b, c] = (await planScan(table)).tasks;
      await f.engine.run(
        `CREATE TEMP TABLE pd AS SELECT * FROM (VALUES ('${b.file.file_path}', 9::BIGINT), ('${a.file.file_path}', 7), ` +
          `('${b.file.file_path}', 3), ('${a.file.file_path}', 2), ('/elsewhere.parquet', 1)) AS v(file_path, pos)`,
      );
      const targets = [a, b, c].map((t) => ({ path: t.file.file_path, specId: t.specId, partition: t.file.partition }));
      const added = await writePositionDeletes(f.engine, {
        source: 'pd',
        targets,
        location: dataDir(table.metadata),
        io: table.io,
        properties: { 'write.delete.granularity': 'partition', 'write.delete.parquet.page-version': pageVersion },
      });
      assert.equal(added.length, 1);
      const d = added[0].file;
      assert.equal(d.record_count, 4n);
      assert.equal(d.referenced_data_file, null, 'names two data files');
      const [lo, hi] = [a.file.file_path, b.file.file_path].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.equal(deserializeValue('string', d.lower_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), lo);
      assert.equal(deserializeValue('string', d.upper_bounds!.get(DELETE_FILE_PATH_FIELD_ID)!), hi);
      const local = toLocalPath(d.file_path);
      const rows = (await (await f.engine.run(`SELECT file_path, pos FROM read_parquet('${local}')`)).getRowsJS()).map((r) => [r[0], Number(r[1])]);
      const expected = [
        [a.file.file_path, 2],
        [a.file.file_path, 7],
        [b.file.file_path, 3],
        [b.file.file_path, 9],
      ].sort((x, y) => Buffer.compare(Buffer.from(x[0] as string), Buffer.from(y[0] as string)) || (x[1] as number) - (y[1] as number));
      assert.deepEqual(rows, expected, 'sorted by path, then position');
      const meta = await (await f.engine.run(`SELECT path_in_schema, encodings FROM parquet_metadata('${local}') ORDER BY 1`)).getRowsJS();
      const posEncodings = String(meta.find((r) => r[0] === 'pos')![1]);
      if (pageVersion === 'v2') assert.match(posEncodings, /DELTA_BINARY_PACKED/);
      else assert.doesNotMatch(posEncodings, /DELTA/);

      // Committed, the file deletes exactly those rows from both data files.
      const loaded = await loadTableAt(f.catalog, f.id);
      await commitRowChange(f.catalog, loaded, {
        addedData: [],
        addedDeletes: added,
        removedDataFiles: new Set(),
        removedDeleteFiles: new Set(),
        scope: { startingSnapshotId: loaded.startingSnapshotId, branch: 'main', referencedDataFiles: [], removedDeleteFiles: new Set(), checkAddedData: false },
      });
      for (const [path, pos] of expected) {
        await f.engine.run(
          `DELETE FROM ref WHERE id = (SELECT id FROM read_parquet('${toLocalPath(path as string)}') WHERE file_row_number = ${pos})`,
        );
      }
      await f.assertSame();
    } finally {
      await f.close();
    }
  });
}

test('a bad page version is CONFIG_INVALID before any delete file is written', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false }).open();
  try {
    const table = await f.table();
    const [a] = (await planScan(table)).tasks;
    const before = await readdir(toLocalPath(dataDir(table.metadata)));
    await assert.rejects(
      writePositionDeletes(f.engine, {
        source: `(SELECT '${a.file.file_path}' AS file_path, 1::BIGINT AS pos)`,
        targets: [{ path: a.file.file_path, specId: a.specId, partition: a.file.partition }],
        location: dataDir(table.metadata),
        io: table.io,
        properties: { 'write.delete.parquet.page-version': 'v9' },
      }),
      (e) => isFloeError(e) && e.code === 'CONFIG_INVALID',
    );
    assert.deepEqual(await readdir(toLocalPath(dataDir(table.metadata))), before);
  } finally {
    await f.close();
  }
});
