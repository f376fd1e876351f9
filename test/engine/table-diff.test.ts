/**
 * diffVersions: keyed and content diffs with deletes present, rows on request, shared files skipped (checked
 * against a full comparison in plain DuckDB SQL over both snapshots), schema changes by field id, and refusals.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { SqlSession } from '../../src/engine/sql-session.js';
import { diffVersions } from '../../src/engine/table-diff.js';
import { isFloeError } from '../../src/errors.js';
import { MemoryCatalog } from '../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { alterTable } from '../../src/iceberg/table/alter-table.js';
import { createVersion } from '../../src/iceberg/table/versions.js';
import { writeIceberg } from '../../src/warehouses/iceberg/iceberg-writer.js';
import { commitEqualityDelete, commitPositionDelete } from '../helpers/delete-files.js';

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-diff-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string) => BigInt((await writeIceberg({ table: 'db.t' }, { sql }, {}, { catalog, engine })).snapshot_id);
  const session = await SqlSession.open({ engine, catalog });
  /** The full comparison in plain SQL: multiset differences of both snapshots' rows. */
  const fullCounts = async (a: bigint, b: bigint) => {
    const q = (x: bigint, y: bigint) => `SELECT count(*) FROM (SELECT * FROM iceberg_scan('db.t', snapshot_from_id=${x}) EXCEPT ALL SELECT * FROM iceberg_scan('db.t', snapshot_from_id=${y}))`;
    const added = Number((await session.execute(q(b, a))).text[0][0]);
    const removed = Number((await session.execute(q(a, b))).text[0][0]);
    return { added, removed };
  };
  return { catalog, engine, id, write, fullCounts };
}

test('keyed and content diffs over equality and position deletes, with rows', async () => {
  const s = await setup();
  try {
    await s.write("SELECT range AS id, 'a' || range AS v FROM range(10)");
    await createVersion(s.catalog, s.id, { name: 'a' });
    // Remove 3, update 5 (delete + re-insert), insert 10 and 11, update 7 by position delete + insert.
    await commitEqualityDelete(s.engine, s.catalog, s.id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [3, 5]);
    await commitPositionDelete(s.engine, s.catalog, s.id, 'id = 7');
    await s.write("SELECT * FROM (VALUES (5, 'five'), (7, 'seven'), (10, 'a10'), (11, 'a11')) AS v(id, v)");
    await createVersion(s.catalog, s.id, { name: 'b' });

    const keyed = await diffVersions(s.catalog, s.id, 'a', 'b', { key: ['id'], rows: true, engine: s.engine });
    assert.deepEqual([keyed.rows_added, keyed.rows_removed, keyed.rows_modified], [2, 1, 2]);
    assert.deepEqual(keyed.added!.map((r) => r.id), [10n, 11n]);
    assert.deepEqual(keyed.removed, [{ id: 3n, v: 'a3' }]);
    assert.deepEqual(keyed.modified, [
      { key: { id: 5n }, from: { v: 'a5' }, to: { v: 'five' } },
      { key: { id: 7n }, from: { v: 'a7' }, to: { v: 'seven' } },
    ]);
    assert.deepEqual(keyed.schema_changes, []);
    assert.deepEqual(keyed.compared_columns, ['id', 'v']);

    const content = await diffVersions(s.catalog, s.id, 'a', 'b', { engine: s.engine, rows: 1 });
    assert.deepEqual([content.rows_added, content.rows_removed, content.rows_modified], [4, 3, 0]);
    assert.equal(content.added!.length, 1, 'rows limited as asked');
    assert.deepEqual(await s.fullCounts(keyed.from.snapshot_id, keyed.to.snapshot_id), { added: 4, removed: 3 });

    // Reverse direction swaps added and removed.
    const back = await diffVersions(s.catalog, s.id, 'b', 'a', { key: ['id'], engine: s.engine });
    assert.deepEqual([back.rows_added, back.rows_removed, back.rows_modified], [1, 2, 2]);
    // A version against itself: nothing, and nothing read.
    const same = await diffVersions(s.catalog, s.id, 'b', 'b', { key: ['id'], engine: s.engine });
    assert.deepEqual([same.rows_added, same.rows_removed, same.rows_modified, same.files.read_from, same.files.read_to], [0, 0, 0, 0, 0]);
  } finally {
    s.engine.close();
  }
});

test('files both versions share are skipped, and the result equals the full comparison', async () => {
  const s = await setup();
  try {
    const v1 = await s.write("SELECT range AS id, 'x' AS v FROM range(100)");
    await s.write("SELECT range AS id, 'y' AS v FROM range(100, 150)");
    const v2 = await s.write("SELECT range AS id, 'z' AS v FROM range(150, 160)");
    const d = await diffVersions(s.catalog, s.id, v1, v2, { key: ['id'], engine: s.engine });
    assert.deepEqual(d.files, { shared: 1, read_from: 0, read_to: 2 });
    assert.deepEqual([d.rows_added, d.rows_removed, d.rows_modified], [60, 0, 0]);
    // A position delete of the first file: that file is no longer shared (its deletes differ), the others are.
    const v3 = await commitPositionDelete(s.engine, s.catalog, s.id, 'id IN (1, 2)');
    const e = await diffVersions(s.catalog, s.id, v2, v3, { engine: s.engine });
    assert.deepEqual(e.files, { shared: 2, read_from: 1, read_to: 1 });
    assert.deepEqual([e.rows_added, e.rows_removed], [0, 2]);
    assert.deepEqual(await s.fullCounts(v2, v3), { added: 0, removed: 2 });
    // A position delete file naming no single file applies to every older file of its partition: none is shared.
    const v4 = await commitPositionDelete(s.engine, s.catalog, s.id, 'id IN (3, 120)');
    const g = await diffVersions(s.catalog, s.id, v3, v4, { key: ['id'], engine: s.engine });
    assert.deepEqual(g.files, { shared: 0, read_from: 3, read_to: 3 });
    assert.deepEqual([g.rows_added, g.rows_removed, g.rows_modified], [0, 2, 0]);
    const f = await diffVersions(s.catalog, s.id, v1, v3, { engine: s.engine });
    assert.deepEqual(await s.fullCounts(v1, v3), { added: f.rows_added, removed: f.rows_removed });
  } finally {
    s.engine.close();
  }
});

