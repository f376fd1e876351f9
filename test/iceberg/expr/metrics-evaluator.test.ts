import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import type { DataFile } from '../../../src/iceberg/avro/manifest.js';
import { bindExpression } from '../../../src/iceberg/expr/bind.js';
import type { ComparisonOp, Expression } from '../../../src/iceberg/expr/expression.js';
import { fileMightMatch } from '../../../src/iceberg/expr/metrics-evaluator.js';
import { serializeValue, truncateLowerBound, truncateUpperBound } from '../../../src/iceberg/spec/bounds.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { cmp, schema } from './fixtures.js';

/** Statistics of one column: bounds serialized with `type` (Appendix D), counts as given. */
interface ColumnStats {
  type: string;
  lower?: PrimitiveValue;
  upper?: PrimitiveValue;
  values?: bigint;
  nulls?: bigint;
  nans?: bigint;
}

function dataFile(columns: Record<number, ColumnStats>, recordCount = 100n): DataFile {
  const file: DataFile = {
    content: 0,
    file_path: 's3://bucket/data/file.parquet',
    file_format: 'PARQUET',
    partition: new Map(),
    record_count: recordCount,
    file_size_in_bytes: 1024n,
    value_counts: new Map(),
    null_value_counts: new Map(),
    nan_value_counts: new Map(),
    lower_bounds: new Map(),
    upper_bounds: new Map(),
  };
  for (const [key, c] of Object.entries(columns)) {
    const id = Number(key);
    if (c.lower !== undefined) file.lower_bounds!.set(id, serializeValue(c.type, c.lower));
    if (c.upper !== undefined) file.upper_bounds!.set(id, serializeValue(c.type, c.upper));
    if (c.values !== undefined) file.value_counts!.set(id, c.values);
    if (c.nulls !== undefined) file.null_value_counts!.set(id, c.nulls);
    if (c.nans !== undefined) file.nan_value_counts!.set(id, c.nans);
  }
  return file;
}

const matches = (e: Expression, f: DataFile): boolean => fileMightMatch(bindExpression(e, schema), f);

test('int bounds: every comparison operator around both bounds', () => {
  const f = dataFile({ 2: { type: 'int', lower: 10, upper: 20, values: 100n, nulls: 0n } });
  const cases: Array<[ComparisonOp, number, boolean]> = [
    ['lt', 10, false], ['lt', 11, true], ['lte', 9, false], ['lte', 10, true],
    ['gt', 20, false], ['gt', 19, true], ['gte', 21, false], ['gte', 20, true],
    ['eq', 9, false], ['eq', 10, true], ['eq', 15, true], ['eq', 20, true], ['eq', 21, false],
    ['neq', 10, true], ['neq', 15, true],
  ];
  for (const [op, v, expected] of cases) assert.equal(matches(cmp(op, 'i', v), f), expected, `i ${op} ${v}`);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 2, 25] }, f), false);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 15] }, f), true);
  assert.equal(matches({ kind: 'in', column: 'i', values: [10, 20], negated: true }, f), true);
  // Inexact literals: i < 10.5 admits 10, i > 19.5 admits 20, i = 15.5 admits nothing.
  assert.equal(matches(cmp('lt', 'i', 10.5), f), true);
  assert.equal(matches(cmp('lt', 'i', 9.5), f), false);
  assert.equal(matches(cmp('gt', 'i', 19.5), f), true);
  assert.equal(matches(cmp('gt', 'i', 20.5), f), false);
});

test('!= and NOT IN prune only a file whose single value is excluded and that has no nulls', () => {
  const single = dataFile({ 2: { type: 'int', lower: 7, upper: 7, values: 100n, nulls: 0n } });
  assert.equal(matches(cmp('neq', 'i', 7), single), false);
  assert.equal(matches(cmp('neq', 'i', 8), single), true);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 7], negated: true }, single), false);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 8], negated: true }, single), true);
  const withNulls = dataFile({ 2: { type: 'int', lower: 7, upper: 7, values: 100n, nulls: 3n } });
  assert.equal(matches(cmp('neq', 'i', 7), withNulls), true);
  const unknownNulls = dataFile({ 2: { type: 'int', lower: 7, upper: 7 } });
  assert.equal(matches(cmp('neq', 'i', 7), unknownNulls), true);
});

