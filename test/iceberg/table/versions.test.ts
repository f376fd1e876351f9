/**
 * Versions: createVersion tags the current or a given snapshot (generated or given name, retention), listVersions
 * shows them, resolveVersion reads names, ids and times, and iceberg_scan reads as of versions made this way.
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
import { createVersion, listVersions, parseVersionTime, resolveVersion } from '../../../src/iceberg/table/versions.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-versions-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string) => BigInt((await writeIceberg({ table: 'db.t' }, { sql }, {}, { catalog, engine })).snapshot_id);
  const session = await SqlSession.open({ engine, catalog });
  const count = async (params = '') => Number((await session.execute(`SELECT count(*) FROM iceberg_scan('db.t'${params})`)).text[0][0]);
  const md = async () => (await catalog.loadTable(id)).metadata;
  return { catalog, engine, id, write, count, md };
}

test('createVersion tags the current snapshot under a generated name, and reads as of it', async () => {
  const s = await setup();
  try {
    const first = await s.write('SELECT range AS id FROM range(10)');
    const v = await createVersion(s.catalog, s.id);
    assert.match(v.version, /^v-\d{8}T\d{9}Z$/);
    assert.equal(v.snapshot_id, first);
    const again = await createVersion(s.catalog, s.id);
    assert.notEqual(again.version, v.version, 'a second generated name in the same millisecond is made unique');
    await s.write('SELECT range AS id FROM range(10, 15)');
    assert.equal(await s.count(), 15);
    assert.equal(await s.count(`, ref='${v.version}'`), 10);
    assert.equal((await (await s.md()).refs[v.version]).type, 'tag');
  } finally {
    s.engine.close();
  }
});

test('createVersion with a name, a snapshot and a retention; listVersions; refusals change nothing', async () => {
  const s = await setup();
  try {
    const a = await s.write('SELECT range AS id FROM range(3)');
    const b = await s.write('SELECT range AS id FROM range(3, 5)');
    const day = 86_400_000n;
    assert.deepEqual(await createVersion(s.catalog, s.id, { name: 'first', snapshotId: a, maxRefAgeMs: 30n * day }), { version: 'first', snapshot_id: a });
    assert.deepEqual(await createVersion(s.catalog, s.id, { name: 'second' }), { version: 'second', snapshot_id: b });
    const before = await s.md();
    await assert.rejects(createVersion(s.catalog, s.id, { name: 'first' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(createVersion(s.catalog, s.id, { name: 'x', snapshotId: 12345n }), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    await assert.rejects(createVersion(s.catalog, s.id, { name: ' ' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    assert.deepEqual(Object.keys((await s.md()).refs).sort(), Object.keys(before.refs).sort(), 'refusals add no ref');

    const list = listVersions(await s.md());
    assert.deepEqual(list.map((v) => [v.version, v.snapshot_id, v.row_count]), [['first', a, 3n], ['second', b, 5n]]);
    assert.equal(list[0].max_ref_age_ms, 30n * day);
    const snapA = (await s.md()).snapshots.find((x) => x['snapshot-id'] === a)!;
    assert.equal(list[0].expires_at, new Date(Number(snapA['timestamp-ms'] + 30n * day)).toISOString());
    assert.equal(list[1].expires_at, null);
    assert.equal(await s.count(", ref='first'"), 3);
    assert.equal(await s.count(`, snapshot_from_id=${b}`), 5);
  } finally {
    s.engine.close();
  }
});

test('resolveVersion: names, snapshot ids and ISO times; unknown ones are REF_NOT_FOUND / SNAPSHOT_NOT_FOUND', async () => {
  const s = await setup();
  try {
    const a = await s.write('SELECT 1 AS id');
    await new Promise((r) => setTimeout(r, 20));
    const b = await s.write('SELECT 2 AS id');
    await createVersion(s.catalog, s.id, { name: 'v1', snapshotId: a });
    const md = await s.md();
    const tb = md.snapshots.find((x) => x['snapshot-id'] === b)!['timestamp-ms'];
    assert.equal(resolveVersion(md, 'v1')['snapshot-id'], a);
    assert.equal(resolveVersion(md, a.toString())['snapshot-id'], a);
    assert.equal(resolveVersion(md, b)['snapshot-id'], b);
    assert.equal(resolveVersion(md, new Date(Number(tb) - 1).toISOString())['snapshot-id'], a);
    assert.equal(resolveVersion(md, new Date(Number(tb)).toISOString())['snapshot-id'], b);
    assert.equal(resolveVersion(md, { asOfTimestampMs: tb })['snapshot-id'], b);
    // As of a version's time, iceberg_scan reads that version.
    assert.equal(await s.count(`, snapshot_from_timestamp='${new Date(Number(tb) - 1).toISOString()}'`), 1);
    assert.throws(() => resolveVersion(md, 'nope'), (e) => isFloeError(e, 'REF_NOT_FOUND'));
    assert.throws(() => resolveVersion(md, '42'), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    assert.throws(() => resolveVersion(md, '2000-01-01'), (e) => isFloeError(e, 'SNAPSHOT_NOT_FOUND'));
    assert.equal(parseVersionTime('2026-11-22'), BigInt(Date.UTC(2026, 10, 22)));
    assert.equal(parseVersionTime('2026-11-22 10:00:00+01:00'), BigInt(Date.UTC(2026, 10, 22, 9)));
    assert.equal(parseVersionTime('yesterday'), undefined);
  } finally {
    s.engine.close();
  }
});
