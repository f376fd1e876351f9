/**
 * PartitionSpecUpdate and sort order building on in-memory metadata (spec: "Partition Evolution", "Sorting").
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../src/errors.js';
import { partitionSpecChange, PartitionSpecUpdate } from '../../../src/iceberg/spec/partition-update.js';
import { buildSortOrder, parseSortExpression, sortOrderChange } from '../../../src/iceberg/spec/sort-order-update.js';
import type { TableMetadata } from '../../../src/iceberg/spec/table-metadata.js';

function metadata(formatVersion: number, specs = [{ 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] }]): TableMetadata {
  return {
    'format-version': formatVersion,
    'current-schema-id': 0,
    schemas: [
      {
        'schema-id': 0,
        type: 'struct',
        fields: [
          { id: 1, name: 'id', required: false, type: 'long' },
          { id: 2, name: 'region', required: false, type: 'string' },
          { id: 3, name: 'ts', required: false, type: 'timestamp' },
          { id: 4, name: 'tags', required: false, type: { type: 'list', 'element-id': 5, element: 'string', 'element-required': false } },
        ],
      },
    ],
    'partition-specs': specs,
    'default-spec-id': specs.at(-1)!['spec-id'],
    'last-partition-id': Math.max(999, ...specs.flatMap((s) => s.fields.map((f) => f['field-id']))),
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
  } as unknown as TableMetadata;
}

const invalid = (e: unknown) => isFloeError(e, 'INVALID_ARGUMENT');

test('v2: new fields get ids above last-partition-id, removed fields disappear, kept ids stay', () => {
  const spec = new PartitionSpecUpdate(metadata(2)).addField('ts', 'day').addField('id', 'bucket[16]').apply();
  assert.deepEqual(spec, {
    'spec-id': 1,
    fields: [
      { 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' },
      { 'source-id': 3, 'field-id': 1001, name: 'ts_day', transform: 'day' },
      { 'source-id': 1, 'field-id': 1002, name: 'id_bucket', transform: 'bucket[16]' },
    ],
  });
  const removed = new PartitionSpecUpdate(metadata(2)).removeField('region').addField('ts', 'hour', 'h').apply();
  assert.deepEqual(removed.fields, [{ 'source-id': 3, 'field-id': 1001, name: 'h', transform: 'hour' }]);
  const renamed = new PartitionSpecUpdate(metadata(2)).renameField('region', 'reg').apply();
  assert.deepEqual(renamed.fields.map((f) => [f.name, f['field-id']]), [['reg', 1000]]);
});

test('v2: a field equal to one of an older spec takes its id back', () => {
  const md = metadata(2, [
    { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    { 'spec-id': 1, fields: [{ 'source-id': 3, 'field-id': 1001, name: 'ts_day', transform: 'day' }] },
  ]);
  const spec = new PartitionSpecUpdate(md).addField('region', 'identity').apply();
  assert.deepEqual(spec.fields.map((f) => f['field-id']), [1001, 1000]);
  assert.equal(spec['spec-id'], 2);
});

test('v1: a removed field becomes void and new fields continue positionally', () => {
  const spec = new PartitionSpecUpdate(metadata(1)).removeField('region').addField('ts', 'day').apply();
  assert.deepEqual(spec.fields, [
    { 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'void' },
    { 'source-id': 3, 'field-id': 1001, name: 'ts_day', transform: 'day' },
  ]);
  // Removing by source column name works too; a voided field cannot be removed again.
  const md = metadata(1, [{ 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'void' }] }]);
  assert.throws(() => new PartitionSpecUpdate(md).removeField('region'), invalid);
});

test('refusals: unknown columns, impossible transforms, duplicates, name clashes', () => {
  const u = () => new PartitionSpecUpdate(metadata(2));
  assert.throws(() => u().addField('nope', 'day'), invalid);
  assert.throws(() => u().addField('region', 'day'), invalid, 'day of a string');
  assert.throws(() => u().addField('tags', 'identity'), invalid, 'not a primitive');
  assert.throws(() => u().addField('ts', 'bogus'), invalid);
  assert.throws(() => u().addField('region', 'identity'), invalid, 'already partitioned');
  assert.throws(() => u().addField('ts', 'day').addField('ts', 'month'), invalid, 'redundant time transform');
  assert.throws(() => u().addField('ts', 'day', 'region').apply(), invalid, 'duplicate name');
  assert.throws(() => u().addField('ts', 'day', 'id').apply(), invalid, 'name of another column');
  assert.throws(() => u().removeField('missing'), invalid);
  assert.throws(() => u().renameField('missing', 'x'), invalid);
  assert.throws(() => u().removeField('region').renameField('region', 'x'), invalid);
  assert.throws(() => u().removeField('region').addField('region', 'identity'), invalid);
});

test('partitionSpecChange and sortOrderChange produce the REST-shaped change', () => {
  const md = metadata(2);
  assert.deepEqual(partitionSpecChange(md, (u) => u.addField('ts', 'day')), {
    updates: [
      { action: 'add-spec', spec: new PartitionSpecUpdate(md).addField('ts', 'day').apply() },
      { action: 'set-default-spec', 'spec-id': -1 },
    ],
    requirements: [
      { type: 'assert-default-spec-id', 'default-spec-id': 0 },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 },
    ],
  });
  const change = sortOrderChange(md, [{ column: 'ts', direction: 'desc' }, { column: 'id', transform: 'bucket[4]' }]);
  assert.deepEqual(change.updates[0], {
    action: 'add-sort-order',
    'sort-order': {
      'order-id': 1,
      fields: [
        { transform: 'identity', 'source-id': 3, direction: 'desc', 'null-order': 'nulls-last' },
        { transform: 'bucket[4]', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' },
      ],
    },
  });
  assert.deepEqual(change.requirements, [{ type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 }]);
});

test('sort orders: parsing and refusals', () => {
  assert.deepEqual(parseSortExpression('ts desc nulls first, id, day(ts) ASC, bucket(8, id) nulls last'), [
    { column: 'ts', direction: 'desc', nullOrder: 'nulls-first' },
    { column: 'id' },
    { column: 'ts', transform: 'day', direction: 'asc' },
    { column: 'id', transform: 'bucket[8]', nullOrder: 'nulls-last' },
  ]);
  assert.throws(() => parseSortExpression('ts sideways'), invalid);
  const schema = metadata(2).schemas[0];
  assert.deepEqual(buildSortOrder(schema, []), { 'order-id': 0, fields: [] });
  assert.throws(() => buildSortOrder(schema, [{ column: 'nope' }]), invalid);
  assert.throws(() => buildSortOrder(schema, [{ column: 'tags' }]), invalid);
  assert.throws(() => buildSortOrder(schema, [{ column: 'region', transform: 'day' }]), invalid);
  assert.throws(() => buildSortOrder(schema, [{ column: 'id' }, { column: 'id', direction: 'desc' }]), invalid);
});
