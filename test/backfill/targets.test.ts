/**
 * Backfill targets on their own: one window = one commit carrying the run/window/plan ids, a second commit of the
 * same window refused at commit time, reconciliation of what was written, overwrite of a window's range, the
 * quarantine, and the DuckDB target's transactional window record.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { normalizeFloeConfig } from '../../src/config/floe-config.js';
import { openCatalog } from '../../src/iceberg/catalog/open-catalog.js';
import { isFloeError } from '../../src/errors.js';
import { IcebergTarget } from '../../src/backfill/iceberg-target.js';
import { DuckdbTarget } from '../../src/backfill/duckdb-target.js';
import { quarantineRelation } from '../../src/backfill/quarantine.js';
import { isAlreadyCommitted, SUMMARY_RUN_ID, SUMMARY_WINDOW_ID } from '../../src/backfill/window-commits.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { scanTable } from '../../src/engine/table-scan.js';

const COLUMNS = [
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'name', type: 'VARCHAR', nullable: true },
  { name: 'amount', type: 'DECIMAL(12,2)', nullable: true },
];

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bf-targets-'));
  const config = normalizeFloeConfig({ catalog: 'sql', catalog_config: { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') } });
  const catalog = await openCatalog(config);
  const engine = await Engine.create();
  const rows = async (name: string, from: number, to: number) => {
    await engine.run(`CREATE OR REPLACE TABLE ${name} AS SELECT i::BIGINT AS id, 'n' || i AS name, (i * 1.5)::DECIMAL(12,2) AS amount FROM range(${from}, ${to}) r(i)`);
  };
  return {
    dir,
    catalog,
    engine,
    rows,
    async close() {
      engine.close();
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test('iceberg target: a window is one commit with run/window ids; committing it again is refused', async () => {
  const s = await setup();
  try {
    const target = await IcebergTarget.open(s.catalog, 'bf.t', COLUMNS, 'append');
    await s.rows('w', 0, 1000);
    const w = { runId: 'r1', windowId: 'w0', planHash: 'p', range: { column: 'id', start: 0, end: 1000 } };
    const res = await target.writeWindow(s.engine, 'w', w);
    assert.equal(res.rows_written, 1000n);
    assert.equal(res.checksum, res.checksum_read_back);
    const ct = await s.catalog.loadTable({ namespace: ['bf'], name: 't' });
    assert.equal(ct.metadata.snapshots.length, 1);
    assert.equal(ct.metadata.snapshots[0].summary[SUMMARY_RUN_ID], 'r1');
    assert.equal(ct.metadata.snapshots[0].summary[SUMMARY_WINDOW_ID], 'w0');
    assert.deepEqual([...(await target.committedWindows('r1')).keys()], ['w0']);
    assert.equal((await target.committedWindows('other')).size, 0);
    await assert.rejects(target.writeWindow(s.engine, 'w', w), (err) => isAlreadyCommitted(err));
    const after = await s.catalog.loadTable({ namespace: ['bf'], name: 't' });
    assert.equal(after.metadata.snapshots.length, 1, 'the refused commit added nothing');
    const { rows } = await scanTable(s.engine, tableOf(after), { where: 'true' });
    assert.equal(rows.length, 1000);
  } finally {
    await s.close();
  }
});

test('iceberg target: overwrite replaces exactly the rows of the window range', async () => {
  const s = await setup();
  try {
    const append = await IcebergTarget.open(s.catalog, 'bf.o', COLUMNS, 'append');
    await s.rows('w', 0, 300);
    await append.writeWindow(s.engine, 'w', { runId: 'r1', windowId: 'all', planHash: 'p' });
    const over = await IcebergTarget.open(s.catalog, 'bf.o', COLUMNS, 'overwrite');
    await s.engine.run(`CREATE OR REPLACE TABLE w2 AS SELECT i::BIGINT AS id, 'new' AS name, 0::DECIMAL(12,2) AS amount FROM range(100, 150) r(i)`);
    await over.writeWindow(s.engine, 'w2', { runId: 'r2', windowId: 'w1', planHash: 'p', range: { column: 'id', start: 100, end: 200 } });
    const ct = await s.catalog.loadTable({ namespace: ['bf'], name: 'o' });
    const { rows } = await scanTable(s.engine, tableOf(ct), { orderBy: 'id' });
    assert.equal(rows.length, 250, '100..199 replaced by 100..149');
    assert.equal(rows.filter((r) => r.name === 'new').length, 50);
    assert.equal(rows.filter((r) => Number(r.id) >= 150 && Number(r.id) < 200).length, 0);
    assert.equal(rows.filter((r) => Number(r.id) < 100 || Number(r.id) >= 200).length, 200);
  } finally {
    await s.close();
  }
});

test('iceberg target: a source that does not fit the table is SCHEMA_MISMATCH and writes nothing', async () => {
  const s = await setup();
  try {
    const target = await IcebergTarget.open(s.catalog, 'bf.m', COLUMNS, 'append');
    await s.engine.run(`CREATE TABLE bad AS SELECT 'x' || i AS id FROM range(10) r(i)`);
    await assert.rejects(target.writeWindow(s.engine, 'bad', { runId: 'r', windowId: 'w', planHash: 'p' }), (e) => isFloeError(e, 'SCHEMA_MISMATCH'));
    const ct = await s.catalog.loadTable({ namespace: ['bf'], name: 'm' });
    assert.equal(ct.metadata.snapshots.length, 0);
  } finally {
    await s.close();
  }
});

test('iceberg target: quarantined rows go to <table>__quarantine once per window', async () => {
  const s = await setup();
  try {
    const target = await IcebergTarget.open(s.catalog, 'bf.q', COLUMNS, 'append');
    await s.rows('w', 0, 100);
    const invalid = `(SELECT *, ['positive'] AS __floe_failed_rules FROM w WHERE id % 10 = 0)`;
    const valid = `(SELECT * FROM w WHERE id % 10 <> 0)`;
    const res = await target.writeWindow(s.engine, valid, { runId: 'r', windowId: 'w0', planHash: 'p', quarantine: quarantineRelation(invalid, 'r', 'w0') });
    assert.equal(res.rows_written, 90n);
    assert.equal(res.rows_quarantined, 10n);
    const q = await s.catalog.loadTable({ namespace: ['bf'], name: 'q__quarantine' });
    const { rows } = await scanTable(s.engine, tableOf(q), { orderBy: 'id' });
    assert.deepEqual(rows.map((r) => Number(r.id)), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    assert.deepEqual(rows[0].__floe_failed_rules, ['positive']);
    assert.equal(rows[0].__floe_window_id, 'w0');
  } finally {
    await s.close();
  }
});

test('duckdb target: the window and its record commit together, once', async () => {
  const s = await setup();
  try {
    const path = join(s.dir, 'out.duckdb');
    const target = await DuckdbTarget.open(`duckdb:${path}#trades`, 'src', COLUMNS, 'append');
    await s.rows('w', 0, 500);
    const w = { runId: 'r1', windowId: 'w0', planHash: 'p' };
    const res = await target.writeWindow(s.engine, 'w', w);
    assert.equal(res.rows_written, 500n);
    await assert.rejects(target.writeWindow(s.engine, 'w', w), (err) => isAlreadyCommitted(err));
    assert.deepEqual([...(await target.committedWindows('r1')).keys()], ['w0']);
    await target.close();
    const db = await Engine.create(path);
    try {
      const n = (await (await db.run('SELECT count(*)::INTEGER, count(DISTINCT id)::INTEGER FROM trades')).getRowsJS())[0];
      assert.deepEqual(n, [500, 500]);
    } finally {
      db.close();
    }
  } finally {
    await s.close();
  }
});
