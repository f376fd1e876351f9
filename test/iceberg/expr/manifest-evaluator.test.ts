import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import type { FieldSummary, ManifestFile } from '../../../src/iceberg/avro/manifest-list.js';
import { bindExpression } from '../../../src/iceberg/expr/bind.js';
import type { ComparisonOp, Expression } from '../../../src/iceberg/expr/expression.js';
import { manifestMightMatch } from '../../../src/iceberg/expr/manifest-evaluator.js';
import { projectToPartition } from '../../../src/iceberg/expr/partition-evaluator.js';
import { serializeValue } from '../../../src/iceberg/spec/bounds.js';
import { partitionType, type PartitionSpec } from '../../../src/iceberg/spec/partition-spec.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { cmp, schema } from './fixtures.js';

const spec: PartitionSpec = {
  'spec-id': 3,
  fields: [
    { 'source-id': 2, 'field-id': 1000, name: 'i', transform: 'identity' },
    { 'source-id': 5, 'field-id': 1001, name: 'ts_day', transform: 'day' },
    { 'source-id': 9, 'field-id': 1002, name: 'dbl', transform: 'identity' },
    { 'source-id': 3, 'field-id': 1003, name: 's_trunc', transform: 'truncate[2]' },
    { 'source-id': 10, 'field-id': 1004, name: 'u', transform: 'identity' },
  ],
};
const ptype = partitionType(spec, schema);

/** A summary with bounds serialized with the partition field's result type. */
function summary(type: string, s: { lower?: PrimitiveValue; upper?: PrimitiveValue; nulls?: boolean; nan?: boolean | null }): FieldSummary {
  return {
    contains_null: s.nulls ?? false,
    contains_nan: s.nan ?? null,
    lower_bound: s.lower === undefined ? null : serializeValue(type, s.lower),
    upper_bound: s.upper === undefined ? null : serializeValue(type, s.upper),
  };
}

const unbounded: FieldSummary = { contains_null: true, contains_nan: null, lower_bound: null, upper_bound: null };

function manifest(partitions: FieldSummary[] | null | undefined): ManifestFile {
  return {
    manifest_path: 's3://bucket/metadata/m0.avro',
    manifest_length: 100n,
    partition_spec_id: 3,
    content: 0,
    sequence_number: 1n,
    min_sequence_number: 1n,
    added_snapshot_id: 1n,
    added_files_count: 1,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: 10n,
    existing_rows_count: 0n,
    deleted_rows_count: 0n,
    partitions,
  };
}

/** A manifest whose summary for partition field `index` is `s`; the other fields have uninformative summaries. */
function withSummary(index: number, s: FieldSummary): ManifestFile {
  return manifest(spec.fields.map((_, i) => (i === index ? s : unbounded)));
}

const matches = (e: Expression, m: ManifestFile): boolean =>
  manifestMightMatch(projectToPartition(bindExpression(e, schema), spec, schema), spec, ptype, m);

test('identity int summaries: comparisons against lower and upper bounds', () => {
  const m = withSummary(0, summary('int', { lower: 10, upper: 20 }));
  const cases: Array<[ComparisonOp, number, boolean]> = [
    ['eq', 5, false], ['eq', 10, true], ['eq', 15, true], ['eq', 21, false],
    ['lt', 10, false], ['lt', 11, true], ['lte', 9, false], ['lte', 10, true],
    ['gt', 20, false], ['gt', 19, true], ['gte', 21, false], ['gte', 20, true],
    ['neq', 15, true],
  ];
  for (const [op, v, expected] of cases) assert.equal(matches(cmp(op, 'i', v), m), expected, `i ${op} ${v}`);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 25] }, m), false);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1, 12] }, m), true);
  assert.equal(matches({ kind: 'is-null', column: 'i' }, m), false);
  assert.equal(matches({ kind: 'is-null', column: 'i' }, withSummary(0, summary('int', { lower: 1, upper: 2, nulls: true }))), true);
  assert.equal(matches({ kind: 'not-null', column: 'i' }, m), true);
});

