import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { bindExpression, type BoundExpression } from '../../../src/iceberg/expr/bind.js';
import type { Expression } from '../../../src/iceberg/expr/expression.js';
import { partitionMightMatch, projectToPartition } from '../../../src/iceberg/expr/partition-evaluator.js';
import type { PartitionSpec } from '../../../src/iceberg/spec/partition-spec.js';
import { applyTransform, parseTransform } from '../../../src/iceberg/spec/transforms.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { cmp, schema } from './fixtures.js';

/** A spec with one partition field (id 1000) on `sourceId`. */
const specOf = (sourceId: number, transform: string): PartitionSpec => ({
  'spec-id': 1,
  fields: [{ 'source-id': sourceId, 'field-id': 1000, name: 'p', transform }],
});

function projectOne(e: Expression, sourceId: number, transform: string): BoundExpression {
  return projectToPartition(bindExpression(e, schema), specOf(sourceId, transform), schema);
}

/** Whether a file whose only partition value is `value` might match `e`. */
function matchesPartition(e: Expression, sourceId: number, transform: string, value: PrimitiveValue | null): boolean {
  return partitionMightMatch(projectOne(e, sourceId, transform), new Map([[1000, value]]));
}

const H = 3_600_000_000n;
const D = 24n * H;
const T_2024 = 1704067200000000n; // 2024-01-01T00:00:00 in µs

test('identity: every operator evaluates on the partition value', () => {
  const m = (e: Expression, v: PrimitiveValue | null): boolean => matchesPartition(e, 2, 'identity', v);
  assert.equal(m(cmp('eq', 'i', 5), 5), true);
  assert.equal(m(cmp('eq', 'i', 5), 6), false);
  assert.equal(m(cmp('neq', 'i', 5), 5), false);
  assert.equal(m(cmp('neq', 'i', 5), 6), true);
  assert.equal(m(cmp('lt', 'i', 5), 5), false);
  assert.equal(m(cmp('lt', 'i', 5), 4), true);
  assert.equal(m(cmp('lte', 'i', 5), 5), true);
  assert.equal(m(cmp('gt', 'i', 5), 5), false);
  assert.equal(m(cmp('gte', 'i', 5), 5), true);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 5] }, 5), true);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 5] }, 2), false);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 5], negated: true }, 5), false);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 5], negated: true }, 2), true);
  assert.equal(matchesPartition(cmp('eq', 's', 'x'), 3, 'identity', 'x'), true);
  assert.equal(matchesPartition(cmp('eq', 's', 'x'), 3, 'identity', 'y'), false);
  assert.equal(matchesPartition(cmp('lt', 's', '\uFF21'), 3, 'identity', '\u{1F600}'), false);
  // Partition values written before an int → long promotion are numbers; literals for long are bigints.
  assert.equal(matchesPartition(cmp('eq', 'id', 5), 1, 'identity', 5), true);
  assert.equal(matchesPartition(cmp('gt', 'id', 5), 1, 'identity', 5), false);
});

