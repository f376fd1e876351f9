/**
 * Pruning filters taken from SQL: every predicate gives the rows DuckDB gives on a plain table holding the same rows
 * (pruning may skip files, never rows), across files whose bounds differ. Integer constants against decimal
 * columns were once read as unscaled values (`amount < 10` as `amount < 1.0` on a decimal(p,1)), which skipped files
 * holding matches; against string columns they must not prune at all.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { extractScanFilter } from '../../src/engine/scan-filter.js';
import { SqlSession } from '../../src/engine/sql-session.js';
import { MemoryCatalog } from '../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { currentSchema } from '../../src/iceberg/spec/table-metadata.js';
import { deleteRows } from '../../src/warehouses/iceberg/row-level/delete-rows.js';
import { writeIceberg } from '../../src/warehouses/iceberg/iceberg-writer.js';

const ROWS = (from: number, to: number) =>
  `SELECT i::INTEGER AS id, i * 1.5 AS amount, (i * 0.25)::DOUBLE AS x, 'n' || i AS name, DATE '2024-01-01' + i::INTEGER AS d, i::BIGINT * 1000000000000 AS big FROM range(${from}, ${to}) t(i)`;
// Three files with disjoint ranges, so bounds decide which are read.
const BATCHES: Array<[number, number]> = [
  [1, 20],
  [20, 60],
  [60, 120],
];

const PREDICATES = [
  'amount < 10',
  'amount = 15',
  '10 > amount',
  'amount BETWEEN 3 AND 9',
  'amount < 10.0',
  'amount >= 150',
  'amount <= 29.9',
  'amount < 2 + 8',
  'amount > 9223372036854775807',
  'id < 10',
  "id = '5'",
  'id > 59.5',
  'x < 10',
  'x >= 15',
  "name = 'n5'",
  "name < 'n2'",
  "d < DATE '2024-01-05'",
  'big < 10000000000000',
  'big >= 60000000000000::BIGINT',
];

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-scan-filter-')) });
  const engine = await Engine.create();
  for (const [from, to] of BATCHES) await writeIceberg({ table: 'db.t' }, { sql: ROWS(from, to) }, {}, { catalog, engine });
  await engine.run(`CREATE TABLE ref AS ${BATCHES.map(([a, b]) => ROWS(a, b)).join(' UNION ALL ')}`);
  const session = await SqlSession.open({ engine, catalog });
  return { catalog, engine, session };
}

test('every predicate counts what DuckDB counts on the same rows, through floe sql', async () => {
  const s = await setup();
  try {
    for (const p of PREDICATES) {
      const duck = String((await (await s.engine.run(`SELECT count(*) FROM ref WHERE ${p}`)).getRowsJS())[0][0]);
      for (const from of ['db.t', "iceberg_scan('db.t')", "iceberg_scan('db.t') AS s"]) {
        const floe = (await s.session.execute(`SELECT count(*) FROM ${from} WHERE ${p}`)).text[0][0];
        assert.equal(floe, duck, `${from} WHERE ${p}`);
      }
    }
  } finally {
    s.engine.close();
  }
});

test('integer constants prune numeric columns by their value and never string columns', async () => {
  const s = await setup();
  try {
    const schema = currentSchema((await s.catalog.loadTable({ namespace: ['db'], name: 't' })).metadata);
    const stmt = (where: string) => `SELECT * FROM iceberg_scan('t') AS t WHERE ${where}`;
    const at = 'SELECT * FROM '.length;
    assert.deepEqual(await extractScanFilter(s.engine, stmt('amount < 10'), at, schema), { kind: 'compare', op: 'lt', column: 'amount', value: '10' });
    assert.equal(await extractScanFilter(s.engine, stmt('name = 5'), at, schema), undefined);
    assert.deepEqual(await extractScanFilter(s.engine, stmt("name = '5'"), at, schema), { kind: 'compare', op: 'eq', column: 'name', value: '5' });
  } finally {
    s.engine.close();
  }
});

test('deletes by an integer bound on a decimal column delete what DuckDB deletes', async () => {
  for (const mode of ['copy-on-write', 'merge-on-read'] as const) {
    const s = await setup();
    try {
      const id = { namespace: ['db'], name: 't' };
      const res = await deleteRows(s.catalog, id, 'amount < 10', { engine: s.engine, mode });
      await s.engine.run('DELETE FROM ref WHERE amount < 10');
      assert.equal(res.rows_deleted, 6, mode);
      assert.equal((await deleteRows(s.catalog, id, 'amount = 90', { engine: s.engine, mode })).rows_deleted, 1, mode);
      await s.engine.run('DELETE FROM ref WHERE amount = 90');
      const floe = (await s.session.execute('SELECT count(*), sum(amount) FROM db.t')).text[0];
      const duck = (await (await s.engine.run('SELECT count(*)::VARCHAR, sum(amount)::VARCHAR FROM ref')).getRowsJS())[0];
      assert.deepEqual(floe, duck, mode);
    } finally {
      s.engine.close();
    }
  }
});

test('a catalog table queried by name is pruned like iceberg_scan; read twice, by the OR of both filters', async () => {
  const s = await setup();
  try {
    const skipped = async (sql: string) => {
      await s.session.execute("CALL enable_logging('Iceberg')");
      await s.session.execute('CALL truncate_duckdb_logs()');
      const rows = (await s.session.execute(sql)).text;
      const n = Number((await s.session.execute("SELECT count(*) FROM duckdb_logs() WHERE message LIKE 'Iceberg Filter Pushdown, skipped%'")).text[0][0]);
      return { rows, n };
    };
    const byName = await skipped('SELECT count(*) FROM db.t WHERE amount < 10');
    assert.deepEqual(byName, { rows: [['6']], n: 2 }, 'the two files above 10 are skipped');
    const byCall = await skipped("SELECT count(*) FROM iceberg_scan('db.t') WHERE amount < 10");
    assert.deepEqual(byCall, { rows: [['6']], n: 2 });
    const aliased = await skipped('SELECT count(*) FROM db.t AS o WHERE o.id >= 60');
    assert.deepEqual(aliased, { rows: [['60']], n: 2 });
    // Two reads share the view: a file is skipped only when neither can use it (the middle one), and both answers
    // are right.
    const twice = await skipped('SELECT (SELECT count(*) FROM db.t WHERE amount < 10), (SELECT count(*) FROM db.t WHERE id >= 60)');
    assert.deepEqual(twice, { rows: [['6', '60']], n: 1 });
    // A read without a usable filter (no WHERE, or a join) reads every file for all.
    const unfiltered = await skipped('SELECT (SELECT count(*) FROM db.t WHERE amount < 10), (SELECT count(*) FROM db.t)');
    assert.deepEqual(unfiltered, { rows: [['6', '119']], n: 0 });
    const joined = await skipped('SELECT count(*) FROM db.t AS a JOIN ref AS b ON a.id = b.id WHERE a.amount < 10');
    assert.deepEqual(joined, { rows: [['6']], n: 0 });
    const withOr = await skipped('SELECT count(*) FROM db.t WHERE amount < 10 OR id >= 60');
    assert.deepEqual(withOr, { rows: [['66']], n: 1 }, 'an OR prunes what none of its sides can use');
    const orWithOpaque = await skipped("SELECT count(*) FROM db.t WHERE amount < 10 OR name LIKE 'n7%'");
    assert.deepEqual(orWithOpaque, { rows: [['17']], n: 0 }, 'a side floe cannot judge keeps every file');
  } finally {
    s.engine.close();
  }
});