test('!= and NOT IN prune only a manifest with one partition value and no nulls', () => {
  const single = withSummary(0, summary('int', { lower: 7, upper: 7 }));
  assert.equal(matches(cmp('neq', 'i', 7), single), false);
  assert.equal(matches(cmp('neq', 'i', 8), single), true);
  assert.equal(matches({ kind: 'in', column: 'i', values: [7, 9], negated: true }, single), false);
  assert.equal(matches({ kind: 'in', column: 'i', values: [8, 9], negated: true }, single), true);
  const singleWithNull = withSummary(0, summary('int', { lower: 7, upper: 7, nulls: true }));
  assert.equal(matches(cmp('neq', 'i', 7), singleWithNull), true);
  // NOT (i = 7) is i != 7: pushed down, not "NOT might match" (which would skip the ranged manifest below).
  const ranged = withSummary(0, summary('int', { lower: 0, upper: 10 }));
  assert.equal(matches({ kind: 'not', child: cmp('eq', 'i', 7) }, ranged), true);
  assert.equal(matches({ kind: 'not', child: cmp('eq', 'i', 7) }, single), false);
});

test('all-null partition values: no bounds and contains_null', () => {
  const allNull = withSummary(0, { contains_null: true, contains_nan: null, lower_bound: null, upper_bound: null });
  assert.equal(matches({ kind: 'is-null', column: 'i' }, allNull), true);
  assert.equal(matches({ kind: 'not-null', column: 'i' }, allNull), false);
  for (const op of ['eq', 'lt', 'lte', 'gt', 'gte'] as const) assert.equal(matches(cmp(op, 'i', 1), allNull), false, op);
  assert.equal(matches({ kind: 'in', column: 'i', values: [1] }, allNull), false);
  assert.equal(matches(cmp('neq', 'i', 1), allNull), true);
  // No bounds and no null or NaN recorded says nothing: not taken for "all null".
  const empty = withSummary(0, { contains_null: false, contains_nan: null, lower_bound: null, upper_bound: null });
  assert.equal(matches(cmp('eq', 'i', 1), empty), true);
});

test('double summaries: contains_nan, NaN-only manifests and NaN under >', () => {
  const nanOnly = withSummary(2, { contains_null: false, contains_nan: true, lower_bound: null, upper_bound: null });
  assert.equal(matches({ kind: 'is-nan', column: 'dbl' }, nanOnly), true);
  assert.equal(matches({ kind: 'not-nan', column: 'dbl' }, nanOnly), false);
  assert.equal(matches(cmp('eq', 'dbl', 1), nanOnly), false);
  assert.equal(matches(cmp('lt', 'dbl', 1), nanOnly), false);
  assert.equal(matches(cmp('gt', 'dbl', 1), nanOnly), true);
  assert.equal(matches({ kind: 'not-null', column: 'dbl' }, nanOnly), true);

  const noNaN = withSummary(2, summary('double', { lower: -2.5, upper: 4, nan: false }));
  assert.equal(matches({ kind: 'is-nan', column: 'dbl' }, noNaN), false);
  assert.equal(matches({ kind: 'not-nan', column: 'dbl' }, noNaN), true);
  assert.equal(matches(cmp('gt', 'dbl', 4), noNaN), false);
  assert.equal(matches(cmp('lt', 'dbl', -2.5), noNaN), false);
  assert.equal(matches(cmp('eq', 'dbl', 0), noNaN), true);

  const unknownNaN = withSummary(2, summary('double', { lower: -2.5, upper: 4 }));
  assert.equal(matches(cmp('gt', 'dbl', 4), unknownNaN), true);
  assert.equal(matches({ kind: 'is-nan', column: 'dbl' }, unknownNaN), true);
  const allNullDouble = withSummary(2, { contains_null: true, contains_nan: false, lower_bound: null, upper_bound: null });
  assert.equal(matches({ kind: 'not-null', column: 'dbl' }, allNullDouble), false);
  const nullOrNaN = withSummary(2, { contains_null: true, contains_nan: null, lower_bound: null, upper_bound: null });
  assert.equal(matches({ kind: 'not-null', column: 'dbl' }, nullOrNaN), true);
});