test('identity: a null partition value matches is-null only', () => {
  const m = (e: Expression): boolean => matchesPartition(e, 2, 'identity', null);
  assert.equal(m({ kind: 'is-null', column: 'i' }), true);
  assert.equal(m({ kind: 'not-null', column: 'i' }), false);
  for (const op of ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'] as const) assert.equal(m(cmp(op, 'i', 1)), false, op);
  assert.equal(m({ kind: 'in', column: 'i', values: [1], negated: true }), false);
  assert.equal(matchesPartition({ kind: 'is-null', column: 'i' }, 2, 'identity', 3), false);
  assert.equal(matchesPartition({ kind: 'not-nan', column: 'dbl' }, 9, 'identity', null), false);
});

test('identity on doubles: NaN partitions match is-nan, != and > only', () => {
  const m = (e: Expression, v: PrimitiveValue): boolean => matchesPartition(e, 9, 'identity', v);
  assert.equal(m({ kind: 'is-nan', column: 'dbl' }, NaN), true);
  assert.equal(m({ kind: 'is-nan', column: 'dbl' }, 1.5), false);
  assert.equal(m({ kind: 'not-nan', column: 'dbl' }, NaN), false);
  assert.equal(m(cmp('eq', 'dbl', 1), NaN), false);
  assert.equal(m(cmp('lt', 'dbl', 1), NaN), false);
  assert.equal(m(cmp('gt', 'dbl', 1), NaN), true);
  assert.equal(m(cmp('neq', 'dbl', 1), NaN), true);
  assert.equal(m(cmp('eq', 'dbl', NaN), NaN), true);
});

test('bucket: = and IN project to bucket values; ranges and != do not prune', () => {
  const bucketOf = (v: bigint): number => applyTransform(parseTransform('bucket[16]'), 'long', v) as number;
  const b = bucketOf(34n);
  const other = (b + 1) % 16;
  const m = (e: Expression, v: number | null): boolean => matchesPartition(e, 1, 'bucket[16]', v);
  assert.equal(m(cmp('eq', 'id', 34), b), true);
  assert.equal(m(cmp('eq', 'id', 34), other), false);
  assert.equal(m({ kind: 'in', column: 'id', values: [34, 35] }, bucketOf(35n)), true);
  const notIn = [...Array(16).keys()].find((x) => x !== b && x !== bucketOf(35n)) as number;
  assert.equal(m({ kind: 'in', column: 'id', values: [34, 35] }, notIn), false);
  for (const op of ['lt', 'lte', 'gt', 'gte', 'neq'] as const) assert.equal(m(cmp(op, 'id', 34), other), true, op);
  assert.equal(m({ kind: 'in', column: 'id', values: [34], negated: true }, b), true);
  assert.equal(m({ kind: 'is-null', column: 'id' }, null), true);
  assert.equal(m({ kind: 'is-null', column: 'id' }, b), false);
  // Ints hash as longs (Appendix B), so an int column uses the same bucket for the same number.
  assert.equal(matchesPartition(cmp('eq', 'i', 34), 2, 'bucket[16]', b), true);
});

test('truncate[10] on int: range boundaries and negative values', () => {
  const m = (e: Expression, v: number): boolean => matchesPartition(e, 2, 'truncate[10]', v);
  // i < 10 is i <= 9, whose truncation is 0.
  assert.equal(m(cmp('lt', 'i', 10), 0), true);
  assert.equal(m(cmp('lt', 'i', 10), 10), false);
  assert.equal(m(cmp('lte', 'i', 10), 10), true);
  assert.equal(m(cmp('lte', 'i', 10), 20), false);
  // i > 9 is i >= 10.
  assert.equal(m(cmp('gt', 'i', 9), 0), false);
  assert.equal(m(cmp('gt', 'i', 9), 10), true);
  assert.equal(m(cmp('gte', 'i', 9), 0), true);
  assert.equal(m(cmp('eq', 'i', 15), 10), true);
  assert.equal(m(cmp('eq', 'i', 15), 0), false);
  // Negatives floor: -1 → -10, -10 → -10, -11 → -20.
  assert.equal(m(cmp('eq', 'i', -1), -10), true);
  assert.equal(m(cmp('eq', 'i', -1), 0), false);
  assert.equal(m(cmp('lt', 'i', -10), -10), false);
  assert.equal(m(cmp('lt', 'i', -10), -20), true);
  assert.equal(m(cmp('gt', 'i', -11), -20), false);
  assert.equal(m(cmp('gt', 'i', -11), -10), true);
  assert.equal(m(cmp('neq', 'i', 15), 10), true);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 25] }, 20), true);
  assert.equal(m({ kind: 'in', column: 'i', values: [1, 25] }, 10), false);
  // At the int range's edge: the largest int truncates to 2147483640, and a bound with no next value (only
  // reachable by building the bound expression by hand) projects to true instead of wrapping around.
  assert.equal(m(cmp('gt', 'i', 2 ** 31 - 2), 2147483640), true);
  assert.equal(m(cmp('gt', 'i', 2 ** 31 - 2), 2147483630), false);
  const ref = { fieldId: 2, name: 'i', type: { kind: 'int' as const } };
  const edge: BoundExpression = { kind: 'compare', op: 'gt', ref, value: 2 ** 31 - 1 };
  assert.deepEqual(projectToPartition(edge, specOf(2, 'truncate[10]'), schema), { kind: 'true' });
});

test('truncate on long, decimal and string', () => {
  assert.equal(matchesPartition(cmp('lt', 'id', 100), 1, 'truncate[100]', 100n), false);
  assert.equal(matchesPartition(cmp('lte', 'id', 100), 1, 'truncate[100]', 100n), true);
  // decimal(9,2) truncate[50]: 10.65 → 10.50; `< 10.50` is `<= 10.49` → 10.00.
  assert.equal(matchesPartition(cmp('eq', 'dec', '10.65'), 7, 'truncate[50]', 1050n), true);
  assert.equal(matchesPartition(cmp('eq', 'dec', '10.65'), 7, 'truncate[50]', 1000n), false);
  assert.equal(matchesPartition(cmp('lt', 'dec', '10.50'), 7, 'truncate[50]', 1050n), false);
  assert.equal(matchesPartition(cmp('lt', 'dec', '10.50'), 7, 'truncate[50]', 1000n), true);
  const s = (e: Expression, v: string): boolean => matchesPartition(e, 3, 'truncate[3]', v);
  assert.equal(s(cmp('eq', 's', 'abcdef'), 'abc'), true);
  assert.equal(s(cmp('eq', 's', 'abcdef'), 'abd'), false);
  assert.equal(s(cmp('lt', 's', 'abc'), 'abc'), true);
  assert.equal(s(cmp('lt', 's', 'abc'), 'abd'), false);
  assert.equal(s(cmp('gt', 's', 'abcz'), 'abc'), true);
  assert.equal(s(cmp('gt', 's', 'abcz'), 'abb'), false);
  assert.equal(s(cmp('neq', 's', 'abc'), 'abc'), true);
});