test('long column: int literals and 4-byte bounds left by int → long promotion compare exactly', () => {
  const f = dataFile({ 1: { type: 'int', lower: -5, upper: 5 } });
  assert.equal(matches(cmp('eq', 'id', 5), f), true);
  assert.equal(matches(cmp('eq', 'id', 6), f), false);
  assert.equal(matches(cmp('lt', 'id', -5n), f), false);
  assert.equal(matches(cmp('lte', 'id', -5n), f), true);
  const big = dataFile({ 1: { type: 'long', lower: 2n ** 60n, upper: 2n ** 60n + 10n } });
  assert.equal(matches(cmp('eq', 'id', 2n ** 60n + 11n), big), false);
  assert.equal(matches(cmp('eq', 'id', 2n ** 60n + 10n), big), true);
});

test('string bounds, including a truncated upper bound that is still an upper bound', () => {
  const lower = truncateLowerBound('apple pie', 4);
  const upper = truncateUpperBound('azure sky', 4);
  assert.equal(lower, 'appl');
  assert.equal(upper, 'azus');
  const f = dataFile({ 3: { type: 'string', lower, upper: upper as string } });
  assert.equal(matches(cmp('eq', 's', 'azure sky'), f), true);
  assert.equal(matches(cmp('eq', 's', 'azus'), f), true);
  assert.equal(matches(cmp('eq', 's', 'azz'), f), false);
  assert.equal(matches(cmp('eq', 's', 'apple'), f), true);
  assert.equal(matches(cmp('eq', 's', 'app'), f), false);
  assert.equal(matches(cmp('lt', 's', 'appl'), f), false);
  assert.equal(matches(cmp('lt', 's', 'apple'), f), true);
  assert.equal(matches(cmp('gt', 's', 'azus'), f), false);
  assert.equal(matches(cmp('gt', 's', 'azure'), f), true);
  assert.equal(matches(cmp('gte', 's', 'azus'), f), true);
  // Two truncated bounds are never equal, so != cannot prune them.
  assert.equal(matches(cmp('neq', 's', 'appl'), f), true);
});

test('strings compare by code point (UTF-8 byte order), not by UTF-16 unit', () => {
  // U+FF21 sorts below U+1F600 by code point, above its surrogate pair by UTF-16 unit.
  const f = dataFile({ 3: { type: 'string', lower: 'a', upper: '\u{1F600}' } });
  assert.equal(matches(cmp('eq', 's', '\uFF21'), f), true);
  assert.equal(matches(cmp('eq', 's', '\u{1F601}'), f), false);
  const g = dataFile({ 3: { type: 'string', lower: '\u{1F600}', upper: '\u{1F600}z' } });
  assert.equal(matches(cmp('lt', 's', '\uFF21'), g), false);
});

test('date bounds with date and timestamp literals', () => {
  const f = dataFile({ 4: { type: 'date', lower: 19723, upper: 19753 } }); // 2024-01-01 .. 2024-01-31
  assert.equal(matches(cmp('eq', 'd', '2024-01-15'), f), true);
  assert.equal(matches(cmp('eq', 'd', '2024-02-01'), f), false);
  assert.equal(matches(cmp('eq', 'd', '2023-12-31'), f), false);
  assert.equal(matches(cmp('lt', 'd', '2024-01-01'), f), false);
  assert.equal(matches(cmp('lt', 'd', '2024-01-01T00:00:01'), f), true);
  assert.equal(matches(cmp('gt', 'd', '2024-01-31T12:00:00'), f), false);
  assert.equal(matches(cmp('gte', 'd', '2024-01-31'), f), true);
  const old = dataFile({ 4: { type: 'date', lower: -365, upper: -1 } }); // 1969
  assert.equal(matches(cmp('gte', 'd', '1970-01-01'), old), false);
  assert.equal(matches(cmp('gte', 'd', '1969-12-31'), old), true);
  assert.equal(matches(cmp('lt', 'd', '1969-01-01'), old), false);
});

