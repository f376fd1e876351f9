import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../src/errors.js';
import { bindExpression, type BoundExpression } from '../../../src/iceberg/expr/bind.js';
import type { Expression } from '../../../src/iceberg/expr/expression.js';
import { negate, rewriteNot } from '../../../src/iceberg/expr/expression.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { cmp, schema } from './fixtures.js';

const bind = (e: Expression): BoundExpression => bindExpression(e, schema);

/** A compact rendering of a bound expression, so expectations read like the predicates they describe. */
function show(e: BoundExpression): string {
  const v = (x: PrimitiveValue): string => (typeof x === 'bigint' ? `${x}n` : JSON.stringify(x));
  switch (e.kind) {
    case 'true':
    case 'false':
      return e.kind;
    case 'and':
    case 'or':
      return `(${show(e.left)} ${e.kind} ${show(e.right)})`;
    case 'compare':
      return `${e.ref.fieldId} ${e.op} ${v(e.value)}`;
    case 'in':
      return `${e.ref.fieldId} ${e.negated ? 'not-in' : 'in'} [${e.values.map(v).join(',')}]`;
    default:
      return `${e.kind}(${e.ref.fieldId})`;
  }
}

test('resolves names, nested struct fields and case-insensitive names to field ids and types', () => {
  const b = bind(cmp('eq', 'id', 5));
  assert.equal(show(b), '1 eq 5n');
  assert.ok(b.kind === 'compare' && b.ref.type.kind === 'long');
  assert.equal(show(bind(cmp('gt', 'loc.Lat', 1.5))), '14 gt 1.5');
  assert.equal(show(bindExpression(cmp('gt', 'LOC.lat', 1.5), schema, false)), '14 gt 1.5');
  assert.throws(() => bind(cmp('gt', 'LOC.lat', 1.5)), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('unknown columns, list elements and non-primitive columns are INVALID_ARGUMENT with context.column', () => {
  for (const column of ['nope', 'tags.element', 'loc']) {
    assert.throws(
      () => bind({ kind: 'is-null', column }),
      (e) => isFloeError(e, 'INVALID_ARGUMENT') && e.context.column === column,
    );
  }
  assert.throws(() => bind(cmp('eq', 'i', 'abc')), (e) => isFloeError(e, 'INVALID_ARGUMENT') && e.context.column === 'i');
  assert.throws(() => bind(cmp('eq', 's', 5)), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => bind(cmp('eq', 'd', '2024-02-30')), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => bind({ kind: 'is-nan', column: 'i' }), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('integer literals are converted to the column type; inexact ones widen to the nearest integers', () => {
  assert.equal(show(bind(cmp('lt', 'id', 7))), '1 lt 7n');
  assert.equal(show(bind(cmp('lt', 'i', 7n))), '2 lt 7');
  assert.equal(show(bind(cmp('lt', 'i', 5.5))), '2 lt 6');
  assert.equal(show(bind(cmp('lte', 'i', 5.5))), '2 lte 5');
  assert.equal(show(bind(cmp('gt', 'i', 5.5))), '2 gt 5');
  assert.equal(show(bind(cmp('gte', 'i', 5.5))), '2 gte 6');
  assert.equal(show(bind(cmp('gte', 'i', -5.5))), '2 gte -5');
  assert.equal(show(bind(cmp('eq', 'i', 5.5))), 'false');
  assert.equal(show(bind(cmp('neq', 'i', 5.5))), 'not-null(2)');
  assert.equal(show(bind(cmp('eq', 'i', '42'))), '2 eq 42');
});

test('literals outside the column range become not-null or false instead of overflowing', () => {
  assert.equal(show(bind(cmp('eq', 'i', 1e10))), 'false');
  assert.equal(show(bind(cmp('lt', 'i', 1e10))), 'not-null(2)');
  assert.equal(show(bind(cmp('gt', 'i', 1e10))), 'false');
  assert.equal(show(bind(cmp('gt', 'i', -1e10))), 'not-null(2)');
  assert.equal(show(bind(cmp('lt', 'i', -(2 ** 31)))), 'false');
  assert.equal(show(bind(cmp('lte', 'i', -(2 ** 31)))), `2 lte ${-(2 ** 31)}`);
  assert.equal(show(bind(cmp('lt', 'id', 2n ** 70n))), 'not-null(1)');
  assert.equal(show(bind(cmp('gte', 'i', Infinity))), 'false');
  assert.equal(show(bind(cmp('lte', 'i', Infinity))), 'not-null(2)');
  assert.equal(show(bind(cmp('eq', 'i', NaN))), 'true');
});

test('decimal literals become unscaled values at the column scale', () => {
  assert.equal(show(bind(cmp('eq', 'dec', '12.34'))), '7 eq 1234n');
  assert.equal(show(bind(cmp('eq', 'dec', 12.3))), '7 eq 1230n');
  assert.equal(show(bind(cmp('eq', 'dec', 1234n))), '7 eq 1234n');
  assert.equal(show(bind(cmp('eq', 'dec', '-0.05'))), '7 eq -5n');
  assert.equal(show(bind(cmp('eq', 'dec', 12.345))), 'false');
  assert.equal(show(bind(cmp('lt', 'dec', 12.345))), '7 lt 1235n');
  assert.equal(show(bind(cmp('gt', 'dec', '-12.345'))), '7 gt -1235n');
  assert.equal(show(bind(cmp('eq', 'dec', '1e10'))), 'false'); // more digits than precision 9 allows
});

test('date, time and timestamp strings become days, micros and nanos', () => {
  assert.equal(show(bind(cmp('eq', 'd', '2024-01-01'))), '4 eq 19723');
  assert.equal(show(bind(cmp('eq', 'd', '1969-12-31'))), '4 eq -1');
  assert.equal(show(bind(cmp('eq', 'd', 19723))), '4 eq 19723');
  // A date equals a timestamp only at midnight; `< noon` still admits that day.
  assert.equal(show(bind(cmp('eq', 'd', '2024-01-01T12:00:00'))), 'false');
  assert.equal(show(bind(cmp('lt', 'd', '2024-01-01T12:00:00'))), '4 lt 19724');
  assert.equal(show(bind(cmp('gte', 'd', '2024-01-01T12:00:00'))), '4 gte 19724');
  assert.equal(show(bind(cmp('eq', 'ts', '2024-01-01T00:00:00.000001'))), '5 eq 1704067200000001n');
  assert.equal(show(bind(cmp('eq', 'ts', '2024-01-01 00:00'))), '5 eq 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'ts', '2024-01-01'))), '5 eq 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'ts', '1969-12-31T23:59:59.999999'))), '5 eq -1n');
  // Sub-microsecond digits cannot be represented: equality is impossible, ranges round outward.
  assert.equal(show(bind(cmp('eq', 'ts', '2024-01-01T00:00:00.0000005'))), 'false');
  assert.equal(show(bind(cmp('gt', 'ts', '2024-01-01T00:00:00.0000005'))), '5 gt 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'ts_ns', '2024-01-01T00:00:00.000000001'))), '11 eq 1704067200000000001n');
  assert.equal(show(bind(cmp('eq', 'tstz', '2024-01-01T02:00:00+02:00'))), '6 eq 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'tstz', '2024-01-01T00:00:00Z'))), '6 eq 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'tstz', '2023-12-31 19:00:00 -05:00'))), '6 eq 1704067200000000n');
  assert.equal(show(bind(cmp('eq', 'tstz', '2024-01-01T05:30:00+0530'))), '6 eq 1704067200000000n');
  assert.throws(() => bind(cmp('eq', 'ts', '2024-01-01T25:00:00')), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.equal(show(bind(cmp('eq', 't', '10:00:00.5'))), '12 eq 36000500000n');
});

test('zone mismatches between literal and column widen by the largest zone offset', () => {
  const h14 = 14n * 3_600_000_000n;
  const t0 = 1704067200000000n;
  assert.equal(show(bind(cmp('gt', 'tstz', '2024-01-01T00:00:00'))), `6 gt ${t0 - h14}n`);
  assert.equal(show(bind(cmp('lte', 'tstz', '2024-01-01T00:00:00'))), `6 lte ${t0 + h14}n`);
  assert.equal(show(bind(cmp('eq', 'tstz', '2024-01-01T00:00:00'))), `(6 gte ${t0 - h14}n and 6 lte ${t0 + h14}n)`);
  assert.equal(show(bind(cmp('neq', 'tstz', '2024-01-01T00:00:00'))), 'not-null(6)');
  assert.equal(show(bind(cmp('lt', 'ts', '2024-01-01T00:00:00Z'))), `5 lt ${t0 + h14}n`);
});

test('floating-point literals: exact for double, bracketed by float32 neighbours for float, NaN as is-nan', () => {
  assert.equal(show(bind(cmp('eq', 'dbl', 0.1))), '9 eq 0.1');
  assert.equal(show(bind(cmp('eq', 'f', 0.5))), '8 eq 0.5');
  const b = bind(cmp('eq', 'f', 0.1));
  assert.ok(b.kind === 'and' && b.left.kind === 'compare' && b.right.kind === 'compare');
  const [lo, hi] = [b.left.value as number, b.right.value as number];
  assert.ok(lo < 0.1 && hi > 0.1 && Math.fround(lo) === lo && Math.fround(hi) === hi);
  assert.ok(lo <= Math.fround(0.1) && Math.fround(0.1) <= hi);
  assert.equal(show(bind(cmp('eq', 'dbl', NaN))), 'is-nan(9)');
  assert.equal(show(bind(cmp('lt', 'dbl', NaN))), 'true');
  assert.equal(show(bind(cmp('neq', 'dbl', NaN))), 'true');
});

test('uuid: values are lowercased; orderings are not bound since UUID orders disagree', () => {
  const u = 'F79C3E09-677C-4BBD-A479-3F349CB785E7';
  assert.equal(show(bind(cmp('eq', 'u', u))), `10 eq ${JSON.stringify(u.toLowerCase())}`);
  assert.equal(show(bind(cmp('lt', 'u', u))), 'true');
});

test('IN keeps exact values, drops impossible ones and ORs widened ones; NOT IN drops inexact ones', () => {
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [1, 2.5, 3n] })), '2 in [1,3]');
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [2.5] })), 'false');
  assert.equal(show(bind({ kind: 'in', column: 'dbl', values: [1, NaN] })), '(9 in [1] or is-nan(9))');
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [1, 2.5], negated: true })), '2 not-in [1]');
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [2.5], negated: true })), 'not-null(2)');
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [] })), 'false');
  assert.equal(show(bind({ kind: 'in', column: 'i', values: [], negated: true })), 'true');
});