test('day on timestamp: boundaries around midnight', () => {
  const m = (e: Expression, day: number): boolean => matchesPartition(e, 5, 'day', day);
  const jan1 = 19723;
  // ts < 2024-01-02T00:00 is ts <= 2024-01-01T23:59:59.999999, on day Jan 1.
  assert.equal(m(cmp('lt', 'ts', '2024-01-02T00:00:00'), jan1 + 1), false);
  assert.equal(m(cmp('lt', 'ts', '2024-01-02T00:00:00'), jan1), true);
  assert.equal(m(cmp('lte', 'ts', '2024-01-02T00:00:00'), jan1 + 1), true);
  assert.equal(m(cmp('gt', 'ts', '2024-01-01T23:59:59.999999'), jan1), false);
  assert.equal(m(cmp('gt', 'ts', '2024-01-01T23:59:59.999999'), jan1 + 1), true);
  assert.equal(m(cmp('gte', 'ts', '2024-01-01T23:59:59.999999'), jan1), true);
  assert.equal(m(cmp('eq', 'ts', '2024-01-01T12:00:00'), jan1), true);
  assert.equal(m(cmp('eq', 'ts', '2024-01-01T12:00:00'), jan1 + 1), false);
  assert.equal(m({ kind: 'in', column: 'ts', values: [T_2024, T_2024 + 2n * D] }, jan1 + 1), false);
  assert.equal(m({ kind: 'in', column: 'ts', values: [T_2024, T_2024 + 2n * D] }, jan1 + 2), true);
  assert.equal(m(cmp('neq', 'ts', T_2024), jan1), true);
  assert.equal(matchesPartition(cmp('eq', 'ts_ns', '2024-01-01T12:00:00'), 11, 'day', jan1), true);
  assert.equal(matchesPartition(cmp('eq', 'ts_ns', '2024-01-01T12:00:00'), 11, 'day', jan1 - 1), false);
});

test('day on timestamp before 1970, including the legacy off-by-one values of old writers', () => {
  const m = (e: Expression, day: number): boolean => matchesPartition(e, 5, 'day', day);
  // 1969-12-31T10:00 is day -1; Iceberg <= 0.10 wrote 0 for it, which is still admitted.
  assert.equal(m(cmp('eq', 'ts', '1969-12-31T10:00:00'), -1), true);
  assert.equal(m(cmp('eq', 'ts', '1969-12-31T10:00:00'), 0), true);
  assert.equal(m(cmp('eq', 'ts', '1969-12-31T10:00:00'), -2), false);
  assert.equal(m(cmp('eq', 'ts', '1969-12-31T10:00:00'), 1), false);
  // ts < 1970-01-01 is ts <= -1 µs, day -1 (and legacy 0); day 1 cannot match.
  assert.equal(m(cmp('lt', 'ts', '1970-01-01T00:00:00'), -1), true);
  assert.equal(m(cmp('lt', 'ts', '1970-01-01T00:00:00'), 1), false);
  assert.equal(m(cmp('gte', 'ts', '1969-12-31T00:00:00'), -2), false);
  assert.equal(m(cmp('gte', 'ts', '1969-12-31T00:00:00'), -1), true);
  // Day on a date column is exact: no legacy widening there.
  assert.equal(matchesPartition(cmp('eq', 'd', '1969-12-31'), 4, 'day', 0), false);
  assert.equal(matchesPartition(cmp('eq', 'd', '1969-12-31'), 4, 'day', -1), true);
});

