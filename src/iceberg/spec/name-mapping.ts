/**
 * Name mapping (spec "Column Projection", Appendix C "Name Mapping Serialization"): the table property
 * `schema.name-mapping.default` holds a JSON list of field mappings that give field ids to columns of data files
 * written without them (files imported from Hive or plain Parquet). Readers resolve a file column by its name path
 * through the mapping when the file carries no field id.
 */
import { FloeError } from '../../errors.js';
import { parseJson, stringifyJson } from '../../util/json.js';
import type { IcebergType, NestedField } from './types.js';
import type { Schema } from './schema.js';
import { asObject, has, invalidField, optArray, optInt, reqArray } from './json-fields.js';

/** Table property holding the default name mapping (spec "Column Projection"). */
export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

/** One field mapping. */
export interface MappedField {
  /** Iceberg field id for columns named by `names`; absent for file columns that are not in the table schema. */
  'field-id'?: number;
  /** Every name the column may have in data files (0 or more; e.g. all Avro aliases). */
  names: string[];
  /** Mappings of child fields: struct fields, a list's `element`, a map's `key` and `value`. */
  fields?: MappedField[];
}

/** A name mapping: the field mappings of the top-level columns. */
export type NameMapping = MappedField[];

/**
 * Parses a name mapping from its JSON text (the value of {@link NAME_MAPPING_PROPERTY}). Throws `METADATA_INVALID`
 * for invalid JSON or a mapping not in the spec's shape (a list of `{field-id?, names, fields?}` objects).
 */
export function parseNameMapping(text: string): NameMapping {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    throw new FloeError('METADATA_INVALID', `${NAME_MAPPING_PROPERTY} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      context: { property: NAME_MAPPING_PROPERTY },
    });
  }
  return nameMappingFromJson(json, NAME_MAPPING_PROPERTY);
}

/** Validates an already parsed name mapping (a JSON list of field mappings, Appendix C). */
export function nameMappingFromJson(json: unknown, where = 'name mapping'): NameMapping {
  // Some writers (DuckDB's own test tables among them) store the list wrapped as `{"type": "struct", "fields": [...]}`;
  // the fields are the same field mappings, so read them rather than refuse the table.
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && Array.isArray((json as { fields?: unknown }).fields)) {
    json = (json as { fields: unknown[] }).fields;
  }
  if (!Array.isArray(json)) {
    throw new FloeError('METADATA_INVALID', `${where}: a name mapping must be a JSON list of field mappings`, {
      context: { where },
    });
  }
  return json.map((f, i) => parseMappedField(f, `${where}[${i}]`));
}

function parseMappedField(json: unknown, where: string): MappedField {
  const o = asObject(json, where);
  const names = reqArray(o, 'names', where).map((n, i) =>
    typeof n === 'string' ? n : invalidField(where, `names[${i}]`, 'a string', n),
  );
  const mapped: MappedField = { names };
  const id = optInt(o, 'field-id', where);
  if (id !== undefined) mapped['field-id'] = id;
  if (has(o, 'fields')) {
    mapped.fields = (optArray(o, 'fields', where) ?? []).map((f, i) => parseMappedField(f, `${where}.fields[${i}]`));
  }
  return mapped;
}

/** The JSON text of a name mapping, in the form stored in {@link NAME_MAPPING_PROPERTY}. */
export function stringifyNameMapping(mapping: NameMapping): string {
  return stringifyJson(mapping);
}

/**
 * The table's default name mapping from its properties, or `undefined` when the property is not set.
 * Throws `METADATA_INVALID` when it is set but invalid.
 */
export function nameMappingFromProperties(properties: Record<string, string>): NameMapping | undefined {
  const text = properties[NAME_MAPPING_PROPERTY];
  return text === undefined ? undefined : parseNameMapping(text);
}

/**
 * A name mapping that maps each field of `schema` by its current name, with children for structs, lists
 * (`element`) and maps (`key`, `value`), as the spec asks of mappings for nested types ("Column Projection").
 */
export function nameMappingFromSchema(schema: Pick<Schema, 'fields'>): NameMapping {
  return schema.fields.map(mapField);
}

function mapField(field: NestedField): MappedField {
  const mapped: MappedField = { 'field-id': field.id, names: [field.name] };
  const children = childMappings(field.type);
  if (children !== undefined) mapped.fields = children;
  return mapped;
}

function childMappings(type: IcebergType): MappedField[] | undefined {
  if (typeof type === 'string') return undefined;
  switch (type.type) {
    case 'struct':
      return type.fields.map(mapField);
    case 'list':
      return [
        mapField({ id: type['element-id'], name: 'element', required: type['element-required'], type: type.element }),
      ];
    case 'map':
      return [
        mapField({ id: type['key-id'], name: 'key', required: true, type: type.key }),
        mapField({ id: type['value-id'], name: 'value', required: type['value-required'], type: type.value }),
      ];
  }
}

/**
 * The field id a mapping gives to the file column at `path` (names from the top level down, e.g.
 * `['location', 'lat']`, `['tags', 'element']`), or `undefined` when the path is not mapped or its mapping has no
 * `field-id`. Each path step is matched against `names` literally: a name containing `.` is one name, not a
 * nested path (spec "Column Projection").
 */
export function mappedFieldId(mapping: NameMapping, path: readonly string[]): number | undefined {
  return findMappedField(mapping, path)?.['field-id'];
}

/** The field mapping at `path`, or `undefined`; see {@link mappedFieldId}. */
export function findMappedField(mapping: NameMapping, path: readonly string[]): MappedField | undefined {
  if (path.length === 0) return undefined;
  let level: MappedField[] | undefined = mapping;
  let found: MappedField | undefined;
  for (const name of path) {
    found = level?.find((f) => f.names.includes(name));
    if (found === undefined) return undefined;
    level = found.fields;
  }
  return found;
}
