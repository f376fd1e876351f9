/**
 * diffSchemas: field-level changes matched by id, from schemas built with the schema-evolution builder.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { diffSchemas } from '../../../src/iceberg/spec/schema-diff.js';
import { SchemaUpdate } from '../../../src/iceberg/spec/schema-update.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';

const base: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'qty', required: false, type: 'int' },
    { id: 3, name: 'note', required: false, type: 'string' },
    {
      id: 4,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 5, name: 'lat', required: false, type: 'float' }] },
    },
  ],
};

function evolve(build: (u: SchemaUpdate) => void): Schema {
  const u = new SchemaUpdate(base, 5, { formatVersion: 2 });
  build(u);
  return u.apply().schema;
}

test('identical schemas have no changes', () => {
  assert.deepEqual(diffSchemas(base, base), []);
});

test('added, dropped, renamed, promoted and nested changes by field id', () => {
  const next = evolve((u) =>
    u
      .addColumn('extra', 'string')
      .addColumn('meta', { type: 'struct', fields: [{ id: 0, name: 'k', required: false, type: 'string' }] })
      .deleteColumn('note')
      .renameColumn('qty', 'quantity')
      .updateColumnType('quantity', 'long')
      .renameColumn('loc.lat', 'latitude')
      .updateColumnType('loc.latitude', 'double')
      .makeOptional('id'),
  );
  const changes = diffSchemas(base, next);
  const by = (c: string) => changes.filter((x) => x.change === c);
  assert.deepEqual(by('added').map((c) => [c.name, c.type]), [['extra', 'string'], ['meta', 'struct']], 'the nested k is part of meta');
  assert.deepEqual(by('dropped').map((c) => [c.field_id, c.name, c.type]), [[3, 'note', 'string']]);
  assert.deepEqual(by('renamed').map((c) => [c.field_id, c.from_name, c.name]), [[2, 'qty', 'quantity'], [5, 'loc.lat', 'loc.latitude']]);
  assert.deepEqual(by('promoted').map((c) => [c.name, c.from_type, c.type]), [['quantity', 'int', 'long'], ['loc.latitude', 'float', 'double']]);
  assert.deepEqual(by('made_optional').map((c) => c.field_id), [1]);
  assert.equal(by('moved').length, 0, 'adding and dropping columns is no reorder');
  // The reverse direction swaps added and dropped.
  const back = diffSchemas(next, base);
  assert.deepEqual(back.filter((c) => c.change === 'dropped').map((c) => c.name), ['extra', 'meta']);
  assert.deepEqual(back.filter((c) => c.change === 'added').map((c) => c.name), ['note']);
});

test('a reorder reports only the moved field; identifier fields and docs are reported', () => {
  const next = evolve((u) => u.moveFirst('note').setIdentifierFields(['id']).updateDoc('qty', 'how many'));
  const changes = diffSchemas(base, next);
  assert.deepEqual(changes.filter((c) => c.change === 'moved').map((c) => c.name), ['note']);
  assert.deepEqual(changes.find((c) => c.change === 'identifier_fields'), { change: 'identifier_fields', field_id: 0, name: '', from_ids: [], to_ids: [1] });
  assert.deepEqual(changes.filter((c) => c.change === 'doc_changed').map((c) => c.field_id), [2]);
});