test('month on date and hour on timestamp around boundaries', () => {
  const month = (e: Expression, v: number): boolean => matchesPartition(e, 4, 'month', v);
  const mar2024 = (2024 - 1970) * 12 + 2;
  assert.equal(month(cmp('gte', 'd', '2024-03-15'), mar2024 - 1), false);
  assert.equal(month(cmp('gte', 'd', '2024-03-15'), mar2024), true);
  assert.equal(month(cmp('lt', 'd', '2024-03-01'), mar2024), false);
  assert.equal(month(cmp('lt', 'd', '2024-03-01'), mar2024 - 1), true);
  assert.equal(month(cmp('gt', 'd', '2024-02-29'), mar2024 - 1), false);
  assert.equal(month(cmp('eq', 'd', '1969-12-15'), -1), true);
  assert.equal(month(cmp('eq', 'd', '1969-12-15'), 0), true); // legacy value
  assert.equal(month(cmp('eq', 'd', '1969-12-15'), -2), false);
  assert.equal(month(cmp('gt', 'd', '1969-11-30'), -2), false);

  const hour = (e: Expression, v: number): boolean => matchesPartition(e, 5, 'hour', v);
  const h10 = 473352 + 10; // hours from the epoch to 2024-01-01T10:00
  assert.equal(hour(cmp('gt', 'ts', '2024-01-01T10:59:59.999999'), h10), false);
  assert.equal(hour(cmp('gt', 'ts', '2024-01-01T10:59:59.999999'), h10 + 1), true);
  assert.equal(hour(cmp('lt', 'ts', '2024-01-01T10:00:00'), h10), false);
  assert.equal(hour(cmp('lt', 'ts', '2024-01-01T10:00:00'), h10 - 1), true);
  assert.equal(hour(cmp('lt', 'ts', '1969-12-31T23:00:00'), -1), true); // legacy: -2 widened to -1
  assert.equal(hour(cmp('lt', 'ts', '1969-12-31T23:00:00'), 0), false);
  const year = (e: Expression, v: number): boolean => matchesPartition(e, 5, 'year', v);
  assert.equal(year(cmp('gte', 'ts', '2024-06-01T00:00:00'), 53), false);
  assert.equal(year(cmp('gte', 'ts', '2024-06-01T00:00:00'), 54), true);
});

test('AND, OR and NOT over projections; several fields on one column; void and missing fields', () => {
  const spec: PartitionSpec = {
    'spec-id': 2,
    fields: [
      { 'source-id': 5, 'field-id': 1000, name: 'ts_day', transform: 'day' },
      { 'source-id': 2, 'field-id': 1001, name: 'i', transform: 'identity' },
      { 'source-id': 5, 'field-id': 1002, name: 'ts_hour', transform: 'hour' },
      { 'source-id': 3, 'field-id': 1003, name: 's_void', transform: 'void' },
    ],
  };
  const part = (day: number, i: number | null, hour: number): Map<number, PrimitiveValue | null> =>
    new Map<number, PrimitiveValue | null>([[1000, day], [1001, i], [1002, hour], [1003, null]]);
  const m = (e: Expression, p: Map<number, PrimitiveValue | null>): boolean =>
    partitionMightMatch(projectToPartition(bindExpression(e, schema), spec, schema), p);
  const jan1 = 19723;
  const h = 473352;
  const ts = cmp('gte', 'ts', '2024-01-01T05:00:00');
  // Both projections of ts must hold: day Jan 1 passes, hour 4 of Jan 1 does not.
  assert.equal(m(ts, part(jan1, 1, h + 5)), true);
  assert.equal(m(ts, part(jan1, 1, h + 4)), false);
  // NOT (i = 1) is i != 1: identity prunes i = 1, never "not might match".
  assert.equal(m({ kind: 'not', child: cmp('eq', 'i', 1) }, part(jan1, 1, h)), false);
  assert.equal(m({ kind: 'not', child: cmp('eq', 'i', 1) }, part(jan1, 2, h)), true);
  // NOT (ts = X) projects to nothing through day, so the file stays.
  assert.equal(m({ kind: 'not', child: cmp('eq', 'ts', '2024-01-01T05:00:00') }, part(jan1, 1, h + 5)), true);
  assert.equal(m({ kind: 'and', left: ts, right: cmp('eq', 'i', 2) }, part(jan1, 1, h + 5)), false);
  assert.equal(m({ kind: 'or', left: cmp('lt', 'ts', '2023-01-01T00:00:00'), right: cmp('eq', 'i', 2) }, part(jan1, 1, h)), false);
  assert.equal(m({ kind: 'or', left: cmp('lt', 'ts', '2023-01-01T00:00:00'), right: cmp('eq', 'i', 1) }, part(jan1, 1, h)), true);
  assert.equal(m({ kind: 'not', child: { kind: 'not-null', column: 'i' } }, part(jan1, null, h)), true);
  assert.equal(m({ kind: 'not', child: { kind: 'not-null', column: 'i' } }, part(jan1, 3, h)), false);
  // The void field and unpartitioned columns never prune; a field missing from the tuple is unknown.
  assert.equal(m(cmp('eq', 's', 'x'), part(jan1, 1, h)), true);
  assert.equal(m(cmp('eq', 'dec', 1), part(jan1, 1, h)), true);
  assert.equal(m(cmp('eq', 'i', 5), new Map()), true);
  assert.equal(m({ kind: 'is-null', column: 'i' }, new Map()), true);
  assert.deepEqual(projectOne(cmp('eq', 's', 'x'), 3, 'void'), { kind: 'true' });
  assert.deepEqual(projectOne(cmp('eq', 's', 'x'), 3, 'zorder'), { kind: 'true' });
});
