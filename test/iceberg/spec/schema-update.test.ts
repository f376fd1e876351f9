/**
 * SchemaUpdate: each operation, nested columns, id assignment, and the codes of refusals (spec "Schema Evolution").
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../../src/errors.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import { SchemaUpdate, isSafePromotion, schemaChangeUpdates } from '../../../src/iceberg/spec/schema-update.js';
import type { PartitionSpec } from '../../../src/iceberg/spec/partition-spec.js';
import { newTableMetadata, applyUpdates } from '../../../src/iceberg/spec/apply-updates.js';
import { currentSchema } from '../../../src/iceberg/spec/table-metadata.js';

const base = (): Schema => ({
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'n', required: false, type: 'int' },
    {
      id: 3,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 4, name: 'lat', required: false, type: 'float' }] },
    },
    { id: 5, name: 'day', required: false, type: 'date' },
    { id: 6, name: 'price', required: false, type: 'decimal(9,2)' },
    {
      id: 7,
      name: 'pts',
      required: false,
      type: { type: 'list', 'element-id': 8, 'element-required': true, element: { type: 'struct', fields: [{ id: 9, name: 'x', required: false, type: 'int' }] } },
    },
  ],
});
const spec: PartitionSpec = { 'spec-id': 0, fields: [{ 'source-id': 5, 'field-id': 1000, name: 'day_b', transform: 'bucket[4]' }] };
const up = (v = 2, specs: PartitionSpec[] = []) => new SchemaUpdate(base(), 9, { formatVersion: v, partitionSpecs: specs });
const names = (s: Schema) => s.fields.map((f) => f.name);
const invalid = (fn: () => unknown) => assert.throws(fn, (e) => isFloeError(e, 'INVALID_ARGUMENT'));

test('addColumn: top level and nested, ids above last-column-id including nested ids', () => {
  const { schema, lastColumnId } = up()
    .addColumn('tags', { type: 'map', 'key-id': 0, key: 'string', 'value-id': 0, value: 'int', 'value-required': false }, { doc: 'd' })
    .addColumn(['loc', 'alt'], 'double')
    .addColumn(['pts', 'y'], 'int')
    .apply();
  assert.equal(lastColumnId, 14);
  assert.equal(schema['schema-id'], 1);
  const tags = schema.fields.find((f) => f.name === 'tags')!;
  assert.deepEqual([tags.id, tags.doc, tags.required], [10, 'd', false]);
  assert.deepEqual(tags.type, { type: 'map', 'key-id': 11, key: 'string', 'value-id': 12, value: 'int', 'value-required': false });
  const loc = schema.fields[2].type as { fields: { id: number; name: string }[] };
  assert.deepEqual(loc.fields.map((f) => [f.id, f.name]), [[4, 'lat'], [13, 'alt']]);
  const pts = schema.fields[5].type as { element: { fields: { id: number }[] } };
  assert.deepEqual(pts.element.fields.map((f) => f.id), [9, 14]);
  // The input schema is untouched.
  assert.equal(base().fields.length, 6);
});

test('addColumn: struct types get fresh ids, fields first then nested', () => {
  const { schema, lastColumnId } = up()
    .addColumn('s', { type: 'struct', fields: [
      { id: 1, name: 'a', required: false, type: { type: 'list', 'element-id': 1, element: 'int', 'element-required': false } },
      { id: 1, name: 'b', required: false, type: 'string' },
    ] })
    .apply();
  const s = schema.fields[6];
  assert.equal(s.id, 10);
  const fields = (s.type as { fields: { id: number; type: unknown }[] }).fields;
  assert.deepEqual(fields.map((f) => f.id), [11, 12]);
  assert.equal((fields[0].type as { 'element-id': number })['element-id'], 13);
  assert.equal(lastColumnId, 13);
});

test('addColumn: required and defaults by format version; duplicates and bad types refused', () => {
  invalid(() => up(2).addColumn('r', 'int', { required: true }));
  invalid(() => up(3).addColumn('r', 'int', { required: true }));
  invalid(() => up(2).addColumn('r', 'int', { initialDefault: 5 }));
  invalid(() => up(3).addColumn('r', 'int', { initialDefault: 'five' }));
  invalid(() => up().addColumn('n', 'int'));
  invalid(() => new SchemaUpdate(base(), 9, { formatVersion: 2, caseSensitive: false }).addColumn('N', 'int'));
  invalid(() => up().addColumn('x', 'integer'));
  invalid(() => up().addColumn(['n', 'x'], 'int'));
  invalid(() => up().addColumn(['nope', 'x'], 'int'));
  const { schema } = up(3).addColumn('r', 'int', { required: true, initialDefault: 7, writeDefault: 8 }).apply();
  assert.deepEqual(schema.fields[6], { id: 10, name: 'r', required: true, type: 'int', 'initial-default': 7, 'write-default': 8 });
});

test('renameColumn keeps the id; onto an existing name is refused', () => {
  const { schema } = up().renameColumn('n', 'count').renameColumn('loc.lat', 'latitude').apply();
  assert.deepEqual([schema.fields[1].id, schema.fields[1].name], [2, 'count']);
  assert.equal((schema.fields[2].type as { fields: { name: string }[] }).fields[0].name, 'latitude');
  invalid(() => up().renameColumn('n', 'id'));
  invalid(() => up().renameColumn('missing', 'x'));
  invalid(() => up().renameColumn('pts.element', 'x'));
});

test('deleteColumn: identifier and partition sources refused unless allowed', () => {
  const { schema } = up().deleteColumn('n').deleteColumn(['loc', 'lat']).apply();
  assert.deepEqual(names(schema), ['id', 'loc', 'day', 'price', 'pts']);
  assert.deepEqual((schema.fields[1].type as { fields: unknown[] }).fields, []);
  invalid(() => up().deleteColumn('id'));
  invalid(() => up(2, [spec]).deleteColumn('day'));
  // A source of the default spec is never dropped, even when allowed: new rows could not be partitioned.
  invalid(() => up(2, [spec]).deleteColumn('day', { allowPartitionSource: true }));
  const later: PartitionSpec = { 'spec-id': 1, fields: [] };
  const withLater = (v = 2) => new SchemaUpdate(base(), 9, { formatVersion: v, partitionSpecs: [spec, later], defaultSpecId: 1 });
  // A source of an older spec only: refused unless the caller says so.
  invalid(() => withLater().deleteColumn('day'));
  assert.deepEqual(names(withLater().deleteColumn('day', { allowPartitionSource: true }).apply().schema).includes('day'), false);
  // A void field of the default spec (v1's way to drop a partition field) counts as an older spec's.
  const voided: PartitionSpec = { 'spec-id': 1, fields: [{ ...spec.fields[0], transform: 'void' }] };
  const v1 = () => new SchemaUpdate(base(), 9, { formatVersion: 1, partitionSpecs: [spec, voided], defaultSpecId: 1 });
  invalid(() => v1().deleteColumn('day'));
  assert.equal(names(v1().deleteColumn('day', { allowPartitionSource: true }).apply().schema).includes('day'), false);
  // A column the default sort order uses is refused until the order is replaced.
  invalid(() => new SchemaUpdate(base(), 9, { formatVersion: 2, sortSourceIds: [5] }).deleteColumn('day'));
  // Changing the identifier fields first makes the column droppable.
  const s2 = up().addColumn('k', 'string').setIdentifierFields([]).deleteColumn('id').apply().schema;
  assert.deepEqual(s2['identifier-field-ids'], []);
});

test('updateColumnType: safe promotions only, with context', () => {
  const { schema } = up().updateColumnType('n', 'long').updateColumnType('loc.lat', 'double').updateColumnType('price', 'decimal(12,2)').updateColumnType('pts.x', 'long').apply();
  assert.deepEqual(schema.fields.map((f) => f.type).slice(1, 2), ['long']);
  assert.equal((schema.fields[2].type as { fields: { type: string }[] }).fields[0].type, 'double');
  assert.equal(schema.fields[4].type, 'decimal(12,2)');
  assert.throws(() => up().updateColumnType('id', 'int'), (e) => isFloeError(e, 'INVALID_ARGUMENT') && e.context.from === 'long' && e.context.to === 'int' && e.context.column === 'id');
  invalid(() => up().updateColumnType('n', 'string'));
  invalid(() => up().updateColumnType('price', 'decimal(12,3)'));
  invalid(() => up().updateColumnType('price', 'decimal(8,2)'));
  invalid(() => up().updateColumnType('loc', 'long'));
  // v3 only: date -> timestamp; refused for a bucketed partition source.
  invalid(() => up(2).updateColumnType('day', 'timestamp'));
  assert.equal(up(3).updateColumnType('day', 'timestamp_ns').apply().schema.fields[3].type, 'timestamp_ns');
  invalid(() => up(3, [spec]).updateColumnType('day', 'timestamp'));
  invalid(() => up(3).updateColumnType('day', 'timestamptz'));
  assert.equal(isSafePromotion('unknown', 'string', 3), true);
  assert.equal(isSafePromotion('unknown', 'string', 2), false);
  assert.equal(isSafePromotion('string', 'int', 3), false);
});

test('makeOptional, requireColumn, updateDoc', () => {
  const { schema } = up().makeOptional('id').setIdentifierFields([]).makeOptional('pts.element').updateDoc('n', 'a count').apply();
  assert.equal(schema.fields[0].required, false);
  assert.equal((schema.fields[5].type as { 'element-required': boolean })['element-required'], false);
  assert.equal(schema.fields[1].doc, 'a count');
  assert.equal(up().updateDoc('n', 'x').updateDoc('n', undefined).apply().schema.fields[1].doc, undefined);
  invalid(() => up().requireColumn('n'));
  // Once the caller has checked the data: struct fields at any depth, not list elements.
  const req = up().requireColumn('n', { checkedNoNulls: true }).requireColumn('loc.lat', { checkedNoNulls: true }).apply().schema;
  assert.equal(req.fields[1].required, true);
  assert.equal((req.fields[2].type as { fields: { required: boolean }[] }).fields[0].required, true);
  invalid(() => up().makeOptional('pts.element').requireColumn('pts.element', { checkedNoNulls: true }));
  // An optional identifier field is refused when the schema is built.
  invalid(() => up().makeOptional('id').apply());
});

test('moves reorder siblings; across structs refused', () => {
  assert.deepEqual(names(up().moveFirst('day').apply().schema), ['day', 'id', 'n', 'loc', 'price', 'pts']);
  assert.deepEqual(names(up().moveAfter('id', 'loc').apply().schema), ['n', 'loc', 'id', 'day', 'price', 'pts']);
  assert.deepEqual(names(up().moveBefore('pts', 'n').apply().schema), ['id', 'pts', 'n', 'loc', 'day', 'price']);
  const nested = up().addColumn(['loc', 'lon'], 'float').moveFirst('loc.lon').apply().schema;
  assert.deepEqual((nested.fields[2].type as { fields: { name: string }[] }).fields.map((f) => f.name), ['lon', 'lat']);
  invalid(() => up().moveAfter('n', 'loc.lat'));
  invalid(() => up().moveAfter('n', 'n'));
});

test('setIdentifierFields validates the fields', () => {
  assert.deepEqual(up().setIdentifierFields(['id']).apply().schema['identifier-field-ids'], [1]);
  invalid(() => up().setIdentifierFields(['n']).apply());
  invalid(() => up().setIdentifierFields(['nope']));
  invalid(() => up().setIdentifierFields(['loc.lat']).apply());
  assert.equal(new SchemaUpdate({ ...base(), 'identifier-field-ids': undefined }, 9, { formatVersion: 2 }).apply().schema['identifier-field-ids'], undefined);
});

test('unionByName adds, promotes, and lists every incompatible difference', () => {
  const other: Schema = {
    type: 'struct',
    'schema-id': 9,
    fields: [
      { id: 100, name: 'id', required: true, type: 'int' },
      { id: 101, name: 'n', required: false, type: 'long' },
      { id: 102, name: 'loc', required: false, type: { type: 'struct', fields: [{ id: 103, name: 'alt', required: true, type: 'double' }] } },
      { id: 104, name: 'extra', required: true, type: 'string' },
    ],
  };
  const { schema, lastColumnId } = up().unionByName(other).apply();
  assert.equal(schema.fields[0].type, 'long', 'a narrower incoming type is ignored');
  assert.equal(schema.fields[1].type, 'long');
  assert.deepEqual((schema.fields[2].type as { fields: { id: number; name: string }[] }).fields.map((f) => [f.id, f.name]), [[4, 'lat'], [10, 'alt']]);
  assert.deepEqual([schema.fields[6].name, schema.fields[6].id, schema.fields[6].required], ['extra', 11, false]);
  assert.equal(lastColumnId, 11);
  const bad: Schema = { type: 'struct', 'schema-id': 1, fields: [
    { id: 1, name: 'n', required: false, type: 'string' },
    { id: 2, name: 'loc', required: false, type: 'int' },
    { id: 3, name: 'new', required: false, type: 'int' },
  ] };
  const u = up();
  assert.throws(() => u.unionByName(bad), (e) => isFloeError(e, 'INVALID_ARGUMENT') && JSON.stringify(e.context.differences) ===
    JSON.stringify([{ column: 'n', existing: 'int', incoming: 'string' }, { column: 'loc', existing: 'struct', incoming: 'int' }]));
  assert.deepEqual(u.apply(), { schema: { ...base(), 'schema-id': 1 }, lastColumnId: 9 }, 'a refused union leaves the builder unchanged');
});

test('schemaChangeUpdates: add-schema + set-current-schema with requirements; applies to metadata', () => {
  const md = newTableMetadata({ schema: base(), location: "memory://t" });
  const change = schemaChangeUpdates(md, (u) => u.addColumn('z', 'string'));
  assert.deepEqual(change.updates.map((x) => x.action), ['add-schema', 'set-current-schema']);
  assert.deepEqual(change.requirements, [
    { type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] },
    { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': md['last-column-id'] },
  ]);
  const next = applyUpdates(md, change.updates);
  assert.equal(next['current-schema-id'], md['current-schema-id'] + 1);
  assert.equal(next['last-column-id'], md['last-column-id'] + 1);
  assert.equal(currentSchema(next).fields.at(-1)!.name, 'z');
});
