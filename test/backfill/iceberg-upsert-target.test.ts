/**
 * The Iceberg target in `upsert` mode: a window merges its rows by key in one snapshot carrying the run and window
 * ids (matched keys updated, new keys inserted), is read back by key for reconciliation, and is refused at commit
 * time when already committed; the result equals DuckDB's own INSERT OR REPLACE of the same rows.
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
import { isAlreadyCommitted, SUMMARY_WINDOW_ID } from '../../src/backfill/window-commits.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { scanTable } from '../../src/engine/table-scan.js';

const COLUMNS = [
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'name', type: 'VARCHAR', nullable: true },
];

for (const mode of ['copy-on-write', 'merge-on-read'] as const) {
  test(`iceberg target upsert (${mode}): windows merge by key, once, and equal DuckDB's INSERT OR REPLACE`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-bf-upsert-'));
    const catalog = await openCatalog(normalizeFloeConfig({ catalog: 'sql', catalog_config: { uri: `sqlite:${join(dir, 'c.db')}`, warehouse: join(dir, 'wh') } }));
    const engine = await Engine.create();
    try {
      await assert.rejects(IcebergTarget.open(catalog, 'bf.u', COLUMNS, 'upsert'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
      const target = await IcebergTarget.open(catalog, 'bf.u', COLUMNS, 'upsert', ['id']);
      const id = { namespace: ['bf'], name: 'u' };
      if (mode === 'merge-on-read') {
        await catalog.commitTable({ identifier: id, requirements: [], updates: [{ action: 'set-properties', updates: { 'write.update.mode': 'merge-on-read' } }] });
      }
      await engine.run(`CREATE TABLE expected (id BIGINT PRIMARY KEY, name VARCHAR)`);
      const windows: Array<[string, string]> = [
        ['w0', `SELECT i::BIGINT AS id, 'a' || i AS name FROM range(0, 100) r(i)`],
        ['w1', `SELECT i::BIGINT AS id, 'b' || i AS name FROM range(50, 150) r(i)`],
      ];
      for (const [windowId, sql] of windows) {
        await engine.run(`CREATE OR REPLACE TABLE w AS ${sql}`);
        const res = await target.writeWindow(engine, 'w', { runId: 'r', windowId, planHash: 'p' });
        assert.equal(res.rows_written, 100n);
        assert.equal(res.rows_read_back, 100n);
        assert.equal(res.checksum, res.checksum_read_back);
        await engine.run(`INSERT OR REPLACE INTO expected SELECT * FROM w`);
      }
      // The same window again is refused at commit time and changes nothing.
      const before = (await catalog.loadTable(id)).metadata['current-snapshot-id'];
      await assert.rejects(target.writeWindow(engine, 'w', { runId: 'r', windowId: 'w1', planHash: 'p' }), (e) => isAlreadyCommitted(e));
      const after = await catalog.loadTable(id);
      assert.equal(after.metadata['current-snapshot-id'], before);
      assert.equal(after.metadata.snapshots.at(-1)!.summary[SUMMARY_WINDOW_ID], 'w1');
      const { rows } = await scanTable(engine, tableOf(after), { orderBy: 'id' });
      const want = (await (await engine.run('SELECT id, name FROM expected ORDER BY id')).getRowsJS()).map((r) => [Number(r[0]), r[1]]);
      assert.deepEqual(rows.map((r) => [Number(r.id), r.name]), want);
      if (mode === 'merge-on-read') assert.ok(Number(after.metadata.snapshots.at(-1)!.summary['total-delete-files'] ?? 0) > 0, 'merge-on-read wrote delete files');
    } finally {
      engine.close();
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
