import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../../src/models/model.js';
import { renderPure } from '../../src/models/pure.js';
import { renderLegendJson } from '../../src/models/legend-json.js';
import { modelJsonSchemas } from '../../src/models/json-schema.js';
import { tableIcebergSchema } from '../../src/models/iceberg-schema.js';
import { parsePure } from '../../src/models/pure-parser.js';
import { parseSchema } from '../../src/iceberg/spec/schema.js';
import { isFloeError } from '../../src/errors.js';
import { tradingSchema, TRADING_OPTIONS } from './trading-schema.js';

const EXPECTED = join(dirname(fileURLToPath(import.meta.url)), 'expected');

/** Compares with a committed golden file; `UPDATE_EXPECTED=1` rewrites it instead. */
function golden(name: string, actual: string): void {
  const file = join(EXPECTED, name);
  if (process.env.UPDATE_EXPECTED === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden file (UPDATE_EXPECTED=1 to regenerate)`);
}

const model = () => buildModel(tradingSchema(), TRADING_OPTIONS);

test('PURE grammar matches the golden file and is deterministic', () => {
  const text = renderPure(model());
  golden('trading.pure', text);
  assert.equal(renderPure(model()), text);
  assert.match(text, /Class \{[^}]*\} model::Position\n\[\n  positions_qty_check: \$this\.qty > 0,/);
});

test('Legend JSON entities match the golden files and lay out by package', () => {
  const files = renderLegendJson(model());
  assert.deepEqual([...files.keys()], [
    'entities/model/SqlType.json', 'entities/model/Side.json', 'entities/model/Account.json', 'entities/model/Position.json',
    'entities/model/Position_Account.json', 'entities/model/store/Trading.json', 'entities/model/mapping/TradingMapping.json',
  ]);
  for (const [path, entity] of files) golden(path, JSON.stringify(entity, null, 2) + '\n');
  const position = files.get('entities/model/Position.json')!.content as { constraints: Array<{ name: string; functionDefinition: { body: unknown[] } }> };
  assert.deepEqual(position.constraints.find((c) => c.name === 'qtyPositive')!.functionDefinition.body[0], {
    _type: 'func', function: 'greaterThan',
    parameters: [{ _type: 'property', property: 'qty', parameters: [{ _type: 'var', name: 'this' }] }, { _type: 'integer', value: 0 }],
  });
});

test('JSON Schemas and Iceberg schemas match the golden files', () => {
  for (const [table, schema] of modelJsonSchemas(model())) golden(`json-schema/${table}.json`, JSON.stringify(schema, null, 2) + '\n');
  for (const t of tradingSchema().tables) {
    const s = tableIcebergSchema(t);
    golden(`iceberg/${t.name}.json`, JSON.stringify(s, null, 2) + '\n');
    assert.deepEqual(parseSchema(JSON.parse(JSON.stringify(s)), 'test'), s);
  }
  const positions = tableIcebergSchema(tradingSchema().tables[1]);
  assert.deepEqual(positions['identifier-field-ids'], [1, 2]);
  assert.deepEqual(positions.fields.map((f) => f.type), ['int', 'string', 'decimal(10,2)', 'string', 'timestamptz', 'decimal(12,4)', 'string', 'uuid']);
  assert.equal(positions.fields[4].name, 'Order Date');
});

test('PURE text parses back into the same classes, enums and associations as the Legend JSON', () => {
  const m = model();
  const parsed = parsePure(renderPure(m));
  const fromJson = [...renderLegendJson(m).values()]
    .filter((e) => ['class', 'Enumeration', 'association', 'profile'].includes(e.content._type as string))
    .map((e) => e.content);
  assert.equal(parsed.length, 5);
  assert.deepEqual(parsed, fromJson);
});

test('a changed model makes the PURE round trip differ (the comparison can fail)', () => {
  const m = model();
  const text = renderPure(m).replace('$this.qty > 0,', '$this.qty >= 0,');
  const fromJson = [...renderLegendJson(m).values()].filter((e) => e.content._type === 'class').map((e) => e.content);
  assert.notDeepEqual(parsePure(text).filter((e) => e._type === 'class'), fromJson);
});

test('untranslatable CHECKs are warnings; PostgreSQL ~~ is LIKE', () => {
  const m = model();
  const checks = m.warnings.filter((w) => w.code === 'UNSUPPORTED_CONSTRAINT');
  assert.deepEqual(checks.map((w) => w.message.split(' ')[1]), ['odd_check']);
  const position = m.classes[1];
  assert.deepEqual(position.constraints.find((c) => c.name === 'ticker_like'), { name: 'ticker_like', column: 'ticker', check: 'regex', value: '^A.*$' });
  assert.ok(m.warnings.some((w) => w.code === 'UNKNOWN_TYPE'));
});

test('bad package and unknown tables are rejected with codes', () => {
  assert.throws(() => buildModel(tradingSchema(), { package: 'bad package' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => buildModel(tradingSchema(), { constraints: { nope: ['notNull'] } }), (e) => isFloeError(e, 'TABLE_NOT_FOUND'));
  const custom = buildModel(tradingSchema(), { package: 'org::trading' });
  assert.equal(custom.classes[0].path, 'org::trading::Account');
  assert.match(renderPure(custom), /Class org::trading::Account/);
});
