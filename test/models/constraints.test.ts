import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { resolveConstraints, toValidationRules, translateChecks, likeToRegex } from '../../src/models/constraints.js';
import { tableJsonSchema } from '../../src/models/json-schema.js';
import { toClassName, toPropertyName, uniqueNames } from '../../src/models/naming.js';
import { isFloeError } from '../../src/errors.js';
import type { FloeError } from '../../src/errors.js';
import { tradingSchema, TRADING_OPTIONS } from './trading-schema.js';

const positions = () => tradingSchema().tables[1];
const accounts = () => tradingSchema().tables[0];

test('naming: classes, properties, collisions, PURE-safe identifiers', () => {
  assert.equal(toClassName('trade_log'), 'TradeLog');
  assert.equal(toClassName('positions'), 'Position');
  assert.equal(toClassName('"open-order entries"'), 'OpenOrderEntry');
  assert.equal(toClassName('2024_fills'), '_2024Fill');
  assert.equal(toPropertyName('Order Date'), 'orderDate');
  assert.equal(toPropertyName('account_id'), 'accountId');
  assert.equal(toPropertyName('userID'), 'userId');
  assert.equal(toPropertyName('let'), 'let_');
  assert.deepEqual(uniqueNames(['a', 'a', 'a2', 'a']), ['a', 'a2', 'a22', 'a3']);
});

