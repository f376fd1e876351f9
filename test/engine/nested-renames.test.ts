/**
 * Struct members are found by field id at every depth (spec "Column Projection"): after renames of members in
 * structs, in list elements and in map values, after a member is dropped and another added under its name, and after
 * two members swap names, files written before read the right values under the new names, with and without delete
 * files, next to files written after; time travel reads the old names.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { membersMayDiffer } from '../../src/engine/nested-renames.js';
import { SqlSession } from '../../src/engine/sql-session.js';
import { MemoryCatalog } from '../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { currentSchema } from '../../src/iceberg/spec/table-metadata.js';
import { alterTable } from '../../src/iceberg/table/alter-table.js';
import { deleteRows } from '../../src/warehouses/iceberg/row-level/delete-rows.js';
import { writeIceberg } from '../../src/warehouses/iceberg/iceberg-writer.js';

async function setup(formatVersion: 2 | 3 = 2) {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-nested-renames-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string) => BigInt((await writeIceberg({ table: 'db.t', format_version: formatVersion }, { sql }, {}, { catalog, engine })).snapshot_id);
  const session = await SqlSession.open({ engine, catalog });
  const json = async (sql: string) => (await session.execute(sql)).json;
  return { catalog, engine, id, write, json };
}

const FIRST =
  "SELECT 1 AS id, {'lat': 1.5, 'lon': 2.5, 'inner': {'a': 1, 'b': 'x'}} AS loc, [{'p': 1, 'q': 2}] AS pts, MAP {'k': {'m': 7}} AS mp " +
  "UNION ALL SELECT 2, NULL, NULL, NULL UNION ALL SELECT 3, {'lat': 5.5, 'lon': 6.5, 'inner': NULL}, [], MAP {}";

test('renamed members in structs, list elements and map values read by id, with and without deletes', async () => {
  const s = await setup();
  try {
    const before = await s.write(FIRST);
    await alterTable(s.catalog, s.id, (u) =>
      u.renameColumn('loc.lat', 'latitude').renameColumn('loc.inner.a', 'alpha').renameColumn('pts.p', 'pp').renameColumn('mp.value.m', 'mm'),
    );
    await s.write("SELECT 4 AS id, {'latitude': 3.5, 'lon': 4.5, 'inner': {'alpha': 2, 'b': 'y'}} AS loc, [{'pp': 3, 'q': 4}] AS pts, MAP {'k': {'mm': 8}} AS mp");
    const expected = [
      [1, { latitude: 1.5, lon: 2.5, inner: { alpha: 1, b: 'x' } }, [{ pp: 1, q: 2 }], { k: { mm: 7 } }],
      [2, null, null, null],
      [3, { latitude: 5.5, lon: 6.5, inner: null }, [], {}],
      [4, { latitude: 3.5, lon: 4.5, inner: { alpha: 2, b: 'y' } }, [{ pp: 3, q: 4 }], { k: { mm: 8 } }],
    ];
    assert.deepEqual(await s.json('SELECT * FROM db.t ORDER BY id'), expected);
    // Filters and projections of renamed members.
    assert.deepEqual(await s.json('SELECT id FROM db.t WHERE loc.latitude > 1 AND loc.inner.alpha IS NOT NULL ORDER BY id'), [[1], [4]]);
    assert.deepEqual(await s.json("SELECT id, pts[1].pp, mp['k'].mm FROM db.t WHERE id IN (1, 4) ORDER BY id"), [[1, 1, 7], [4, 3, 8]]);
    // Time travel reads with the old names.
    assert.deepEqual(await s.json(`SELECT loc.lat, pts[1].p FROM iceberg_scan('db.t', snapshot_from_id=${before}) WHERE id = 1`), [[1.5, 1]]);
    // With a merge-on-read delete the files are read through the general path (anti join), renamed the same way.
    await deleteRows(s.catalog, s.id, 'id = 3', { engine: s.engine, mode: 'merge-on-read' });
    assert.deepEqual(await s.json('SELECT * FROM db.t ORDER BY id'), [expected[0], expected[1], expected[3]]);
    // Copy-on-write rewrites an old file: the rows it keeps are written under the new names with their values.
    await deleteRows(s.catalog, s.id, 'id = 2', { engine: s.engine, mode: 'copy-on-write' });
    assert.deepEqual(await s.json('SELECT * FROM db.t ORDER BY id'), [expected[0], expected[3]]);
    // An upsert of row 1 carrying only its key keeps the row's other values, read from the old file by id.
    const up = await writeIceberg({ table: 'db.t', write_mode: 'upsert', key_columns: ['id'] }, { sql: 'SELECT 1 AS id' }, {}, { catalog: s.catalog, engine: s.engine });
    assert.equal(up.rows_updated, 1);
    assert.deepEqual(await s.json('SELECT * FROM db.t ORDER BY id'), [expected[0], expected[3]]);
  } finally {
    s.engine.close();
  }
});

test('a member dropped and another added under its name reads NULL in old files; swapped names follow ids', async () => {
  const s = await setup();
  try {
    await s.write("SELECT 1 AS id, {'a': 10, 'b': 20, 'c': 30} AS st");
    await alterTable(s.catalog, s.id, (u) => u.deleteColumn('st.c').addColumn(['st', 'c'], 'long'));
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('st.a', 'tmp').renameColumn('st.b', 'a').renameColumn('st.tmp', 'b'));
    await s.write("SELECT 2 AS id, {'b': 11, 'a': 21, 'c': 31} AS st");
    assert.deepEqual(await s.json('SELECT id, st.a, st.b, st.c FROM db.t ORDER BY id'), [
      [1, 20, 10, null],
      [2, 21, 11, 31],
    ]);
  } finally {
    s.engine.close();
  }
});

test('a renamed member next to a v3 member default: both apply to old files', async () => {
  const s = await setup(3);
  try {
    await s.write("SELECT 1 AS id, {'x': 1} AS st");
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('st.x', 'y').addColumn(['st', 'z'], 'int', { initialDefault: 5 }));
    await s.write("SELECT 2 AS id, {'y': 2, 'z': 6} AS st");
    assert.deepEqual(await s.json('SELECT id, st.y, st.z FROM db.t ORDER BY id'), [
      [1, 1, 5],
      [2, 2, 6],
    ]);
  } finally {
    s.engine.close();
  }
});

test('only tables whose schemas disagree on struct members inspect their files', async () => {
  const s = await setup();
  try {
    await s.write("SELECT 1 AS id, {'x': 1} AS st");
    const md = async () => (await s.catalog.loadTable(s.id)).metadata;
    assert.equal(membersMayDiffer(await md(), currentSchema(await md())), false);
    await alterTable(s.catalog, s.id, (u) => u.addColumn('note', 'string'));
    assert.equal(membersMayDiffer(await md(), currentSchema(await md())), false, 'a top-level change does not count');
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('st.x', 'y'));
    assert.equal(membersMayDiffer(await md(), currentSchema(await md())), true);
  } finally {
    s.engine.close();
  }
});