test('day partition summaries prune timestamp ranges', () => {
  const jan = withSummary(1, summary('date', { lower: 19723, upper: 19753 })); // 2024-01-01 .. 2024-01-31
  assert.equal(matches(cmp('gte', 'ts', '2024-02-01T00:00:00'), jan), false);
  assert.equal(matches(cmp('gt', 'ts', '2024-01-31T23:59:59.999999'), jan), false);
  assert.equal(matches(cmp('gt', 'ts', '2024-01-31T23:59:59.999998'), jan), true);
  assert.equal(matches(cmp('lt', 'ts', '2024-01-01T00:00:00'), jan), false);
  assert.equal(matches(cmp('lt', 'ts', '2024-01-01T00:00:00.000001'), jan), true);
  assert.equal(matches(cmp('eq', 'ts', '2024-01-15T10:00:00'), jan), true);
  const pre = withSummary(1, summary('date', { lower: -10, upper: -2 }));
  // Legacy widening admits day -1 for a timestamp on day -2 only; -1 itself maps to {-1, 0}: outside.
  assert.equal(matches(cmp('eq', 'ts', '1969-12-31T10:00:00'), pre), false);
  assert.equal(matches(cmp('eq', 'ts', '1969-12-30T10:00:00'), pre), true);
});

test('truncated string partitions and uuid identity partitions', () => {
  const ab = withSummary(3, summary('string', { lower: 'ab', upper: 'ad' }));
  assert.equal(matches(cmp('eq', 's', 'acorn'), ab), true);
  assert.equal(matches(cmp('eq', 's', 'bee'), ab), false);
  assert.equal(matches(cmp('gt', 's', 'aezz'), ab), false);
  assert.equal(matches(cmp('lt', 's', 'ab'), ab), true);
  assert.equal(matches(cmp('lt', 's', 'aa'), ab), false);
  const lo = '00000000-0000-4000-8000-000000000001';
  const hi = '80000000-0000-4000-8000-000000000001';
  const top = 'ffffffff-0000-4000-8000-000000000001';
  // Outside [lo, hi] unsigned, and [lo, hi] is empty in Java's signed order: no writer order can hold `top`.
  assert.equal(matches(cmp('eq', 'u', top), withSummary(4, summary('uuid', { lower: lo, upper: hi }))), false);
  assert.equal(matches(cmp('eq', 'u', top), withSummary(4, summary('uuid', { lower: hi, upper: hi }))), false);
  // Bounds written in Java's signed order (f0... is negative there): a value inside them signed must match.
  const signed = withSummary(4, summary('uuid', { lower: 'f0000000-0000-4000-8000-000000000001', upper: '10000000-0000-4000-8000-000000000001' }));
  assert.equal(matches(cmp('eq', 'u', '05000000-0000-4000-8000-000000000001'), signed), true);
  assert.equal(matches(cmp('eq', 'u', hi), signed), false);
});

test('missing summaries might match; AND/OR combine fields', () => {
  assert.equal(matches(cmp('eq', 'i', 5), manifest(null)), true);
  assert.equal(matches(cmp('eq', 'i', 5), manifest(undefined)), true);
  // Summaries shorter than the spec (a field added later) leave that field unknown.
  assert.equal(matches(cmp('eq', 'u', '00000000-0000-4000-8000-000000000001'), manifest([unbounded])), true);
  const m = manifest([
    summary('int', { lower: 10, upper: 20 }),
    summary('date', { lower: 19723, upper: 19753 }),
    unbounded,
    unbounded,
    unbounded,
  ]);
  const inJan: Expression = cmp('gte', 'ts', '2024-01-15T00:00:00');
  assert.equal(matches({ kind: 'and', left: inJan, right: cmp('eq', 'i', 15) }, m), true);
  assert.equal(matches({ kind: 'and', left: inJan, right: cmp('eq', 'i', 25) }, m), false);
  assert.equal(matches({ kind: 'or', left: cmp('eq', 'i', 25), right: cmp('lt', 'ts', '2023-06-01T00:00:00') }, m), false);
  assert.equal(matches({ kind: 'or', left: cmp('eq', 'i', 25), right: inJan }, m), true);
  assert.equal(matches({ kind: 'not', child: { kind: 'or', left: cmp('lt', 'i', 30), right: inJan } }, m), false);
  // A filter on an unpartitioned column cannot prune manifests.
  assert.equal(matches(cmp('eq', 'id', 1), m), true);
});
