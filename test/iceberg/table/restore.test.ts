/**
 * restoreVersion: the current state becomes an earlier version's as a new snapshot (history kept), reading row
 * for row as the version did: with equality and position deletes present (re-added files keep their data sequence
 * numbers, so deletes apply exactly as before) and across schema changes (the version's schema becomes current).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { isFloeError } from '../../../src/errors.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { alterTable } from '../../../src/iceberg/table/alter-table.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { restoreVersion } from '../../../src/iceberg/table/restore.js';
import type { SnapshotSelector } from '../../../src/iceberg/table/table.js';
import { createVersion } from '../../../src/iceberg/table/versions.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { commitEqualityDelete, commitPositionDelete } from '../../helpers/delete-files.js';

async function setup(formatVersion: 2 | 3 = 2) {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-restore-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string, mode: 'append' | 'overwrite' = 'append') =>
    BigInt((await writeIceberg({ table: 'db.t', write_mode: mode, format_version: formatVersion }, { sql }, {}, { catalog, engine })).snapshot_id);
  const rows = async (sel: SnapshotSelector = {}) => {
    const { rows } = await scanTable(engine, tableOf(await catalog.loadTable(id)), { ...sel, orderBy: 'ALL' });
    return rows;
  };
  const md = async () => (await catalog.loadTable(id)).metadata;
  return { catalog, engine, id, write, rows, md };
}

for (const fv of [2, 3] as const) {
  test(`v${fv}: restore with equality and position deletes reads exactly as the version`, async () => {
    const s = await setup(fv);
    try {
      await s.write("SELECT range AS id, 'a' || range AS v FROM range(10)");
      // Equality delete of ids 1 and 2 (applies to the first file only: it is older).
      await commitEqualityDelete(s.engine, s.catalog, s.id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [1, 2]);
      // id 1 comes back in a newer file: the older equality delete must not remove it.
      await s.write("SELECT 1 AS id, 'again' AS v UNION ALL SELECT 100, 'x'");
      // v3 forbids new position delete files (deletion vectors replace them): an equality delete there.
      if (fv === 2) await commitPositionDelete(s.engine, s.catalog, s.id, 'id = 5');
      else await commitEqualityDelete(s.engine, s.catalog, s.id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [5]);
      const version = await createVersion(s.catalog, s.id, { name: 'good' });
      const expected = await s.rows({ ref: 'good' });
      assert.deepEqual(expected.map((r) => r.id), [0n, 1n, 3n, 4n, 6n, 7n, 8n, 9n, 100n]);
      assert.equal(expected.find((r) => r.id === 1n)?.v, 'again');

      // Mistakes: everything replaced, then more deletes.
      await s.write("SELECT range AS id, 'bad' AS v FROM range(1000, 1003)", 'overwrite');
      await commitEqualityDelete(s.engine, s.catalog, s.id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [1000]);
      const headBefore = (await s.md())['current-snapshot-id']!;
      const snapshotsBefore = (await s.md()).snapshots.length;

      const res = await restoreVersion(s.catalog, s.id, 'good');
      assert.equal(res.changed, true);
      assert.equal(res.restored_snapshot_id, version.snapshot_id);
      assert.deepEqual(await s.rows(), expected, 'row for row the version');
      const md = await s.md();
      assert.equal(md['current-snapshot-id'], res.snapshot_id);
      assert.equal(md.snapshots.length, snapshotsBefore + 1, 'a new snapshot, history kept');
      assert.equal(md.snapshots.find((x) => x['snapshot-id'] === res.snapshot_id)!['parent-snapshot-id'], headBefore);
      assert.deepEqual((await s.rows({ snapshotId: headBefore })).map((r) => r.id), [1001n, 1002n], 'the undone state still reads');

      // Restoring the undone state back, then the version again: both exact.
      await restoreVersion(s.catalog, s.id, headBefore);
      assert.deepEqual((await s.rows()).map((r) => r.id), [1001n, 1002n]);
      await restoreVersion(s.catalog, s.id, 'good');
      assert.deepEqual(await s.rows(), expected);
      const again = await restoreVersion(s.catalog, s.id, 'good');
      assert.equal(again.changed, false, 'already that version: nothing committed');
      // The restored table keeps taking writes.
      await s.write("SELECT 7 AS id, 'new' AS v");
      assert.equal((await s.rows()).length, expected.length + 1);
    } finally {
      s.engine.close();
    }
  });
}

test('restore across a schema change: the version schema becomes current again', async () => {
  const s = await setup();
  try {
    await s.write('SELECT range AS id, CAST(range AS INTEGER) AS qty FROM range(5)');
    await createVersion(s.catalog, s.id, { name: 'v1' });
    const expected = await s.rows({ ref: 'v1' });
    const v1Schema = (await s.md())['current-schema-id'];
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('qty', 'quantity').updateColumnType('quantity', 'long').addColumn('note', 'string'));
    await s.write("SELECT 9 AS id, 90 AS quantity, 'n' AS note");
    assert.deepEqual(Object.keys((await s.rows())[0]), ['id', 'quantity', 'note']);

    const res = await restoreVersion(s.catalog, s.id, 'v1');
    assert.equal(res.schema_changed, true);
    const md = await s.md();
    assert.equal(md['current-schema-id'], v1Schema);
    assert.equal(res.schema_id, v1Schema);
    const now = await s.rows();
    assert.deepEqual(now, expected, 'same rows, same column names and types');
    assert.deepEqual(Object.keys(now[0]), ['id', 'qty']);
    assert.equal(md.snapshots.find((x) => x['snapshot-id'] === res.snapshot_id)!['schema-id'], v1Schema);
    // A write with the old column set works on the restored table.
    await s.write('SELECT 5 AS id, CAST(50 AS INTEGER) AS qty');
    assert.equal((await s.rows()).length, 6);
  } finally {
    s.engine.close();
  }
});

test('restore errors: unknown version or snapshot, and the table is untouched', async () => {
  const s = await setup();
  try {
    await s.write('SELECT 1 AS id');
    const before = await s.catalog.loadTable(s.id);
    await assert.rejects(restoreVersion(s.catalog, s.id, 'nope'), (e) => isFloeError(e, 'REF_NOT_FOUND'));
    await assert.rejects(restoreVersion(s.catalog, s.id, 123n), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    await assert.rejects(restoreVersion(s.catalog, s.id, '1999-01-01T00:00:00Z'), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    assert.equal((await s.catalog.loadTable(s.id)).metadataLocation, before.metadataLocation);
  } finally {
    s.engine.close();
  }
});

for (const fv of [2, 3] as const) {
  test(`v${fv}: restore over merge-on-read upserts (${fv === 2 ? 'position deletes' : 'deletion vectors'})`, async () => {
    const s = await setup(fv);
    try {
      const props = { 'write.update.mode': 'merge-on-read' };
      const upsert = (sql: string) =>
        writeIceberg({ table: 'db.t', write_mode: 'upsert', key_columns: ['id'], format_version: fv, properties: props }, { sql }, {}, { catalog: s.catalog, engine: s.engine });
      await writeIceberg({ table: 'db.t', format_version: fv, properties: props }, { sql: "SELECT range AS id, 'a' AS v FROM range(20)" }, {}, { catalog: s.catalog, engine: s.engine });
      await upsert("SELECT range AS id, 'b' AS v FROM range(0, 20, 3)");
      await createVersion(s.catalog, s.id, { name: 'mid' });
      const expected = await s.rows({ ref: 'mid' });
      await upsert("SELECT range AS id, 'c' AS v FROM range(0, 30, 2)");
      await upsert("SELECT range AS id, 'd' AS v FROM range(1, 20, 5)");
      const md = await s.md();
      assert.ok(Number(md.snapshots.at(-1)!.summary['total-delete-files'] ?? 0) > 0, 'the upserts wrote delete files');
      const res = await restoreVersion(s.catalog, s.id, 'mid');
      assert.equal(res.changed, true);
      assert.deepEqual(await s.rows(), expected);
      assert.equal((await s.rows()).filter((r) => r.v === 'b').length, 7);
    } finally {
      s.engine.close();
    }
  });
}