test('predefined constraints find their columns', () => {
  assert.deepEqual(resolveConstraints(positions(), ['qtyPositive', 'validTicker', { name: 'notNull', column: 'price' }]), [
    { name: 'qtyPositive', column: 'qty', check: '>', value: 0 },
    { name: 'validTicker', column: 'ticker', check: 'regex', value: '^[A-Z][A-Z0-9.]{0,9}$' },
    { name: 'notNull', column: 'price', check: 'notNull' },
  ]);
  assert.equal(resolveConstraints(positions(), ['validTicker'], { tickerPattern: '^[A-Z]{1,4}$' })[0].value, '^[A-Z]{1,4}$');
  assert.throws(() => resolveConstraints(accounts(), ['qtyPositive']), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => resolveConstraints(accounts(), ['validTicker']), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => resolveConstraints(accounts(), ['bogus']), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('user-defined constraints are validated', () => {
  const err = (spec: Record<string, unknown>): FloeError => {
    try { resolveConstraints(positions(), [spec]); } catch (e) { if (isFloeError(e)) return e; throw e; }
    assert.fail('expected an error');
  };
  const missing = err({ name: 'maxQty', column: 'quantity_x', check: '<', value: 10 });
  assert.equal(missing.code, 'INVALID_ARGUMENT');
  assert.equal(missing.context.column, 'quantity_x');
  assert.equal(err({ name: 'x', column: 'qty', check: 'like', value: 1 }).code, 'INVALID_ARGUMENT');
  assert.equal(err({ name: 'x', column: 'qty', check: '<', value: 'ten' }).code, 'INVALID_ARGUMENT');
  assert.equal(err({ name: 'x', column: 'ticker', check: 'regex', value: '([' }).code, 'INVALID_ARGUMENT');
  assert.equal(err({ name: 'x', column: 'qty', check: 'between', min: 5, max: 1 }).code, 'INVALID_ARGUMENT');
  assert.throws(() => resolveConstraints(positions(), ['qtyPositive', 'qtyPositive']), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.deepEqual(resolveConstraints(positions(), [{ name: 'maxQty', column: 'QTY', check: '<=', value: 1000 }]),
    [{ name: 'maxQty', column: 'qty', check: '<=', value: 1000 }]);
});

test('database CHECKs translate: comparisons, flipped, IN, ANY(ARRAY), BETWEEN, LIKE, NOT NULL', () => {
  const t = positions();
  t.checks = [
    { name: 'a', sql: 'CHECK ((qty > (0)::numeric))' },
    { name: 'b', sql: 'CHECK (0 < qty)' },
    { name: 'c', sql: "CHECK (side IN ('buy', 'sell'))" },
    { name: 'd', sql: "CHECK (((side)::text = ANY ((ARRAY['buy'::character varying, 'sell'::character varying])::text[])))" },
    { name: 'e', sql: 'CHECK (price BETWEEN 1 AND 10)' },
    { name: 'f', sql: "CHECK (ticker LIKE 'A_%')" },
    { name: 'g', sql: 'CHECK ("Order Date" IS NOT NULL)' },
    { name: 'h', sql: 'CHECK (qty <> -1)' },
    { name: 'i', sql: 'CHECK (qty > 0 OR price > 0)' },
    { name: 'j', sql: 'CHECK (nosuch > 0)' },
  ];
  const { constraints, warnings } = translateChecks(t);
  assert.deepEqual(constraints, [
    { name: 'a', column: 'qty', check: '>', value: 0 },
    { name: 'b', column: 'qty', check: '>', value: 0 },
    { name: 'c', column: 'side', check: 'in', values: ['buy', 'sell'] },
    { name: 'd', column: 'side', check: 'in', values: ['buy', 'sell'] },
    { name: 'e', column: 'price', check: 'between', min: 1, max: 10 },
    { name: 'f', column: 'ticker', check: 'regex', value: '^A..*$' },
    { name: 'g', column: 'Order Date', check: 'notNull' },
    { name: 'h', column: 'qty', check: '!=', value: -1 },
  ]);
  assert.deepEqual(warnings.map((w) => w.code), ['UNSUPPORTED_CONSTRAINT', 'UNSUPPORTED_CONSTRAINT']);
  assert.equal(likeToRegex('a.b%'), '^a\\.b.*$');
});

test('validation rules for the backfill', () => {
  const rules = toValidationRules(resolveConstraints(positions(), [
    'qtyPositive', 'validTicker', { name: 'n', column: 'price', check: 'notNull' },
    { name: 's', column: 'side', check: 'in', values: ['buy'] }, { name: 'r', column: 'price', check: 'between', min: 1, max: 2 },
  ]));
  assert.deepEqual(rules, [
    { name: 'qtyPositive', column: 'qty', type: 'range', min: 0, exclusiveMin: true },
    { name: 'validTicker', column: 'ticker', type: 'regex', pattern: '^[A-Z][A-Z0-9.]{0,9}$' },
    { name: 'n', column: 'price', type: 'not_null' },
    { name: 's', column: 'side', type: 'accepted_values', values: ['buy'] },
    { name: 'r', column: 'price', type: 'range', min: 1, max: 2, exclusiveMin: false, exclusiveMax: false },
  ]);
});

test('JSON Schema (2020-12) accepts good rows and rejects each broken constraint', () => {
  const schema = tradingSchema();
  const t = positions();
  const constraints = [...translateChecks(t).constraints, ...resolveConstraints(t, TRADING_OPTIONS.constraints.positions)];
  const ajv = new Ajv2020({ strict: true, allErrors: true, multipleOfPrecision: 9 });
  // Formats are not ajv's core: register the few floe writes, strict enough for the test rows.
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  const validate = ajv.compile(tableJsonSchema(t, schema.enums, constraints));
  const good = {
    account_id: 1, ticker: 'AAPL', qty: 12.35, side: 'buy', 'Order Date': '2024-01-02T10:00:00Z', price: 1.2345, geom: null,
    id: '123e4567-e89b-12d3-a456-426614174000',
  };
  assert.ok(validate(good), JSON.stringify(validate.errors));
  assert.ok(validate({ ...good, price: null, 'Order Date': null }), JSON.stringify(validate.errors));
  const bad: Array<[string, Record<string, unknown>]> = [
    ['qty > 0', { qty: 0 }],
    ['qty scale', { qty: 1.234 }],
    ['qty precision', { qty: 100000000 }],
    ['ticker pattern', { ticker: 'aapl' }],
    ['ticker LIKE _%', { ticker: '' }],
    ['ticker maxLength', { ticker: 'ABCDEFGHIJK' }],
    ['side enum', { side: 'hold' }],
    ['price range', { price: 100001 }],
    ['price scale', { price: 1.23456 }],
    ['date-time', { 'Order Date': 'yesterday' }],
    ['uuid', { id: 'nope' }],
    ['int', { account_id: 1.5 }],
    ['required', { qty: undefined }],
    ['not null', { ticker: null }],
    ['extra column', { extra: 1 }],
  ];
  for (const [label, patch] of bad) {
    const row: Record<string, unknown> = { ...good, ...patch };
    for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
    assert.equal(validate(row), false, `${label} should be rejected`);
  }
});
