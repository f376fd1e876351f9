import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import { findFieldById, findFieldByName, indexById, parseSchema } from '../../../src/iceberg/spec/schema.js';

function assertFloe(fn: () => unknown, code: FloeErrorCode, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.context.field, field, err.message);
    return true;
  });
}

/** A schema with every nesting kind: struct, list of struct, map with struct values, list of primitives. */
const NESTED = {
  type: 'struct',
  'schema-id': 3,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    {
      id: 2,
      name: 'location',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 3, name: 'lat', required: false, type: 'double' },
          { id: 4, name: 'long', required: false, type: 'double' },
        ],
      },
    },
    {
      id: 5,
      name: 'points',
      required: false,
      type: {
        type: 'list',
        'element-id': 6,
        'element-required': true,
        element: { type: 'struct', fields: [{ id: 7, name: 'x', required: true, type: 'int' }] },
      },
    },
    {
      id: 8,
      name: 'props',
      required: false,
      type: {
        type: 'map',
        'key-id': 9,
        key: 'string',
        'value-id': 10,
        'value-required': false,
        value: { type: 'struct', fields: [{ id: 11, name: 'v', required: false, type: 'decimal(9, 2)' }] },
      },
    },
    {
      id: 12,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 13, 'element-required': false, element: 'string' },
    },
    { id: 14, name: 'a.b', required: false, type: 'string' },
  ],
};

test('parseSchema keeps schema-id, identifier-field-ids and nested types', () => {
  const schema = parseSchema(NESTED, 'schema');
  assert.equal(schema.type, 'struct');
  assert.equal(schema['schema-id'], 3);
  assert.deepEqual(schema['identifier-field-ids'], [1]);
  assert.equal(schema.fields.length, 6);
  assert.deepEqual(schema.fields[2].type, NESTED.fields[2].type);
  // v1 schemas may omit the id (then 0) and identifier fields (then absent).
  const v1 = parseSchema({ type: 'struct', fields: [{ id: 1, name: 'x', required: true, type: 'long' }] }, 'schema');
  assert.equal(v1['schema-id'], 0);
  assert.equal('identifier-field-ids' in v1, false);
});

test('parseSchema rejects malformed schemas naming the field', () => {
  assertFloe(() => parseSchema({ fields: [] }, 'schema'), 'METADATA_INVALID', 'type');
  assertFloe(() => parseSchema({ type: 'list', fields: [] }, 'schema'), 'METADATA_INVALID', 'type');
  assertFloe(() => parseSchema({ type: 'struct' }, 'schema'), 'METADATA_INVALID', 'fields');
  const noId = { type: 'struct', fields: [] };
  assertFloe(() => parseSchema(noId, 'schema', { requireSchemaId: true }), 'METADATA_INVALID', 'schema-id');
  assertFloe(
    () => parseSchema({ type: 'struct', fields: [{ id: 1, name: 'x', type: 'long' }] }, 'schema'),
    'METADATA_INVALID',
    'required',
  );
  const badType = { type: 'struct', fields: [{ id: 1, name: 'x', required: true, type: 'longer' }] };
  assertFloe(() => parseSchema(badType, 's'), 'METADATA_INVALID');
  assertFloe(() => parseSchema({ type: 'struct', 'identifier-field-ids': ['1'], fields: [] }, 's'), 'METADATA_INVALID');
  assertFloe(() => parseSchema('struct', 's'), 'METADATA_INVALID');
});

test('indexById covers struct fields, list elements and map keys and values', () => {
  const index = indexById(parseSchema(NESTED, 'schema'));
  assert.deepEqual(
    [...index.entries()].map(([id, e]) => [id, e.path.join('.')]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [1, 'id'], [2, 'location'], [3, 'location.lat'], [4, 'location.long'], [5, 'points'], [6, 'points.element'],
      [7, 'points.element.x'], [8, 'props'], [9, 'props.key'], [10, 'props.value'], [11, 'props.value.v'],
      [12, 'tags'], [13, 'tags.element'], [14, 'a.b'],
    ],
  );
  assert.deepEqual(index.get(9)?.field, { id: 9, name: 'key', required: true, type: 'string' });
  assert.deepEqual(index.get(13)?.field, { id: 13, name: 'element', required: false, type: 'string' });
  assert.equal(index.get(10)?.field.required, false);
  assert.equal(index.get(6)?.field.required, true);
  assert.equal(findFieldById(NESTED as never, 11)?.field.type, 'decimal(9, 2)');
  assert.equal(findFieldById(NESTED as never, 99), undefined);
});

test('findFieldByName resolves dotted names, short names and case', () => {
  const schema = parseSchema(NESTED, 'schema');
  const id = (name: string, cs = true): number | undefined => findFieldByName(schema, name, cs)?.field.id;
  assert.equal(id('id'), 1);
  assert.equal(id('location.lat'), 3);
  assert.equal(id('points.element.x'), 7);
  assert.equal(id('points.x'), 7); // list element left out
  assert.equal(id('props.key'), 9);
  assert.equal(id('props.value.v'), 11);
  assert.equal(id('props.v'), 11); // map value left out
  assert.equal(id('tags.element'), 13);
  assert.equal(id('tags'), 12);
  assert.equal(id('a.b'), 14); // a name containing '.'
  assert.equal(id('Location.Lat'), undefined);
  assert.equal(id('Location.Lat', false), 3);
  assert.equal(id('POINTS.X', false), 7);
  assert.equal(id('location.alt'), undefined);
  assert.equal(id(''), undefined);
  assert.deepEqual(findFieldByName(schema, 'props.v')?.path, ['props', 'value', 'v']);
});
