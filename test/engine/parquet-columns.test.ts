/**
 * Reading data files by column name (`parquet-columns.ts`) only when that finds the very columns field ids would,
 * and the scan's `file_index` / `skipPositionDeletes` options (`scan-sql.ts`).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { byNameLayout, topLevelColumns, type ByNameColumn } from '../../src/engine/parquet-columns.js';
import { buildScanSql } from '../../src/engine/scan-sql.js';
import { planScan } from '../../src/iceberg/table/scan-planner.js';
import { deleteRows } from '../../src/warehouses/iceberg/row-level/delete-rows.js';
import { RowLevelFixture } from '../warehouses/iceberg/row-level/row-level-fixture.js';

test('topLevelColumns: top-level columns only, with field ids and DuckDB types', async () => {
  const engine = await Engine.create();
  try {
    const path = join(mkdtempSync(join(tmpdir(), 'floe-pcols-')), 'f.parquet');
    await engine.run(
      `COPY (SELECT 1::BIGINT AS id, {'id': 2, 'l': [1, 2]} AS s, 'x' AS name) TO '${path}' ` +
        `(FORMAT parquet, FIELD_IDS {id: 1, s: {__duckdb_field_id: 2, id: 5, l: {__duckdb_field_id: 6, element: 7}}, name: 3})`,
    );
    const cols = (await topLevelColumns(engine, [{ path, size: 1 }])).get(path)!;
    assert.deepEqual(cols, [
      { name: 'id', fieldId: 1, duckdbType: 'BIGINT' },
      { name: 's', fieldId: 2, duckdbType: undefined },
      { name: 'name', fieldId: 3, duckdbType: 'VARCHAR' },
    ]);
    const want: ByNameColumn[] = [
      { id: 1, name: 'id', duckdbType: 'BIGINT' },
      { id: 3, name: 'name', duckdbType: 'VARCHAR' },
    ];
    assert.ok(byNameLayout(cols, want) !== undefined);
    assert.equal(byNameLayout(cols, [{ id: 1, name: 'key', duckdbType: 'BIGINT' }]), undefined, 'renamed column');
    assert.equal(byNameLayout(cols, [{ id: 9, name: 'id', duckdbType: 'BIGINT' }]), undefined, 'another field id');
    assert.equal(byNameLayout(cols, [{ id: 1, name: 'id', duckdbType: 'INTEGER' }]), undefined, 'another type');
    assert.equal(byNameLayout([...cols, { name: 'ID', fieldId: 4, duckdbType: 'BIGINT' }], want), undefined, 'names equal ignoring case');
    assert.equal(byNameLayout([...cols, { name: 'filename', fieldId: 4, duckdbType: 'VARCHAR' }], want), undefined, 'a virtual column name');
    assert.equal(byNameLayout(undefined, want), undefined);
    // Footers are remembered by path and size: a second look reads nothing (the file may even be gone).
    await rm(path);
    assert.deepEqual((await topLevelColumns(engine, [{ path, size: 1 }])).get(path), cols);
    await assert.rejects(topLevelColumns(engine, [{ path, size: 2 }]));
  } finally {
    engine.close();
  }
});

test('scan file_index: the index of the row\'s task; skipPositionDeletes returns the deleted rows too', async () => {
  const f = await new RowLevelFixture({ formatVersion: 3, partitioned: true, properties: { 'write.delete.mode': 'merge-on-read' } }).open();
  try {
    await deleteRows(f.catalog, f.id, 'id % 7 = 0', { engine: f.engine });
    const table = await f.table();
    const plan = await planScan(table);
    assert.ok(plan.tasks.length > 5);
    const paths = plan.tasks.map((t) => t.readPath);
    const both = await buildScanSql(f.engine, table, plan, { includeFileIndex: true, includeRowPosition: true });
    const rows = await (await f.engine.run(`SELECT file_index, filename, id FROM ${both.sql}`)).getRowsJS();
    await both.cleanup();
    assert.equal(rows.length, 300 - 43);
    for (const [i, filename] of rows) assert.equal(paths[Number(i)], filename);
    const skipped = await buildScanSql(f.engine, table, plan, { includeFileIndex: true, skipPositionDeletes: true });
    const all = await (await f.engine.run(`SELECT count(*), count(*) FILTER (WHERE id % 7 = 0) FROM ${skipped.sql}`)).getRowsJS();
    await skipped.cleanup();
    assert.deepEqual(all[0].map(Number), [300, 43]);
  } finally {
    await f.close();
  }
});