test('across schema changes: compared by field id, changes listed; key columns must be in both', async () => {
  const s = await setup();
  try {
    const v1 = await s.write('SELECT range AS id, CAST(range AS INTEGER) AS qty, range * 2 AS gone FROM range(5)');
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('qty', 'quantity').updateColumnType('quantity', 'long').deleteColumn('gone').addColumn('note', 'string'));
    await commitEqualityDelete(s.engine, s.catalog, s.id, { name: 'id', fieldId: 1, type: 'BIGINT' }, [3]);
    const v2 = await s.write("SELECT 3 AS id, 33 AS quantity, 'changed' AS note UNION ALL SELECT 7, 7, NULL");
    const d = await diffVersions(s.catalog, s.id, v1, v2, { key: ['id'], rows: true, engine: s.engine });
    assert.deepEqual(d.compared_columns, ['id', 'quantity'], 'qty is quantity (same id); gone and note are in one version only');
    assert.deepEqual([d.rows_added, d.rows_removed, d.rows_modified], [1, 0, 1]);
    assert.deepEqual(d.modified, [{ key: { id: 3n }, from: { quantity: 3n }, to: { quantity: 33n } }], 'qty read as int, compared as long');
    assert.deepEqual(
      d.schema_changes.map((c) => [c.change, c.name]),
      [['renamed', 'quantity'], ['promoted', 'quantity'], ['added', 'note'], ['dropped', 'gone']],
    );
    assert.equal(d.from.schema_id + 1, d.to.schema_id);

    const before = (await s.catalog.loadTable(s.id)).metadataLocation;
    await assert.rejects(diffVersions(s.catalog, s.id, v1, v2, { key: ['note'], engine: s.engine }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(diffVersions(s.catalog, s.id, v1, v2, { key: ['gone'], engine: s.engine }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(diffVersions(s.catalog, s.id, 'nope', v2, { engine: s.engine }), (e) => isFloeError(e, 'REF_NOT_FOUND'));
    await assert.rejects(diffVersions(s.catalog, s.id, v1, 99n, { engine: s.engine }), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    assert.equal((await s.catalog.loadTable(s.id)).metadataLocation, before, 'a diff never changes the table');
  } finally {
    s.engine.close();
  }
});

test('the current state and branches read with the current schema, tags and snapshot ids with their own', async () => {
  const s = await setup();
  try {
    await s.write("SELECT range AS id, 'a' AS v FROM range(3)");
    await createVersion(s.catalog, s.id, { name: 'before' });
    const t0 = (await s.catalog.loadTable(s.id)).metadata;
    // A schema change alone makes no snapshot: the current snapshot is still the tagged one.
    await alterTable(s.catalog, s.id, (u) => u.addColumn('note', 'string').renameColumn('v', 'value'));
    const now = await diffVersions(s.catalog, s.id, 'before', {}, { key: ['id'], engine: s.engine });
    assert.equal(now.to.snapshot_id, now.from.snapshot_id);
    assert.equal(now.to.schema_id, t0['current-schema-id'] + 1, 'current: the schema the table has now');
    assert.equal(now.from.schema_id, t0['current-schema-id'], 'a tag: its snapshot schema');
    assert.deepEqual(now.schema_changes.map((c) => [c.change, c.name]), [['renamed', 'value'], ['added', 'note']]);
    assert.deepEqual([now.rows_added, now.rows_removed, now.rows_modified], [0, 0, 0]);
    // The main branch is the current state; a snapshot id is a point in history.
    const main = await diffVersions(s.catalog, s.id, 'main', {}, { engine: s.engine });
    assert.deepEqual(main.schema_changes, []);
    const byId = await diffVersions(s.catalog, s.id, now.from.snapshot_id, 'main', { engine: s.engine });
    assert.equal(byId.schema_changes.length, 2);
  } finally {
    s.engine.close();
  }
});

test('a key that is not unique among the compared rows is DUPLICATE_KEY', async () => {
  const s = await setup();
  try {
    const v1 = await s.write("SELECT range AS id, range % 2 AS parity FROM range(6)");
    await commitPositionDelete(s.engine, s.catalog, s.id, 'id = 0');
    const v2 = await s.write('SELECT 6 AS id, 0 AS parity');
    await assert.rejects(diffVersions(s.catalog, s.id, v1, v2, { key: ['parity'], engine: s.engine }), (e) => isFloeError(e, 'DUPLICATE_KEY'));
    const ok = await diffVersions(s.catalog, s.id, v1, v2, { key: ['id'], engine: s.engine });
    assert.deepEqual([ok.rows_added, ok.rows_removed], [1, 1]);
  } finally {
    s.engine.close();
  }
});
