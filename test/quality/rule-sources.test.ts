import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../src/errors.js';
import { resolveConstraints } from '../../src/models/constraints.js';
import { parseRulesYaml, rulesFromModel, sourceTableRules } from '../../src/quality/rule-sources.js';
import { openSource } from '../../src/sources/open-source.js';
import type { SourceTable } from '../../src/sources/source-schema.js';
import { createPostgres, createSqlite, type TestDatabase } from '../helpers/source-databases.js';

/** name → [type, columns, extra] of derived rules, for comparison. */
function summary(table: SourceTable) {
  const { rules, warnings } = sourceTableRules(table);
  return {
    rules: Object.fromEntries(rules.map((r) => {
      const { name, type, column, columns, severity, source, ...rest } = r;
      void severity; void source;
      return [name, [type, columns ?? [column], rest]];
    })),
    warnings: warnings.map((w) => w.message.split(' ')[1]),
  };
}

async function tablesOf(db: TestDatabase): Promise<Map<string, SourceTable>> {
  const source = await openSource(db.url);
  try {
    return new Map((await source.introspect()).tables.map((t) => [t.name, t]));
  } finally {
    await source.close();
  }
}

const NOT_NULL_TRADE_LOG = Object.fromEntries(
  ['id', 'account_id', 'ticker', 'exchange', 'side', 'status', 'qty', 'price', 'Order Date'].map((c) => [`not_null_${c}`, ['not_null', [c], {}]]),
);

describe('rules from a source table', () => {
  let pg: TestDatabase | string;
  let lite: TestDatabase;
  before(async () => {
    pg = await createPostgres();
    lite = await createSqlite();
  });
  after(async () => {
    if (typeof pg !== 'string') await pg.drop();
    await lite.drop();
  });

  it('PostgreSQL: NOT NULL, primary key, foreign keys and CHECKs (BETWEEN, IN, ~) become rules', async (t) => {
    if (typeof pg === 'string') return t.skip(pg);
    const tables = await tablesOf(pg);
    assert.deepEqual(summary(tables.get('trade-log')!), {
      rules: {
        ...NOT_NULL_TRADE_LOG,
        'primary_key_trade-log': ['unique', ['id'], {}],
        'trade-log_account_id_fkey': ['relationship', ['account_id'], { to: { table: 'accounts', columns: ['id'] } }],
        trade_log_instrument_fkey: ['relationship', ['ticker', 'exchange'], { to: { table: 'instruments', columns: ['ticker', 'exchange'] } }],
        trade_log_price_range: ['range', ['price'], { min: 0, min_inclusive: true, max: 1000000, max_inclusive: true }],
        trade_log_qty_positive: ['range', ['qty'], { min: 0, min_inclusive: false }],
        trade_log_status_in: ['accepted_values', ['status'], { values: ['open', 'filled', 'cancelled'] }],
      },
      warnings: [],
    });
    assert.deepEqual(summary(tables.get('instruments')!).rules.instruments_ticker_format, ['regex', ['ticker'], { pattern: '^[A-Z]+$' }]);
    assert.deepEqual(summary(tables.get('accounts')!).rules.accounts_email_key, ['unique', ['email'], {}]);
  });

  it('SQLite: the same constraints; a GLOB CHECK is left out with a warning', async () => {
    const tables = await tablesOf(lite);
    assert.deepEqual(summary(tables.get('trade-log')!), {
      rules: {
        ...NOT_NULL_TRADE_LOG,
        'primary_key_trade-log': ['unique', ['id'], {}],
        'trade-log_ticker_exchange_fkey': ['relationship', ['ticker', 'exchange'], { to: { table: 'instruments', columns: ['ticker', 'exchange'] } }],
        'trade-log_account_id_fkey': ['relationship', ['account_id'], { to: { table: 'accounts', columns: ['id'] } }],
        trade_log_check_1: ['accepted_values', ['side'], { values: ['buy', 'sell'] }],
        trade_log_qty_positive: ['range', ['qty'], { min: 0, min_inclusive: false }],
        trade_log_price_range: ['range', ['price'], { min: 0, min_inclusive: true, max: 1000000, max_inclusive: true }],
        trade_log_status_in: ['accepted_values', ['status'], { values: ['open', 'filled', 'cancelled'] }],
      },
      warnings: [],
    });
    const instruments = summary(tables.get('instruments')!);
    assert.deepEqual(Object.keys(instruments.rules), ['not_null_ticker', 'not_null_exchange', 'primary_key_instruments']);
    assert.deepEqual(instruments.warnings, ['instruments_ticker_format']);
  });
});

