/**
 * The iceberg.writer contract end to end on the embedded default (SQLite catalog, local warehouse): create on
 * first write, append, overwrite, dynamic partition overwrite, JS rows, metrics and events, bad input.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { isFloeError } from '../../../src/errors.js';
import { openCatalog, parseTableName } from '../../../src/iceberg/catalog/open-catalog.js';
import { normalizeFloeConfig } from '../../../src/config/floe-config.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../src/warehouses/iceberg/iceberg-writer.js';
import { readEverySnapshot } from '../../helpers/read-every-snapshot.js';

function setup(extra: Partial<IcebergWriterConfig> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'floe-writer-'));
  const config: IcebergWriterConfig = {
    catalog: 'sql',
    catalog_config: { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'warehouse') },
    table: 'analytics.events',
    ...extra,
  };
  const read = async (snapshotId?: bigint) => {
    const catalog = await openCatalog(normalizeFloeConfig({ catalog: config.catalog, catalog_config: config.catalog_config }));
    const engine = await Engine.create();
    try {
      const t = tableOf(await catalog.loadTable(parseTableName(config.table)));
      const { rows } = await scanTable(engine, t, { ...(snapshotId === undefined ? {} : { snapshotId }), orderBy: 'id' });
      // Every snapshot of every table written here reads back, with counts matching its summary.
      await readEverySnapshot(engine, t);
      return { rows, table: t };
    } finally {
      engine.close();
      await catalog.close();
    }
  };
  return { dir, config, read };
}

test('a first write creates the table; appends add snapshots; results follow the contract', async () => {
  const s = setup({ partition_spec: [{ field: 'day', transform: 'identity' }] });
  const metrics: Array<[string, number]> = [];
  const events: Array<[string, Record<string, unknown>]> = [];
  const ctx = { log_metric: (n: string, v: number) => metrics.push([n, v]), emit: (e: string, p: Record<string, unknown>) => events.push([e, p]) };
  const r1 = await writeIceberg(s.config, { sql: "SELECT range AS id, 'e' || range AS name, (DATE '2026-01-01' + (range % 3)::INTEGER) AS day FROM range(1000)" }, ctx);
  assert.equal(r1.rows_written, 1000);
  assert.ok(r1.files_written >= 3, 'one file per partition at least');
  assert.match(r1.snapshot_id, /^\d+$/);
  assert.ok(r1.table_location.endsWith(join('analytics', 'events')) || r1.table_location.includes('analytics'));
  assert.deepEqual(metrics, [['rows_written', 1000], ['files_written', r1.files_written]]);
  assert.equal(events[0][0], 'iceberg.write.complete');
  assert.equal(events[0][1].snapshot_id, r1.snapshot_id);
  const r2 = await writeIceberg(s.config, { rows: [{ id: 5000, name: 'x', day: '2026-01-02' }] });
  assert.equal(r2.rows_written, 1);
  const now = await s.read();
  assert.equal(now.rows.length, 1001);
  assert.equal((await s.read(BigInt(r1.snapshot_id))).rows.length, 1000);
  assert.equal(now.table.metadata['partition-specs'][0].fields[0].transform, 'identity');
});

test('overwrite replaces the table; overwrite_partitions replaces only touched partitions', async () => {
  const s = setup({ partition_spec: [{ field: 'p', transform: 'identity' }] });
  await writeIceberg(s.config, { sql: 'SELECT range AS id, (range % 2)::INTEGER AS p FROM range(10)' });
  await writeIceberg({ ...s.config, write_mode: 'overwrite', overwrite_partitions: true }, { sql: 'SELECT 100 AS id, 0 AS p' });
  let rows = (await s.read()).rows;
  assert.deepEqual(rows.map((r) => Number(r.id)), [1, 3, 5, 7, 9, 100]);
  await writeIceberg({ ...s.config, write_mode: 'overwrite' }, { sql: 'SELECT 7 AS id, 1 AS p' });
  rows = (await s.read()).rows;
  assert.deepEqual(rows.map((r) => Number(r.id)), [7]);
});

test('a schema mismatch is SCHEMA_MISMATCH with differences; nothing is committed or left behind', async () => {
  const s = setup();
  await writeIceberg(s.config, { sql: 'SELECT 1 AS id, 2.5 AS amount' });
  const before = await s.read();
  const files = () => readdirSync(join(before.table.location, 'data'), { recursive: true }).length;
  const n = files();
  await assert.rejects(writeIceberg(s.config, { sql: "SELECT 'x' AS name" }), (e) => {
    assert.ok(isFloeError(e, 'SCHEMA_MISMATCH'));
    assert.ok(Array.isArray(e.context.differences) && e.context.differences.length > 0);
    return true;
  });
  const after = await s.read();
  assert.equal(after.table.metadata.snapshots.length, before.table.metadata.snapshots.length);
  assert.equal(files(), n);
});

test('bad input: unsafe table names, bad partition expressions, upsert not supported yet, unknown table without create', async () => {
  const s = setup();
  for (const table of ['a.b"c', 'a;b.c', 'a..b', 'a/b.c', 'nonamespace']) {
    await assert.rejects(writeIceberg({ ...s.config, table }, { sql: 'SELECT 1 AS id' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  }
  await assert.rejects(
    writeIceberg({ ...s.config, partition_spec: [{ field: 'nope', transform: 'day' }] }, { sql: 'SELECT 1 AS id' }),
    (e) => isFloeError(e, 'INVALID_ARGUMENT'),
  );
  await assert.rejects(
    writeIceberg({ ...s.config, partition_spec: [{ field: 'id', transform: 'day' }] }, { sql: 'SELECT 1 AS id' }),
    (e) => isFloeError(e, 'INVALID_ARGUMENT'),
  );
  await assert.rejects(writeIceberg({ ...s.config, write_mode: 'upsert' }, { sql: 'SELECT 1 AS id' }), (e) => isFloeError(e, 'CONFIG_INVALID')); // upsert needs key_columns
  await assert.rejects(writeIceberg({ ...s.config, create: false }, { sql: 'SELECT 1 AS id' }), (e) => isFloeError(e, 'TABLE_NOT_FOUND'));
  assert.equal(existsSync(join(s.dir, 'warehouse', 'analytics', 'events', 'metadata')), false, 'no partial table');
});

test('overwrite_filter replaces the partitions the filter selects; other filters replace the matching rows', async () => {
  const s = setup({ partition_spec: [{ field: 'region', transform: 'identity' }] });
  await writeIceberg(s.config, { sql: "SELECT range AS id, CASE WHEN range < 5 THEN 'eu' ELSE 'us' END AS region FROM range(10)" });
  const over = { ...s.config, write_mode: 'overwrite' as const, overwrite_filter: "region = 'eu'" };
  const byPartition = await writeIceberg(over, { sql: "SELECT 100 AS id, 'eu' AS region" });
  let now = await s.read();
  assert.deepEqual(now.rows.map((r) => Number(r.id)), [5, 6, 7, 8, 9, 100]);
  assert.equal(now.table.metadata.snapshots.at(-1)!.summary['floe.overwrite-filter'], "region = 'eu'");
  assert.equal(byPartition.rows_written, 1);
  await assert.rejects(writeIceberg(over, { sql: "SELECT 200 AS id, 'us' AS region" }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  // A filter on a column that is not an identity partition: the matching rows are deleted row by row.
  const rows = await writeIceberg({ ...over, overwrite_filter: 'id > 7' }, { sql: "SELECT 300 AS id, 'us' AS region" });
  assert.equal(rows.rows_written, 1);
  now = await s.read();
  assert.deepEqual(now.rows.map((r) => Number(r.id)), [5, 6, 7, 300]);
  const last = now.table.metadata.snapshots.at(-1)!;
  assert.equal(last.summary['floe.overwrite-filter'], 'id > 7');
  assert.equal(last['snapshot-id'].toString(), rows.snapshot_id);
  // Rows outside the filter, or an unknown column, are refused with the table untouched.
  const before = now.table.metadata['current-snapshot-id'];
  await assert.rejects(writeIceberg({ ...over, overwrite_filter: 'id > 7' }, { sql: "SELECT 1 AS id, 'us' AS region" }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  await assert.rejects(writeIceberg({ ...over, overwrite_filter: 'nope > 7' }, { sql: "SELECT 9 AS id, 'us' AS region" }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.equal((await s.read()).table.metadata['current-snapshot-id'], before, 'refused overwrites changed nothing');
});

test('overwrite_filter on an unpartitioned merge-on-read table writes deletes and the new rows in one snapshot', async () => {
  const s = setup({ format_version: 3, properties: { 'write.delete.mode': 'merge-on-read' } });
  await writeIceberg(s.config, { sql: 'SELECT range AS id, range * 10 AS v FROM range(20)' });
  const r = await writeIceberg(
    { ...s.config, write_mode: 'overwrite', overwrite_filter: 'v BETWEEN 50 AND 120' },
    { sql: 'SELECT 500 + range AS id, 60 AS v FROM range(3)' },
  );
  const now = await s.read();
  const expected = [...Array.from({ length: 20 }, (_, i) => i).filter((i) => i * 10 < 50 || i * 10 > 120), 500, 501, 502];
  assert.deepEqual(now.rows.map((r2) => Number(r2.id)), expected);
  const last = now.table.metadata.snapshots.at(-1)!;
  assert.equal(last['snapshot-id'].toString(), r.snapshot_id);
  assert.equal(last.summary['added-dvs'], '1');
  assert.equal(last.summary['added-records'], '3');
});

test('schema_evolution permissive adds new columns and promotes safely; incompatible data is SCHEMA_MISMATCH', async () => {
  const s = setup();
  await writeIceberg(s.config, { sql: 'SELECT 1::INTEGER AS id, 2.5::FLOAT AS amount' });
  // Strict (the default): a new column is a mismatch.
  await assert.rejects(writeIceberg(s.config, { sql: "SELECT 2 AS id, 1.0::FLOAT AS amount, 'eu' AS region" }), (e) => isFloeError(e, 'SCHEMA_MISMATCH'));
  const permissive = { ...s.config, schema_evolution: { enabled: true, mode: 'permissive' as const } };
  await writeIceberg(permissive, { sql: "SELECT 3::BIGINT AS id, 1.5::DOUBLE AS amount, 'eu' AS region" });
  const now = await s.read();
  const schema = now.table.metadata.schemas.find((x) => x['schema-id'] === now.table.metadata['current-schema-id'])!;
  assert.deepEqual(schema.fields.map((f) => [f.name, f.type]), [['id', 'long'], ['amount', 'double'], ['region', 'string']]);
  assert.deepEqual(now.rows.map((r) => [Number(r.id), r.region]), [[1, null], [3, 'eu']]);
  await assert.rejects(writeIceberg(permissive, { sql: "SELECT 'x' AS id" }), (e) => {
    assert.ok(isFloeError(e, 'SCHEMA_MISMATCH'));
    assert.ok(Array.isArray(e.context.differences) && e.context.differences.length > 0);
    return true;
  });
  assert.equal((await s.read()).rows.length, 2);
});
