import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { isFloeError } from '../../src/errors.js';
import { evaluateRules, splitByRulesSql, FAILED_RULES_COLUMN, type RuleResult } from '../../src/quality/evaluate.js';
import type { QualityRule } from '../../src/quality/rule.js';

// Ten trades with planted problems; the comment says which rule each row breaks.
const TRADES = `CREATE TABLE trades AS SELECT * FROM (VALUES
  (1, 'AAPL', 'buy', 10, 100.00, 1, NULL, TIMESTAMP '2020-01-01 10:00:00'),
  (2, 'MSFT', 'sell', 5, 200.00, 2, NULL, TIMESTAMP '2020-01-02 10:00:00'),
  (3, NULL, 'buy', 7, 50.00, 1, NULL, TIMESTAMP '2020-01-03 10:00:00'),          -- not_null ticker
  (4, 'aapl', 'buy', -3, 10.00, 1, NULL, TIMESTAMP '2020-01-04 10:00:00'),       -- regex ticker, qty range
  (5, 'GOOG', 'hold', 1, 10.00, 3, NULL, TIMESTAMP '2020-01-05 10:00:00'),       -- side accepted values
  (6, 'TSLA', 'sell', 0, 10.00, 99, NULL, TIMESTAMP '2020-01-06 10:00:00'),      -- unknown instrument, qty range
  (7, 'AMZN', 'buy', 2, 2000000.00, 2, NULL, TIMESTAMP '2020-01-07 10:00:00'),   -- price range, expression
  (8, 'NFLX', 'buy', 4, 10.00, NULL, NULL, TIMESTAMP '2020-01-08 10:00:00'),     -- (null FK passes)
  (9, 'AAPL', 'buy', 4, 10.00, 1, 'a note far longer than twenty', TIMESTAMP '2020-01-09 10:00:00'), -- max_length (warn), duplicate id
  (9, 'AAPL', 'buy', 4, 10.00, 1, NULL, TIMESTAMP '2020-01-10 10:00:00')         -- duplicate id
) t(id, ticker, side, qty, price, instrument_id, note, ts)`;

const RULES: QualityRule[] = [
  { name: 'ticker_not_null', type: 'not_null', column: 'ticker', severity: 'error' },
  { name: 'ticker_format', type: 'regex', column: 'ticker', pattern: '^[A-Z]+$', severity: 'error' },
  { name: 'qty_positive', type: 'range', column: 'qty', min: 0, min_inclusive: false, severity: 'error' },
  { name: 'side_values', type: 'accepted_values', column: 'side', values: ['buy', 'sell'], severity: 'error' },
  { name: 'instrument_exists', type: 'relationship', column: 'instrument_id', to: { table: 'instruments', column: 'id' }, severity: 'error' },
  { name: 'price_range', type: 'range', column: 'price', min: 0, max: 1000000, severity: 'error' },
  { name: 'note_length', type: 'max_length', column: 'note', max: 20, severity: 'warn' },
  { name: 'id_unique', type: 'unique', column: 'id', severity: 'error' },
  { name: 'notional_limit', type: 'expression', sql: 'qty * price <= 1000', columns: ['id', 'qty', 'price'], severity: 'error' },
  { name: 'enough_rows', type: 'row_count', min_rows: 20, severity: 'error' },
  { name: 'fresh', type: 'freshness', column: 'ts', max_age: '24h', severity: 'error' },
];

