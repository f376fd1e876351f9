import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import {
  findMappedField,
  mappedFieldId,
  NAME_MAPPING_PROPERTY,
  nameMappingFromProperties,
  nameMappingFromSchema,
  parseNameMapping,
  stringifyNameMapping,
} from '../../../src/iceberg/spec/name-mapping.js';
import { indexById, parseSchema } from '../../../src/iceberg/spec/schema.js';
import { currentSchema, parseTableMetadata } from '../../../src/iceberg/spec/table-metadata.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

// The shared fixtures, found as every suite finds them (../shared/fixtures or FLOE_FIXTURES).
const FIXTURES = `${icebergFixtures() ?? '/nonexistent/shared/fixtures/iceberg'}/duckdb-iceberg/`;

function assertFloe(fn: () => unknown, code: FloeErrorCode, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.context.field, field, err.message);
    return true;
  });
}

/** The example of spec Appendix C "Name Mapping Serialization". */
const SPEC_EXAMPLE = `[ { "field-id": 1, "names": ["id", "record_id"] },
   { "field-id": 2, "names": ["data"] },
   { "field-id": 3, "names": ["location"], "fields": [
       { "field-id": 4, "names": ["latitude", "lat"] },
       { "field-id": 5, "names": ["longitude", "long"] }
     ] } ]`;

test('parses the spec example and maps name paths to ids', () => {
  const mapping = parseNameMapping(SPEC_EXAMPLE);
  assert.equal(mapping.length, 3);
  assert.deepEqual(mapping[0], { 'field-id': 1, names: ['id', 'record_id'] });
  assert.equal(mappedFieldId(mapping, ['id']), 1);
  assert.equal(mappedFieldId(mapping, ['record_id']), 1);
  assert.equal(mappedFieldId(mapping, ['location']), 3);
  assert.equal(mappedFieldId(mapping, ['location', 'lat']), 4);
  assert.equal(mappedFieldId(mapping, ['location', 'longitude']), 5);
  assert.equal(mappedFieldId(mapping, ['lat']), undefined);
  assert.equal(mappedFieldId(mapping, ['location', 'alt']), undefined);
  assert.equal(mappedFieldId(mapping, ['id', 'x']), undefined);
  assert.equal(mappedFieldId(mapping, []), undefined);
  assert.equal(mappedFieldId(mapping, ['ID']), undefined); // names match exactly
  assert.deepEqual(parseNameMapping(stringifyNameMapping(mapping)), mapping);
});

test('dotted names are literal, unmapped fields have no id, empty names match nothing', () => {
  const mapping = parseNameMapping(
    '[{"field-id": 7, "names": ["a.b"]}, {"names": ["extra"], "fields": []}, {"field-id": 8, "names": []}]',
  );
  assert.equal(mappedFieldId(mapping, ['a.b']), 7);
  assert.equal(mappedFieldId(mapping, ['a', 'b']), undefined);
  assert.equal(mappedFieldId(mapping, ['extra']), undefined);
  assert.deepEqual(findMappedField(mapping, ['extra']), { names: ['extra'], fields: [] });
  assert.equal(mappedFieldId(mapping, ['']), undefined);
});

test('rejects mappings not in the spec shape', () => {
  assertFloe(() => parseNameMapping('[{"field-id": 1, "names": ['), 'METADATA_INVALID');
  // The list wrapped in a struct object (seen in the wild) is read as its fields; other objects are refused.
  const structForm = '{"type": "struct", "fields": [{"field-id": 1, "names": ["a"]}]}';
  assert.equal(mappedFieldId(parseNameMapping(structForm), ['a']), 1);
  assertFloe(() => parseNameMapping('{"field-id": 1, "names": ["a"]}'), 'METADATA_INVALID');
  assertFloe(() => parseNameMapping('[{"field-id": 1}]'), 'METADATA_INVALID', 'names');
  assertFloe(() => parseNameMapping('[{"field-id": 1, "names": [1]}]'), 'METADATA_INVALID');
  assertFloe(() => parseNameMapping('[{"field-id": "1", "names": ["a"]}]'), 'METADATA_INVALID', 'field-id');
  assertFloe(() => parseNameMapping('[{"names": ["a"], "fields": {}}]'), 'METADATA_INVALID', 'fields');
});

test('nameMappingFromSchema maps every field of a nested schema by its path', () => {
  const schema = parseSchema(
    {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        {
          id: 2,
          name: 'points',
          required: false,
          type: {
            type: 'list',
            'element-id': 3,
            'element-required': true,
            element: { type: 'struct', fields: [{ id: 4, name: 'x', required: true, type: 'int' }] },
          },
        },
        {
          id: 5,
          name: 'props',
          required: false,
          type: { type: 'map', 'key-id': 6, key: 'string', 'value-id': 7, 'value-required': false, value: 'long' },
        },
      ],
    },
    'schema',
  );
  const mapping = nameMappingFromSchema(schema);
  assert.deepEqual(mapping, [
    { 'field-id': 1, names: ['id'] },
    {
      'field-id': 2,
      names: ['points'],
      fields: [{ 'field-id': 3, names: ['element'], fields: [{ 'field-id': 4, names: ['x'] }] }],
    },
    {
      'field-id': 5,
      names: ['props'],
      fields: [
        { 'field-id': 6, names: ['key'] },
        { 'field-id': 7, names: ['value'] },
      ],
    },
  ]);
  for (const [id, { path }] of indexById(schema)) assert.equal(mappedFieldId(mapping, path), id, path.join('.'));
});

test('name mappings of real tables', (t) => {
  const colMapping = join(
    FIXTURES,
    'column_mapping/warehouse/default.db/my_table/metadata/00001-75643dae-a7a7-46ae-ab30-ea80d3793f3f.metadata.json',
  );
  const t1 = join(FIXTURES, 'name_mapping/warehouse_1/mydb/t1/metadata');
  if (!existsSync(colMapping) || !existsSync(t1)) {
    t.skip(`fixtures absent: ${colMapping}, ${t1}`);
    return;
  }
  // Written by a tool from the schema: exactly the mapping floe derives from the same schema.
  const md = parseTableMetadata(readFileSync(colMapping, 'utf8'));
  const mapping = nameMappingFromProperties(md.properties);
  assert.ok(mapping !== undefined);
  assert.deepEqual(mapping, nameMappingFromSchema(currentSchema(md)));
  assert.equal(mappedFieldId(mapping, ['attributes', 'value']), 8);
  assert.equal(mappedFieldId(mapping, ['scores', 'element']), 9);
  assert.equal(mappedFieldId(mapping, ['profile', 'verified']), 11);

  const load = (v: string) => parseTableMetadata(readFileSync(join(t1, `${v}.metadata.json`), 'utf8')).properties;
  const v5 = nameMappingFromProperties(load('v5'));
  assert.ok(v5 !== undefined);
  assert.deepEqual(findMappedField(v5, ['b']), { 'field-id': 3, names: ['b'] });
  assert.equal(v5[1].names.length, 0); // field 2 kept with no names: it matches no file column
  const v32 = nameMappingFromProperties(load('v3.2'));
  assert.deepEqual(v32, []);
  assert.equal(mappedFieldId(v32 ?? [], ['a']), undefined);
  // v1 of this table stores the list wrapped in a struct object: read as its fields.
  assert.match(load('v1')[NAME_MAPPING_PROPERTY], /"type"/);
  assert.equal(mappedFieldId(nameMappingFromProperties(load('v1'))!, ['col_b']), 2);
  assert.equal(nameMappingFromProperties({}), undefined);
});
