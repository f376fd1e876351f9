/**
 * Row-level DELETE in copy-on-write and merge-on-read, v2 (position deletes) and v3 (deletion vectors),
 * partitioned and not: after each delete the table holds what a plain DuckDB table holds after the same DELETE, and
 * every snapshot's row count matches its summary. Bad filters leave the table untouched.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../../src/errors.js';
import { deleteRows } from '../../../../src/warehouses/iceberg/row-level/delete-rows.js';
import { RowLevelFixture } from './row-level-fixture.js';

const DELETES = ['id % 10 = 3', 'grp = 2 AND id < 150', 'name LIKE \'n1%\'', 'id >= 290', 'v > 100 AND v < 130'];

for (const formatVersion of [2, 3] as const) {
  for (const partitioned of [false, true]) {
    for (const mode of ['copy-on-write', 'merge-on-read'] as const) {
      test(`delete: ${mode}, v${formatVersion}, ${partitioned ? 'partitioned' : 'unpartitioned'}`, async () => {
        const f = await new RowLevelFixture({ formatVersion, partitioned, properties: { 'write.delete.mode': mode } }).open();
        try {
          for (const where of DELETES) {
            const before = (await f.table()).metadata['current-snapshot-id'];
            const r = await deleteRows(f.catalog, f.id, where, { engine: f.engine });
            const expected = Number((await (await f.engine.run(`SELECT count(*) FROM ref WHERE ${where}`)).getRowsJS())[0][0]);
            await f.engine.run(`DELETE FROM ref WHERE ${where}`);
            assert.equal(r.rows_deleted, expected, where);
            assert.equal(r.mode, mode);
            const md = (await f.table()).metadata;
            if (expected === 0) {
              assert.equal(r.snapshot_id, null);
              assert.equal(md['current-snapshot-id'], before);
            } else {
              assert.equal(String(md['current-snapshot-id']), r.snapshot_id);
              const snap = md.snapshots.find((s) => String(s['snapshot-id']) === r.snapshot_id)!;
              if (mode === 'merge-on-read') {
                assert.ok(r.delete_files_written > 0);
                assert.equal(r.files_removed, 0);
                assert.equal(snap.summary.operation, 'delete');
                if (formatVersion === 3) assert.equal(snap.summary['added-dvs'], String(r.delete_files_written));
                else assert.equal(snap.summary['added-position-delete-files'], String(r.delete_files_written));
              } else {
                assert.equal(r.delete_files_written, 0);
                assert.ok(r.files_removed > 0);
                assert.equal(snap.summary.operation, r.files_rewritten > 0 ? 'overwrite' : 'delete');
              }
            }
            await f.assertSame(`after DELETE WHERE ${where}`);
          }
          if (formatVersion === 3 && mode === 'merge-on-read') {
            // At most one deletion vector per data file, however many deletes touched it.
            const { planScan } = await import('../../../../src/iceberg/table/scan-planner.js');
            const plan = await planScan(await f.table());
            for (const t of plan.tasks) assert.ok(t.deletes.filter((d) => d.file.file_format === 'PUFFIN').length <= 1);
          }
        } finally {
          await f.close();
        }
      });
    }
  }
}

test('delete prunes: files that cannot hold matching rows are not read', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: true, properties: { 'write.delete.mode': 'merge-on-read' } }).open();
  try {
    const all = (await (await import('../../../../src/iceberg/table/scan-planner.js')).planScan(await f.table())).tasks.length;
    const r = await deleteRows(f.catalog, f.id, 'grp = 1 AND id < 20', { engine: f.engine });
    await f.engine.run('DELETE FROM ref WHERE grp = 1 AND id < 20');
    assert.equal(r.rows_deleted, 4);
    assert.ok(r.files_skipped > 0 && r.files_scanned < all, `scanned ${r.files_scanned} of ${all}`);
    assert.equal(r.delete_files_written, 1, 'only the one file holding the rows gets deletes');
    await f.assertSame();
  } finally {
    await f.close();
  }
});

test('a delete filter naming an unknown column is INVALID_ARGUMENT, the table untouched', async () => {
  const f = await new RowLevelFixture({ formatVersion: 2, partitioned: false }).open();
  try {
    const before = (await f.table()).metadata['current-snapshot-id'];
    for (const bad of ['nope = 1', 'id = ', '', 'name + 1 = 2 OR nope']) {
      await assert.rejects(deleteRows(f.catalog, f.id, bad, { engine: f.engine }), (e) => isFloeError(e, 'INVALID_ARGUMENT'), bad);
    }
    assert.equal((await f.table()).metadata['current-snapshot-id'], before);
    await f.assertSame();
  } finally {
    await f.close();
  }
});

test('a merge-on-read delete that removes no file reads no manifest of the base', async () => {
  for (const formatVersion of [2, 3] as const) {
    const f = await new RowLevelFixture({ formatVersion, partitioned: true, properties: { 'write.delete.mode': 'merge-on-read' } }).open();
    try {
      const r = await deleteRows(f.catalog, f.id, 'id % 10 = 3', { engine: f.engine });
      assert.ok(r.rows_deleted > 0);
      const md = (await f.table()).metadata;
      const snap = md.snapshots.find((s) => String(s['snapshot-id']) === r.snapshot_id)!;
      assert.equal(snap.summary['entries-processed'], '0', `v${formatVersion}: only delete files were added`);
      assert.ok(Number(snap.summary['manifests-kept']) > 0);
      await f.engine.run('DELETE FROM ref WHERE id % 10 = 3');
      await f.assertSame('after the delete');
    } finally {
      await f.close();
    }
  }
});
