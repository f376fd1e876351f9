/**
 * Pruning never changes a result: over five files of a table with a column of every common type, each predicate in
 * a broad list (integer, decimal, float, text, date, timestamp and time constants; NaN, infinities, NULL tests,
 * BETWEEN) counts through floe's scans, by `iceberg_scan` and by catalog name, exactly what DuckDB counts on a plain
 * table with the same rows, unpartitioned and under partition specs whose transforms prune differently.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { SqlSession } from '../../src/engine/sql-session.js';
import { MemoryCatalog } from '../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { parsePartitionExpression } from '../../src/iceberg/spec/partition-builder.js';
import { writeIceberg } from '../../src/warehouses/iceberg/iceberg-writer.js';

const ROWS = (a: number, b: number) => `SELECT i::INTEGER AS i32, (i * 1000000007)::BIGINT AS i64, (i * 1.25)::DECIMAL(10,2) AS d10, (i / 3)::DECIMAL(38,10) AS d38,
 (i * 0.5)::FLOAT AS f32, CASE WHEN i = 7 THEN 'NaN'::DOUBLE WHEN i = 8 THEN 'inf'::DOUBLE ELSE i * -0.75 END AS f64,
 CASE WHEN i % 10 = 0 THEN NULL ELSE 'v' || lpad(i::VARCHAR, 3, '0') END AS s, DATE '2020-02-28' + i::INTEGER AS dt,
 TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 3600.5) AS ts, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i * 7200) AS tz,
 i % 3 = 0 AS b, TIME '00:00:00' + to_seconds(i * 61) AS tm, (i - 50)::SMALLINT AS small FROM range(${a}, ${b}) t(i)`;

const FILES: Array<[number, number]> = [
  [0, 15],
  [15, 40],
  [40, 41],
  [41, 100],
  [100, 130],
];

const PREDICATES = [
 'i32 < 5 OR i32 > 120', 'd10 < 10 OR s IS NULL', "(s < 'v020' OR d38 >= 33) AND f32 < 40", "f64 = 'NaN' OR tm > TIME '02:00:00'", "s LIKE 'v0%' OR i32 = 50",
 'i32 < 20', 'i32 <= 20.5', 'i32 > -1', 'i32 = 40', "i32 = '40'", 'i32 < 1e2', 'i32 BETWEEN 10 AND 20', 'i32 != 5', 'i32 > 2147483648',
 'i64 < 20000000140', 'i64 >= 100000000700', 'i64 = 40000000280', 'i64 < 1.5e10',
 'd10 < 10', 'd10 < 10.005', 'd10 = 12.5', 'd10 > 100', 'd10 >= 162.5', "d10 < '20'", 'd10 < 1e1', 'd10 < -1',
 'd38 < 5', 'd38 = 33', 'd38 > 33.3333333333', 'd38 >= 33.33333333333', 'd38 < 1.0000000001',
 'f32 < 10', 'f32 = 20.5', 'f32 > 64.4', 'f32 < 0.1',
 'f64 < -10', "f64 = 'NaN'", 'f64 > 1000', "f64 = 'inf'::DOUBLE", 'f64 < -90.5', 'f64 IS NULL', 'f64 > -1',
 "s < 'v020'", "s = 'v040'", "s >= 'v1'", 's IS NULL', 's IS NOT NULL', "s > 'v12'", "s LIKE 'v0%'", "s < 'v0200'",
 "dt < DATE '2020-03-10'", "dt = '2020-04-08'", "dt > '2020-06-01'::DATE", "dt < TIMESTAMP '2020-03-10 12:00:00'",
 "ts < TIMESTAMP '2024-01-02 00:00:00'", "ts >= '2024-01-05'", "ts = TIMESTAMP '2024-01-01 01:00:00.5'", "ts < DATE '2024-01-03'",
 "tz < TIMESTAMPTZ '2024-01-03 00:00:00+00'", "tz > '2024-01-10 00:00:00+05'", "tz = TIMESTAMPTZ '2024-01-01 02:00:00+00'",
 'b = true', 'b', 'NOT b', 'b = false',
 "tm < TIME '00:20:00'", "tm = '00:01:01'", "tm > TIME '01:00:00'",
 'small < 0', 'small = -50', 'small > 70.5', 'small < -49.5',
];

for (const layout of ['', 'truncate(10, d10), bucket(4, s), day(ts)', 'identity(b), hour(tz), truncate(100, i64), month(dt)']) {
  test(`pruned scans count what DuckDB counts (${layout || 'unpartitioned'})`, async () => {
    const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-pruning-')) });
    const engine = await Engine.create();
    try {
      const spec = layout ? { partition_spec: parsePartitionExpression(layout) } : {};
      for (const [a, b] of FILES) await writeIceberg({ table: 'db.t', ...spec }, { sql: ROWS(a, b) }, {}, { catalog, engine });
      await engine.run(`CREATE TABLE ref AS ${FILES.map(([a, b]) => ROWS(a, b)).join(' UNION ALL ')}`);
      const session = await SqlSession.open({ engine, catalog });
      for (const p of PREDICATES) {
        const duck = String((await (await engine.run(`SELECT count(*) FROM ref WHERE ${p}`)).getRowsJS())[0][0]);
        for (const from of ["iceberg_scan('db.t')", 'db.t']) {
          assert.equal((await session.execute(`SELECT count(*) FROM ${from} WHERE ${p}`)).text[0][0], duck, `${from} WHERE ${p}`);
        }
      }
    } finally {
      engine.close();
    }
  });
}
