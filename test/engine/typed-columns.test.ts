/** Numeric columns between DuckDB and typed arrays a vector at a time (`typed-columns.ts`). */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { appendColumns, readDoubleColumns } from '../../src/engine/typed-columns.js';
import { isFloeError } from '../../src/errors.js';

test('appendColumns and readDoubleColumns round-trip several chunks of DOUBLE, BIGINT and INTEGER columns', async () => {
  const engine = await Engine.create();
  try {
    const n = 5000; // more than two 2048-row chunks, the last one partial
    const a = Float64Array.from({ length: n }, (_, i) => i * 1.5);
    const b = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 4_000_000_000n);
    const c = Int32Array.from({ length: n }, (_, i) => -i);
    await engine.run('CREATE TEMP TABLE t (a DOUBLE, b BIGINT, c INTEGER)');
    await appendColumns(engine, 't', [a, b, c]);
    const sums = (await (await engine.run('SELECT count(*), sum(a), sum(b)::VARCHAR, sum(c) FROM t')).getRowsJS())[0];
    assert.deepEqual(sums.map(String), [String(n), String(a.reduce((x, y) => x + y, 0)), String(b.reduce((x, y) => x + y, 0n)), String(c.reduce((x, y) => x + y, 0))]);
    const [ra, rb] = await readDoubleColumns(engine, 'SELECT a, b::DOUBLE FROM t ORDER BY a');
    assert.deepEqual([...ra], [...a]);
    assert.deepEqual([...rb], [...b].map(Number));
    await assert.rejects(readDoubleColumns(engine, 'SELECT c FROM t'), (e: unknown) => isFloeError(e, 'INTERNAL'));
    await assert.rejects(appendColumns(engine, 't', [a, b, c.subarray(1)]), (e: unknown) => isFloeError(e, 'INTERNAL'));
  } finally {
    engine.close();
  }
});