test('NOT is pushed into the predicates before binding', () => {
  const e: Expression = {
    kind: 'not',
    child: { kind: 'and', left: cmp('lt', 'i', 5), right: { kind: 'is-null', column: 's' } },
  };
  assert.equal(show(bind(e)), '(2 gte 5 or not-null(3))');
  assert.equal(show(bind({ kind: 'not', child: { kind: 'not', child: cmp('eq', 'i', 1) } })), '2 eq 1');
  assert.equal(show(bind({ kind: 'not', child: { kind: 'in', column: 'i', values: [1] } })), '2 not-in [1]');
  assert.equal(show(bind({ kind: 'not', child: { kind: 'is-nan', column: 'dbl' } })), 'not-nan(9)');
  // Negating first matters: NOT (i = 5.5) is true for every non-null i, not "NOT false".
  assert.equal(show(bind({ kind: 'not', child: cmp('eq', 'i', 5.5) })), 'not-null(2)');
  assert.equal(show(bind({ kind: 'not', child: cmp('gt', 'i', 1e10) })), 'not-null(2)');
  assert.deepEqual(negate({ kind: 'true' }), { kind: 'false' });
  assert.deepEqual(rewriteNot({ kind: 'not', child: cmp('lte', 'i', 1) }), cmp('gt', 'i', 1));
});