test('timestamp and timestamptz bounds with ISO literals, offsets and zone-less literals', () => {
  const t0 = 1704067200000000n; // 2024-01-01T00:00:00
  const h = 3_600_000_000n;
  const ts = dataFile({ 5: { type: 'timestamp', lower: t0, upper: t0 + 10n * h } });
  assert.equal(matches(cmp('gt', 'ts', '2024-01-01T10:00:00'), ts), false);
  assert.equal(matches(cmp('gt', 'ts', '2024-01-01T09:59:59.999999'), ts), true);
  assert.equal(matches(cmp('lt', 'ts', '2024-01-01T00:00:00'), ts), false);
  assert.equal(matches(cmp('lte', 'ts', '2024-01-01'), ts), true);
  const pre = dataFile({ 5: { type: 'timestamp', lower: -10n * h, upper: -1n } });
  assert.equal(matches(cmp('gte', 'ts', '1970-01-01T00:00:00'), pre), false);
  assert.equal(matches(cmp('gte', 'ts', '1969-12-31T23:59:59.999999'), pre), true);

  const tz = dataFile({ 6: { type: 'timestamptz', lower: t0, upper: t0 + 10n * h } });
  assert.equal(matches(cmp('gt', 'tstz', '2024-01-01T12:00:00+00:00'), tz), false);
  assert.equal(matches(cmp('gt', 'tstz', '2024-01-01T12:00:00+04:00'), tz), true); // 08:00 UTC
  // Without an offset the instant depends on the session zone: widened by 14 hours, so no pruning here...
  assert.equal(matches(cmp('gt', 'tstz', '2024-01-01T12:00:00'), tz), true);
  // ...but a literal more than 14 hours past the upper bound still prunes.
  assert.equal(matches(cmp('gt', 'tstz', '2024-01-02T00:00:01'), tz), false);
});

test('decimal bounds compare at the column scale', () => {
  const f = dataFile({ 7: { type: 'decimal(9,2)', lower: 1050n, upper: 2000n } }); // 10.50 .. 20.00
  assert.equal(matches(cmp('eq', 'dec', '10.5'), f), true);
  assert.equal(matches(cmp('eq', 'dec', 10.49), f), false);
  assert.equal(matches(cmp('lt', 'dec', 10.5), f), false);
  assert.equal(matches(cmp('lt', 'dec', 10.505), f), true);
  assert.equal(matches(cmp('eq', 'dec', '10.505'), f), false);
  assert.equal(matches(cmp('gt', 'dec', 20), f), false);
  assert.equal(matches(cmp('gt', 'dec', 19.999), f), true);
  assert.equal(matches(cmp('gte', 'dec', '20.001'), f), false);
  assert.equal(matches(cmp('gte', 'dec', -1), f), true);
});

test('null counts: is-null, not-null, and comparisons on all-null columns', () => {
  const none = dataFile({ 2: { type: 'int', lower: 1, upper: 5, values: 10n, nulls: 0n } });
  const some = dataFile({ 2: { type: 'int', lower: 1, upper: 5, values: 10n, nulls: 4n } });
  const all = dataFile({ 2: { type: 'int', values: 10n, nulls: 10n } });
  assert.equal(matches({ kind: 'is-null', column: 'i' }, none), false);
  assert.equal(matches({ kind: 'is-null', column: 'i' }, some), true);
  assert.equal(matches({ kind: 'not-null', column: 'i' }, some), true);
  assert.equal(matches({ kind: 'not-null', column: 'i' }, all), false);
  assert.equal(matches({ kind: 'is-null', column: 'i' }, all), true);
  for (const op of ['lt', 'lte', 'gt', 'gte', 'eq'] as const) assert.equal(matches(cmp(op, 'i', 3), all), false, op);
  assert.equal(matches({ kind: 'in', column: 'i', values: [3] }, all), false);
});