describe('CHECK text as PostgreSQL prints it', () => {
  it('reads quoted negative numbers and ~ regexes; leaves others out with a warning', () => {
    const table = {
      name: 't', kind: 'table', columns: [
        { name: 'qty', type: 'integer', normalized: 'integer', nullable: true, ordinal: 1 },
        { name: 'Code', type: 'text', normalized: 'text', nullable: true, ordinal: 2 },
      ], primary_keys: [], unique_constraints: [], foreign_keys: [], indexes: [], row_count: 0, row_count_exact: true,
      checks: [
        { name: 'qty_floor', sql: "((qty > '-10'::integer))" },
        { name: 'code_format', sql: `(("Code")::text ~ '^[A-Z]{3}$'::text)` },
        { name: 'code_len', sql: '(length("Code") = 3)' },
      ],
    } as SourceTable;
    const { rules, warnings } = sourceTableRules(table);
    assert.deepEqual(rules.map((r) => [r.name, r.type, r.column, r.min ?? r.pattern]), [
      ['qty_floor', 'range', 'qty', -10], ['code_format', 'regex', 'Code', '^[A-Z]{3}$'],
    ]);
    assert.equal(rules[0].min_inclusive, false);
    assert.deepEqual(warnings.map((w) => w.code), ['UNSUPPORTED_CONSTRAINT']);
  });
});

describe('rulesFromModel', () => {
  it('maps model constraints and exported validation rules to quality rules', () => {
    const table = {
      name: 'positions', kind: 'table', columns: [
        { name: 'qty', type: 'integer', normalized: 'integer', nullable: false, ordinal: 1 },
        { name: 'ticker', type: 'text', normalized: 'text', nullable: true, ordinal: 2 },
        { name: 'status', type: 'text', normalized: 'text', nullable: true, ordinal: 3 },
      ], primary_keys: [], unique_constraints: [], foreign_keys: [], checks: [], indexes: [], row_count: 0, row_count_exact: true,
    } as SourceTable;
    const constraints = resolveConstraints(table, ['qtyPositive', 'validTicker', { name: 'notClosed', column: 'status', check: '!=', value: 'closed' }]);
    const rules = rulesFromModel(constraints);
    assert.deepEqual(rules.map((r) => [r.name, r.type, r.column]), [
      ['qtyPositive', 'range', 'qty'], ['validTicker', 'regex', 'ticker'], ['notClosed', 'expression', 'status'],
    ]);
    assert.equal(rules[0].min, 0);
    assert.equal(rules[0].min_inclusive, false);
    assert.equal(rules[1].pattern, '^[A-Z][A-Z0-9.]{0,9}$');
    assert.equal(rules[2].sql, `"status" NOT IN ('closed')`);
    assert.deepEqual(rulesFromModel([{ name: 'q', type: 'range', column: 'qty', min: 1, max: 9 }]).map((r) => [r.min, r.max, r.min_inclusive, r.max_inclusive]), [[1, 9, true, true]]);
  });
});

describe('parseRulesYaml', () => {
  it('reads a list, a rules mapping and per-table rules, with defaults', () => {
    const rules = parseRulesYaml(`
version: 1
rules:
  - type: not_null
    column: ticker
  - name: qty_positive
    type: range
    column: qty
    min: 0
    min_inclusive: false
    severity: warn
    error_if: {percent: 5}
tables:
  trades:
    rules:
      - {type: accepted_values, column: side, values: [buy, sell], mostly: 0.99}
  positions:
    - {type: row_count, min_rows: 1}
`, { table: 'trades' });
    assert.deepEqual(rules.map((r) => [r.name, r.type, r.severity]), [
      ['not_null_ticker', 'not_null', 'error'], ['qty_positive', 'range', 'warn'], ['accepted_values_side', 'accepted_values', 'error'],
    ]);
    assert.deepEqual(rules[1].error_if, { percent: 5 });
    assert.equal(rules[2].mostly, 0.99);
    assert.equal(parseRulesYaml('- {type: freshness, column: ts, max_age: 24h}').length, 1);
    assert.deepEqual(parseRulesYaml(''), []);
  });

  it('rejects bad files with CONFIG_INVALID naming the path', () => {
    const cases: Array<[string, string]> = [
      ['rules: [{type: range, column: qty}]', 'rules[0]'],
      ['rules: [{type: nope, column: qty}]', 'rules[0].type'],
      ['rules: [{type: not_null, column: a}, {type: range, column: q, min: "x", max: 1, minimum: 2}]', 'rules[1].minimum'],
      ['rules: [{type: regex, column: a, pattern: "(["}]', 'rules[0].pattern'],
      ['rules: [{type: not_null, column: a, error_if: {count: -1}}]', 'rules[0].error_if.count'],
      ['rules: [{type: not_null, column: a, mostly: 2}]', 'rules[0].mostly'],
      ['rules: [{type: accepted_values, column: a, values: []}]', 'rules[0].values'],
      ['rules: [{type: relationship, column: a, to: {table: t}}]', 'rules[0].to.column'],
      ['rules: [{type: freshness, column: ts, max_age: soon}]', 'rules[0].max_age'],
      ['rules: [{type: not_null}]', 'rules[0].column'],
      ['rules: [{type: not_null, column: a}, {type: not_null, column: a}]', 'rules[1].name'],
      ['tables: {other: [{type: bogus}]}', 'tables.other[0].type'],
      ['rule: []', 'rule'],
      ['rules: {a: 1}', 'rules'],
    ];
    for (const [text, path] of cases) {
      assert.throws(() => parseRulesYaml(text, { table: 'trades' }), (e) => isFloeError(e, 'CONFIG_INVALID') && e.context.path === path, text);
    }
    assert.throws(() => parseRulesYaml('rules: [a: b: c]'), (e) => isFloeError(e, 'CONFIG_INVALID'));
  });
});