describe('evaluateRules', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.create();
    await engine.run(TRADES);
    await engine.run(`CREATE TABLE instruments AS SELECT * FROM (VALUES (1, 'AAPL'), (2, 'MSFT'), (3, 'GOOG')) t(id, ticker)`);
  });
  after(() => engine.close());

  const byName = (rules: RuleResult[]) => Object.fromEntries(rules.map((r) => [r.rule, r]));

  it('gives the exact failing count, status and example rows per rule', async () => {
    const report = await evaluateRules(engine, 'trades', RULES);
    const r = byName(report.rules);
    const failing = Object.fromEntries(report.rules.map((x) => [x.rule, x.failing]));
    assert.deepEqual(failing, {
      ticker_not_null: 1, ticker_format: 1, qty_positive: 2, side_values: 1, instrument_exists: 1, price_range: 1,
      note_length: 1, id_unique: 2, notional_limit: 1, enough_rows: 1, fresh: 1,
    });
    assert.deepEqual(r.qty_positive.examples, [{ qty: -3 }, { qty: 0 }]);
    assert.deepEqual(r.ticker_not_null.examples, [{ ticker: null }]);
    assert.deepEqual(r.ticker_format.examples, [{ ticker: 'aapl' }]);
    assert.deepEqual(r.side_values.examples, [{ side: 'hold' }]);
    assert.deepEqual(r.instrument_exists.examples, [{ instrument_id: 99 }]);
    assert.deepEqual(r.price_range.examples, [{ price: '2000000.00' }]);
    assert.deepEqual(r.note_length.examples, [{ note: 'a note far longer than twenty' }]);
    assert.deepEqual(r.id_unique.examples, [{ id: 9 }, { id: 9 }]);
    assert.deepEqual(r.notional_limit.examples, [{ id: 7, qty: 2, price: '2000000.00' }]);
    assert.deepEqual(r.enough_rows.examples, [{ row_count: 10 }]);
    assert.equal(r.fresh.examples[0].ts, '2020-01-10 10:00:00');
    assert.equal(r.qty_positive.checked, 10);
    assert.equal(r.qty_positive.percent, 20);
    assert.equal(r.qty_positive.status, 'fail');
    assert.equal(r.note_length.status, 'warn');
    assert.equal(r.enough_rows.checked, 1);
    // Invalid rows: 3, 4, 5, 6, 7 (row 9's long note is only a warning; duplicates are a table-level rule).
    assert.equal(report.sample_size, 10);
    assert.equal(report.invalid_records, 5);
    assert.equal(report.valid_records, 5);
    assert.equal(report.validation_score, 0.5);
    assert.equal(report.status, 'fail');
  });

  it('limits examples and takes whole-table figures for row_count and freshness', async () => {
    const report = await evaluateRules(engine, '(SELECT * FROM trades WHERE id > 2)', RULES, {
      examples: 1, totalRows: 25, newest: { ts: new Date().toISOString() },
    });
    const r = byName(report.rules);
    assert.deepEqual(r.qty_positive.examples, [{ qty: -3 }]);
    assert.equal(r.enough_rows.status, 'pass');
    assert.equal(r.fresh.status, 'pass');
    assert.equal(report.sample_size, 8);
  });

  it('flips pass / warn / fail with error_if, warn_if and mostly', async () => {
    const qty = (extra: Partial<QualityRule>): QualityRule => ({ name: 'q', type: 'range', column: 'qty', min: 0, min_inclusive: false, severity: 'error', ...extra });
    const status = async (rule: QualityRule) => (await evaluateRules(engine, 'trades', [rule])).rules[0].status;
    // 2 of 10 rows fail (20%).
    assert.equal(await status(qty({})), 'fail');
    assert.equal(await status(qty({ error_if: { count: 1 } })), 'fail');
    assert.equal(await status(qty({ error_if: { count: 2 } })), 'warn');
    assert.equal(await status(qty({ error_if: { count: 2 }, warn_if: { count: 2 } })), 'pass');
    assert.equal(await status(qty({ error_if: { percent: 50 }, warn_if: { percent: 10 } })), 'warn');
    assert.equal(await status(qty({ error_if: { percent: 19.9 } })), 'fail');
    assert.equal(await status(qty({ mostly: 0.8 })), 'pass');
    assert.equal(await status(qty({ mostly: 0.9 })), 'fail');
    assert.equal(await status(qty({ severity: 'warn' })), 'warn');
    assert.equal(await status(qty({ severity: 'warn', mostly: 0.8 })), 'pass');
    const report = await evaluateRules(engine, 'trades', [qty({ error_if: { count: 5 } })]);
    assert.equal(report.status, 'warn');
    // A rule that fails only as a warning by threshold still marks its rows invalid (severity error).
    assert.equal(report.invalid_records, 2);
  });

  it('rejects a rule naming an unknown column with INVALID_ARGUMENT', async () => {
    await assert.rejects(
      evaluateRules(engine, 'trades', [{ name: 'x', type: 'not_null', column: 'nope', severity: 'error' }]),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(
      evaluateRules(engine, 'trades', [{ name: 'x', type: 'relationship', column: 'id', to: { table: 'instruments', column: 'nope' }, severity: 'error' }]),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(
      evaluateRules(engine, 'trades', [{ name: 'x', type: 'relationship', column: 'id', to: { table: 'no_such_table', column: 'id' }, severity: 'error' }]),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
    await assert.rejects(
      evaluateRules(engine, 'trades', [{ name: 'x', type: 'range', column: 'qty', severity: 'error' }]),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('resolves column names ignoring case', async () => {
    const report = await evaluateRules(engine, 'trades', [{ name: 'x', type: 'not_null', column: 'TICKER', severity: 'error' }]);
    assert.equal(report.rules[0].failing, 1);
  });

  it('splitByRulesSql returns exactly the failing rows as invalid, and valid + invalid = all', async () => {
    const { invalidSql, validSql } = splitByRulesSql('trades', RULES);
    const invalid = (await (await engine.run(`SELECT id, ${FAILED_RULES_COLUMN} AS failed FROM (${invalidSql}) ORDER BY id`)).getRowObjectsJson()) as Array<{ id: number; failed: string[] }>;
    assert.deepEqual(invalid.map((r) => [r.id, r.failed]), [
      [3, ['ticker_not_null']],
      [4, ['ticker_format', 'qty_positive']],
      [5, ['side_values']],
      [6, ['qty_positive', 'instrument_exists']],
      [7, ['price_range', 'notional_limit']],
    ]);
    const valid = (await (await engine.run(`SELECT id FROM (${validSql}) ORDER BY id`)).getRowObjectsJson()) as Array<{ id: number }>;
    assert.deepEqual(valid.map((r) => r.id), [1, 2, 8, 9, 9]);
    // The same rows as the report counts as invalid.
    const report = await evaluateRules(engine, 'trades', RULES);
    assert.equal(report.invalid_records, invalid.length);
    const cols = (await (await engine.run(`DESCRIBE ${validSql}`)).getRowObjectsJson()).map((r) => r.column_name);
    assert.deepEqual(cols, ['id', 'ticker', 'side', 'qty', 'price', 'instrument_id', 'note', 'ts']);
  });

  it('splitByRulesSql without row-level error rules keeps every row valid', async () => {
    const { invalidSql, validSql } = splitByRulesSql('trades', [{ name: 'u', type: 'unique', column: 'id', severity: 'error' }]);
    const count = async (sql: string) => Number(((await (await engine.run(`SELECT count(*) AS n FROM (${sql})`)).getRowObjectsJson())[0] as { n: string }).n);
    assert.equal(await count(invalidSql), 0);
    assert.equal(await count(validSql), 10);
  });
});