test('NaN counts: is-nan, not-nan, NaN-only files and NaN rows under > and >=', () => {
  const nanOnly = dataFile({ 9: { type: 'double', values: 10n, nulls: 0n, nans: 10n } });
  assert.equal(matches({ kind: 'is-nan', column: 'dbl' }, nanOnly), true);
  assert.equal(matches({ kind: 'not-nan', column: 'dbl' }, nanOnly), false);
  assert.equal(matches(cmp('lt', 'dbl', 5), nanOnly), false);
  assert.equal(matches(cmp('eq', 'dbl', 5), nanOnly), false);
  // NaN sorts above every number, so NaN rows satisfy `> 5`.
  assert.equal(matches(cmp('gt', 'dbl', 5), nanOnly), true);

  const noNaN = dataFile({ 9: { type: 'double', lower: -1.5, upper: 3, values: 10n, nulls: 0n, nans: 0n } });
  assert.equal(matches({ kind: 'is-nan', column: 'dbl' }, noNaN), false);
  assert.equal(matches({ kind: 'not-nan', column: 'dbl' }, noNaN), true);
  assert.equal(matches(cmp('gt', 'dbl', 3), noNaN), false);
  assert.equal(matches(cmp('gte', 'dbl', 3), noNaN), true);
  assert.equal(matches(cmp('lt', 'dbl', -1.5), noNaN), false);
  assert.equal(matches(cmp('eq', 'dbl', NaN), noNaN), false);

  const someNaN = dataFile({ 9: { type: 'double', lower: -1.5, upper: 3, values: 10n, nulls: 0n, nans: 2n } });
  assert.equal(matches(cmp('gt', 'dbl', 3), someNaN), true);
  assert.equal(matches(cmp('lt', 'dbl', -1.5), someNaN), false);
  assert.equal(matches(cmp('eq', 'dbl', NaN), someNaN), true);
  // A NaN bound (as ORC writers have produced) is unreliable and ignored.
  const nanBound = dataFile({ 9: { type: 'double', lower: NaN, upper: NaN, values: 10n, nulls: 0n } });
  assert.equal(matches(cmp('lt', 'dbl', -100), nanBound), true);
  // != on a single float value needs a known-zero NaN count.
  const single = dataFile({ 9: { type: 'double', lower: 2, upper: 2, values: 10n, nulls: 0n } });
  assert.equal(matches(cmp('neq', 'dbl', 2), single), true);
  const singleNoNaN = dataFile({ 9: { type: 'double', lower: 2, upper: 2, values: 10n, nulls: 0n, nans: 0n } });
  assert.equal(matches(cmp('neq', 'dbl', 2), singleNoNaN), false);
});

test('float column: a double literal is compared with the float32 values around it', () => {
  const v = Math.fround(0.1);
  const f = dataFile({ 8: { type: 'float', lower: v, upper: v, nans: 0n } });
  assert.equal(matches(cmp('eq', 'f', 0.1), f), true);
  assert.equal(matches(cmp('eq', 'f', 0.2), f), false);
  assert.equal(matches(cmp('gt', 'f', 0.1), f), true);
  assert.equal(matches(cmp('gt', 'f', 0.2), f), false);
});

