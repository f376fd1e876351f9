/**
 * Branches and tags: create with retention, read as of a ref, writes to a branch, fast-forward, rollback,
 * set-current-snapshot, replace and drop, with the codes for refusals.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { SqlSession } from '../../../src/engine/sql-session.js';
import { isFloeError } from '../../../src/errors.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { alterTable } from '../../../src/iceberg/table/alter-table.js';
import { createRef, dropRef, fastForward, replaceRef, rollbackTo, setCurrentSnapshot } from '../../../src/iceberg/table/refs.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { readEverySnapshot } from '../../helpers/read-every-snapshot.js';

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-refs-')) });
  const engine = await Engine.create();
  const config: IcebergWriterConfig = { table: 'db.t' };
  const write = async (sql: string, branch?: string) =>
    BigInt((await writeIceberg({ ...config, ...(branch ? { branch } : {}) }, { sql }, {}, { catalog, engine })).snapshot_id);
  const session = await SqlSession.open({ engine, catalog });
  const count = async (params = '') =>
    Number((await session.execute(`SELECT count(*) FROM iceberg_scan('db.t'${params})`)).text[0][0]);
  const id = { namespace: ['db'], name: 't' };
  const close = async () => {
    // Every snapshot written here reads back, with counts matching its summary.
    const { tableOf } = await import('../../../src/iceberg/table/commit.js');
    await readEverySnapshot(engine, tableOf(await catalog.loadTable(id)));
    engine.close();
  };
  return { catalog, engine, write, count, id, close };
}

test('tags and branches: read as of a ref, write to a branch, fast-forward main', async () => {
  const s = await setup();
  try {
    const s1 = await s.write('SELECT range AS id FROM range(10)');
    await createRef(s.catalog, s.id, 'v1', 'tag', { maxRefAgeMs: 86_400_000n });
    await createRef(s.catalog, s.id, 'dev', 'branch', { minSnapshotsToKeep: 2 });
    const md = (await s.catalog.loadTable(s.id)).metadata;
    assert.deepEqual(md.refs.v1, { 'snapshot-id': s1, type: 'tag', 'max-ref-age-ms': 86_400_000n });
    assert.equal(md.refs.dev['min-snapshots-to-keep'], 2);
    const d1 = await s.write('SELECT 100 AS id', 'dev');
    assert.equal(await s.count(), 10, 'main is untouched by a write to dev');
    assert.equal(await s.count(", ref='dev'"), 11);
    assert.equal(await s.count(", ref='v1'"), 10);
    await fastForward(s.catalog, s.id, 'main', 'dev');
    assert.equal(await s.count(), 11);
    assert.equal((await s.catalog.loadTable(s.id)).metadata['current-snapshot-id'], d1);
    await assert.rejects(s.write('SELECT 1 AS id', 'v1'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(s.write('SELECT 1 AS id', 'nope'), (e) => isFloeError(e, 'REF_NOT_FOUND'));
  } finally {
    await s.close();
  }
});

test('rollback, set-current, replace and drop', async () => {
  const s = await setup();
  try {
    const a = await s.write('SELECT range AS id FROM range(3)');
    const b = await s.write('SELECT 10 AS id');
    await rollbackTo(s.catalog, s.id, a);
    assert.equal(await s.count(), 3);
    await assert.rejects(rollbackTo(s.catalog, s.id, b), (e) => isFloeError(e, 'INVALID_ARGUMENT'), 'b is no ancestor of a');
    await setCurrentSnapshot(s.catalog, s.id, b);
    assert.equal(await s.count(), 4);
    await createRef(s.catalog, s.id, 'pin', 'tag', { snapshotId: a });
    await assert.rejects(createRef(s.catalog, s.id, 'pin', 'tag'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await replaceRef(s.catalog, s.id, 'pin', b);
    assert.equal(await s.count(", ref='pin'"), 4);
    await dropRef(s.catalog, s.id, 'pin');
    await assert.rejects(s.count(", ref='pin'"), (e) => isFloeError(e, 'REF_NOT_FOUND'));
    await assert.rejects(dropRef(s.catalog, s.id, 'main'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(fastForward(s.catalog, s.id, 'main', 'nope'), (e) => isFloeError(e, 'REF_NOT_FOUND'));
    const snaps = await s.count(`, snapshot_from_id=${a}`);
    assert.equal(snaps, 3);
  } finally {
    await s.close();
  }
});

test('after a schema change, a branch reads with the table schema and a tag with its snapshot schema', async () => {
  const s = await setup();
  try {
    const first = await s.write("SELECT range AS id, 'a' AS v FROM range(3)");
    await createRef(s.catalog, s.id, 'dev', 'branch');
    await createRef(s.catalog, s.id, 'v1', 'tag');
    await alterTable(s.catalog, s.id, (u) => u.renameColumn('v', 'value').addColumn('note', 'string'));
    const session = await SqlSession.open({ engine: s.engine, catalog: s.catalog });
    const columns = async (params: string) =>
      (await session.execute(`SELECT * FROM iceberg_scan('db.t'${params}) ORDER BY id LIMIT 1`)).columns.map((c) => c.name);
    assert.deepEqual(await columns(", ref='dev'"), ['id', 'value', 'note'], 'a branch: the schema its next commit is written with');
    assert.deepEqual(await columns(''), ['id', 'value', 'note']);
    assert.deepEqual(await columns(", ref='v1'"), ['id', 'v'], 'a tag: the schema of its snapshot');
    assert.deepEqual(await columns(`, snapshot_from_id=${first}`), ['id', 'v']);
  } finally {
    await s.close();
  }
});
