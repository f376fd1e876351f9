import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTradingDatabase, UNKNOWN_INSTRUMENT_ID, type TradingDatabase } from '../../src/demo/trading-database.js';
import { isFloeError } from '../../src/errors.js';
import { validateSourceTable } from '../../src/quality/validate-source.js';
import { openSource } from '../../src/sources/open-source.js';

function dump(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return ['instruments', 'trades', 'positions'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('createTradingDatabase', () => {
  let dir: string;
  let demo: TradingDatabase;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floe-demo-db-'));
    demo = await createTradingDatabase(join(dir, 'trading.db'), { rows: 2000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the three tables with their declared constraints', async () => {
    assert.equal(demo.rows.trades, 2000);
    assert.equal(demo.rows.instruments, 24);
    assert.ok(demo.rows.positions > 100);
    const source = await openSource(demo.url);
    try {
      const tables = new Map((await source.introspect()).tables.map((t) => [t.name, t]));
      const trades = tables.get('trades')!;
      assert.deepEqual(trades.primary_keys, ['trade_id']);
      assert.deepEqual(trades.foreign_keys.map((f) => [f.columns, f.referencedTable]), [[['instrument_id'], 'instruments']]);
      assert.deepEqual(trades.checks.map((c) => c.name).sort(), ['trades_price_positive', 'trades_quantity_positive', 'trades_side_check', 'trades_ticker_required']);
      assert.deepEqual(tables.get('positions')!.primary_keys, ['account_id', 'instrument_id', 'as_of']);
      assert.equal(tables.get('instruments')!.columns.find((c) => c.name === 'ticker')!.nullable, false);
    } finally {
      await source.close();
    }
  });

  it('is deterministic for a seed', async () => {
    const again = await createTradingDatabase(join(dir, 'again.db'), { rows: 2000 });
    assert.deepEqual(again.planted, demo.planted);
    assert.equal(dump(again.path), dump(demo.path));
    const other = await createTradingDatabase(join(dir, 'other.db'), { rows: 2000, seed: 7 });
    assert.notEqual(dump(other.path), dump(demo.path));
  });

  it('validation finds exactly the planted bad rows', async () => {
    assert.deepEqual(demo.planted.map((p) => [p.table, p.rule]), [
      ['trades', 'trades_quantity_positive'],
      ['trades', 'trades_instrument_id_fkey'],
      ['trades', 'trades_ticker_required'],
      ['positions', 'positions_avg_cost_nonnegative'],
    ]);
    for (const table of ['trades', 'positions', 'instruments'] as const) {
      const report = await validateSourceTable(demo.url, table, { sample: 100_000 });
      const planted = demo.planted.filter((p) => p.table === table);
      assert.equal(report.sample_method, 'all');
      assert.equal(report.invalid_records, planted.length, table);
      const failed = report.rules.filter((r) => r.status !== 'pass');
      assert.deepEqual(failed.map((r) => r.rule).sort(), planted.map((p) => p.rule).sort(), table);
      for (const p of planted) {
        const r = report.rules.find((x) => x.rule === p.rule)!;
        assert.equal(r.failing, 1);
        assert.equal(r.status, 'fail');
        const example = r.examples[0];
        for (const [k, v] of Object.entries(p.key)) assert.equal(example[k], v, `${p.rule} ${k}`);
        const value = example[p.column];
        assert.equal(value === null ? null : Number(value), p.value);
      }
    }
    assert.equal(demo.planted[1].value, UNKNOWN_INSTRUMENT_ID);
  });

  it('refuses an existing file unless told to overwrite, and a too small size', async () => {
    await assert.rejects(createTradingDatabase(demo.path), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(createTradingDatabase(join(dir, 'small.db'), { rows: 3 }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    const replaced = await createTradingDatabase(demo.path, { rows: 50, overwrite: true });
    assert.equal(replaced.rows.trades, 50);
  });
});