test('uuid: equality prunes only values outside the bounds in both the unsigned and Java signed orders', () => {
  const a = '00000000-0000-4000-8000-000000000001';
  const z = 'ffffffff-0000-4000-8000-000000000001';
  const m = '80000000-0000-4000-8000-000000000001';
  const range = dataFile({ 10: { type: 'uuid', lower: a, upper: m } });
  assert.equal(matches(cmp('eq', 'u', z), range), false);
  assert.equal(matches(cmp('eq', 'u', '40000000-0000-4000-8000-000000000001'), range), true);
  // f0... sorts below 10... in Java's signed order: a writer using it may have put 05... inside these bounds.
  const signed = dataFile({ 10: { type: 'uuid', lower: 'f0000000-0000-4000-8000-000000000001', upper: '10000000-0000-4000-8000-000000000001' } });
  assert.equal(matches(cmp('eq', 'u', '05000000-0000-4000-8000-000000000001'), signed), true);
  assert.equal(matches(cmp('eq', 'u', m), signed), false);
  const single = dataFile({ 10: { type: 'uuid', lower: m, upper: m, nulls: 0n } });
  assert.equal(matches(cmp('eq', 'u', z), single), false);
  assert.equal(matches(cmp('eq', 'u', m.toUpperCase()), single), true);
  assert.equal(matches(cmp('neq', 'u', m), single), false);
});

test('missing statistics might match; an empty file cannot', () => {
  const bare = dataFile({});
  for (const e of [cmp('eq', 'i', 1), cmp('lt', 's', 'a'), { kind: 'is-null', column: 'i' } as Expression]) {
    assert.equal(matches(e, bare), true);
  }
  const noMaps: DataFile = { ...dataFile({}), value_counts: undefined, lower_bounds: undefined };
  assert.equal(matches(cmp('gt', 'i', 5), noMaps), true);
  assert.equal(matches(cmp('eq', 'i', 1), dataFile({}, 0n)), false);
  assert.equal(matches(cmp('eq', 'i', 1), dataFile({ 2: { type: 'int', lower: 5, upper: 5 } }, -1n)), true);
  // A corrupt bound is ignored rather than trusted or thrown.
  const corrupt = dataFile({});
  corrupt.lower_bounds!.set(2, Uint8Array.of(1, 2));
  assert.equal(matches(cmp('lt', 'i', -100), corrupt), true);
});

test('AND, OR and NOT: NOT is pushed down, never evaluated as "not might match"', () => {
  const f = dataFile({ 2: { type: 'int', lower: 0, upper: 20, values: 10n, nulls: 0n } });
  const eq10 = cmp('eq', 'i', 10);
  // i = 10 might match, and so might NOT (i = 10): negating "might match" would wrongly skip the file.
  assert.equal(matches(eq10, f), true);
  assert.equal(matches({ kind: 'not', child: eq10 }, f), true);
  assert.equal(matches({ kind: 'not', child: cmp('gt', 'i', 3) }, f), true);
  assert.equal(matches({ kind: 'not', child: cmp('gte', 'i', 0) }, f), false);
  assert.equal(matches({ kind: 'not', child: cmp('lt', 'i', 21) }, f), false);
  assert.equal(matches({ kind: 'and', left: cmp('gt', 'i', 5), right: cmp('lt', 'i', 0) }, f), false);
  assert.equal(matches({ kind: 'and', left: cmp('gt', 'i', 5), right: cmp('lt', 'i', 7) }, f), true);
  assert.equal(matches({ kind: 'or', left: cmp('gt', 'i', 25), right: cmp('lt', 'i', 0) }, f), false);
  assert.equal(matches({ kind: 'or', left: cmp('gt', 'i', 25), right: cmp('lt', 'i', 1) }, f), true);
  const deMorgan: Expression = {
    kind: 'not',
    child: { kind: 'or', left: cmp('lt', 'i', 30), right: { kind: 'is-null', column: 'i' } },
  };
  assert.equal(matches(deMorgan, f), false);
  assert.equal(matches({ kind: 'not', child: { kind: 'not-null', column: 'i' } }, f), false);
});
