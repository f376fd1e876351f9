/**
 * alterTable on a real table: after each schema change, old snapshots' files read under the new schema by field id
 * (spec "Column Projection"), and a write with the new schema lands and reads back.
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
import { currentSchema } from '../../../src/iceberg/spec/table-metadata.js';
import { alterTable } from '../../../src/iceberg/table/alter-table.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';

async function setup(formatVersion: 2 | 3) {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-alter-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string) =>
    BigInt((await writeIceberg({ table: 'db.t', format_version: formatVersion }, { sql }, {}, { catalog, engine })).snapshot_id);
  const read = async (snapshotId?: bigint) => {
    const table = tableOf(await catalog.loadTable(id));
    const { rows } = await scanTable(engine, table, { ...(snapshotId === undefined ? {} : { snapshotId }), orderBy: 'k' });
    return rows.map((r) => ({ ...r }));
  };
  const schema = async () => currentSchema((await catalog.loadTable(id)).metadata);
  return { catalog, engine, id, write, read, schema, close: () => engine.close() };
}

test('v3: add a column with an initial default, rename, promote, drop, reorder; old and new rows read by id', async () => {
  const s = await setup(3);
  try {
    const s1 = await s.write('SELECT 1::BIGINT AS k, 10::INTEGER AS n, \'a\' AS name UNION ALL SELECT 2, 20, \'b\'');
    assert.equal((await s.catalog.loadTable(s.id)).metadata['format-version'], 3);

    await alterTable(s.catalog, s.id, (u) => u.addColumn('score', 'int', { initialDefault: 7 }));
    assert.deepEqual(await s.read(), [
      { k: 1n, n: 10, name: 'a', score: 7 },
      { k: 2n, n: 20, name: 'b', score: 7 },
    ], 'old files read their initial default under the new schema');
    assert.deepEqual(Object.keys((await s.read(s1))[0]), ['k', 'n', 'name'], 'time travel reads the snapshot schema');
    const s2 = await s.write('SELECT 3::BIGINT AS k, 30::INTEGER AS n, \'c\' AS name, 99::INTEGER AS score');
    assert.deepEqual((await s.read(s2)).map((r) => r.score), [7, 7, 99]);

    await alterTable(s.catalog, s.id, (u) => u.renameColumn('name', 'label'));
    assert.deepEqual((await s.read()).map((r) => r.label), ['a', 'b', 'c'], 'renamed column keeps its values by id');
    assert.equal('name' in (await s.read())[0], false);
    assert.deepEqual((await s.read(s1)).map((r) => r.name), ['a', 'b'], 'the old snapshot keeps its old name');

    await alterTable(s.catalog, s.id, (u) => u.updateColumnType('n', 'long'));
    assert.deepEqual((await s.read()).map((r) => r.n), [10n, 20n, 30n], 'promoted int reads as long');
    const s3 = await s.write('SELECT 4::BIGINT AS k, 5000000000::BIGINT AS n, \'d\' AS label, 1::INTEGER AS score');
    assert.deepEqual((await s.read(s3)).map((r) => r.n), [10n, 20n, 30n, 5000000000n]);

    await alterTable(s.catalog, s.id, (u) => u.deleteColumn('score').moveFirst('label'));
    const rows = await s.read();
    assert.deepEqual(Object.keys(rows[0]), ['label', 'k', 'n']);
    assert.deepEqual(rows.map((r) => r.label), ['a', 'b', 'c', 'd']);
    const s4 = await s.write('SELECT \'e\' AS label, 5::BIGINT AS k, 50::BIGINT AS n');
    assert.deepEqual((await s.read(s4)).map((r) => [r.label, r.k, r.n]).at(-1), ['e', 5n, 50n]);

    // Re-adding a dropped name gets a new id: old values do not come back.
    await alterTable(s.catalog, s.id, (u) => u.addColumn('score', 'int'));
    assert.deepEqual((await s.read()).map((r) => r.score), [null, null, null, null, null]);
    const sc = await s.schema();
    assert.equal(sc.fields.find((f) => f.name === 'score')!.id, 5);
    assert.equal((await s.catalog.loadTable(s.id)).metadata['last-column-id'], 5);
  } finally {
    s.close();
  }
});

test('v2: a plain optional column reads as null for old rows; v3 defaults and unsafe changes are refused', async () => {
  const s = await setup(2);
  try {
    const s1 = await s.write('SELECT 1::BIGINT AS k, 1::INTEGER AS n');
    await alterTable(s.catalog, s.id, (u) => u.addColumn('note', 'string', { doc: 'free text' }));
    assert.deepEqual(await s.read(), [{ k: 1n, n: 1, note: null }]);
    assert.deepEqual(await s.read(s1), [{ k: 1n, n: 1 }]);
    const s2 = await s.write("SELECT 2::BIGINT AS k, 2::INTEGER AS n, 'x' AS note");
    assert.deepEqual(await s.read(s2), [{ k: 1n, n: 1, note: null }, { k: 2n, n: 2, note: 'x' }]);
    assert.equal((await s.schema()).fields[2].doc, 'free text');

    await assert.rejects(alterTable(s.catalog, s.id, (u) => u.addColumn('d', 'int', { initialDefault: 1 })), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(alterTable(s.catalog, s.id, (u) => u.addColumn('d', 'int', { required: true })), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(alterTable(s.catalog, s.id, (u) => u.updateColumnType('k', 'int')), (e) => isFloeError(e, 'INVALID_ARGUMENT') && e.context.from === 'long');
    await assert.rejects(alterTable(s.catalog, s.id, (u) => u.renameColumn('n', 'k')), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    assert.equal((await s.catalog.loadTable(s.id)).metadata.schemas.length, 2, 'refused changes commit nothing');
  } finally {
    s.close();
  }
});

test('a schema change planned on a stale schema conflicts instead of overwriting', async () => {
  const s = await setup(2);
  try {
    await s.write('SELECT 1::BIGINT AS k');
    let calls = 0;
    await alterTable(s.catalog, s.id, (u) => {
      calls++;
      u.addColumn(`c${calls}`, 'int');
    });
    // A stale change (planned on the previous schema) conflicts instead of overwriting.
    const { schemaChangeUpdates } = await import('../../../src/iceberg/spec/schema-update.js');
    const { metadata } = await s.catalog.loadTable(s.id);
    await alterTable(s.catalog, s.id, (u) => u.addColumn('b', 'string'));
    const stale = schemaChangeUpdates(metadata, (u) => u.addColumn('z', 'string'));
    await assert.rejects(s.catalog.commitTable({ identifier: s.id, ...stale }), (e) => isFloeError(e, 'COMMIT_CONFLICT'));
    assert.deepEqual((await s.schema()).fields.map((f) => [f.name, f.id]), [['k', 1], ['c1', 2], ['b', 3]]);
  } finally {
    s.close();
  }
});
