/**
 * Iceberg schemas (spec: "Schemas"): a struct with a schema id and identifier fields.
 */
import { FloeError } from '../../errors.js';
import type { IcebergType, NestedField } from './types.js';
import { parseStruct } from './types.js';
import { asObject, has, invalidField, optIntList, reqInt } from './json-fields.js';

/** A table schema in the spec's JSON shape. */
export interface Schema {
  type: 'struct';
  'schema-id': number;
  'identifier-field-ids'?: number[];
  fields: NestedField[];
}

/**
 * A field found by id or name. List elements and map keys/values have no struct field of their own in the spec's
 * JSON; they are given one named `element`, `key` or `value` carrying the element/key/value id, type and
 * requiredness (a map key is always required: spec "Nested Types").
 */
export interface IndexedField {
  field: NestedField;
  /** Names from the schema root to the field, e.g. `['locations', 'element', 'lat']`. */
  path: string[];
}

/** Options of {@link parseSchema}. */
export interface ParseSchemaOptions {
  /**
   * Require `schema-id`. Appendix C makes it required from v2 on; v1 schemas may omit it and then get id 0, the
   * id the reference implementation gives a v1 table's only schema.
   */
  requireSchemaId?: boolean;
}

/**
 * Validates a schema object from parsed metadata JSON (spec Appendix C "Schemas"). `where` names its place in the
 * metadata for error messages. Throws `METADATA_INVALID` naming the missing or malformed field.
 */
export function parseSchema(json: unknown, where: string, options: ParseSchemaOptions = {}): Schema {
  const o = asObject(json, where);
  // A schema is a struct type plus ids: without `"type": "struct"` it is not a schema (Appendix C).
  if (!has(o, 'type')) {
    throw new FloeError('METADATA_INVALID', `${where}: missing required field 'type'`, {
      context: { field: 'type', where },
    });
  }
  if (o.type !== 'struct') invalidField(where, 'type', '"struct"', o.type);
  const struct = parseStruct(o, where);
  const schema: Schema = {
    type: 'struct',
    'schema-id': options.requireSchemaId || has(o, 'schema-id') ? reqInt(o, 'schema-id', where) : 0,
    fields: struct.fields,
  };
  const ids = optIntList(o, 'identifier-field-ids', where);
  if (ids !== undefined) schema['identifier-field-ids'] = ids;
  return schema;
}

/**
 * Indexes every field of a schema by id: struct fields at any depth, list elements and map keys and values.
 */
export function indexById(schema: Pick<Schema, 'fields'>): Map<number, IndexedField> {
  const index = new Map<number, IndexedField>();
  const visitType = (type: IcebergType, path: string[]): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') {
      for (const f of type.fields) visitField(f, path);
    } else if (type.type === 'list') {
      visitField(
        { id: type['element-id'], name: 'element', required: type['element-required'], type: type.element },
        path,
      );
    } else {
      visitField({ id: type['key-id'], name: 'key', required: true, type: type.key }, path);
      visitField(
        { id: type['value-id'], name: 'value', required: type['value-required'], type: type.value },
        path,
      );
    }
  };
  const visitField = (field: NestedField, parent: string[]): void => {
    const path = [...parent, field.name];
    index.set(field.id, { field, path });
    visitType(field.type, path);
  };
  for (const f of schema.fields) visitField(f, []);
  return index;
}

/** The field with `id`, or `undefined`. */
export function findFieldById(schema: Pick<Schema, 'fields'>, id: number): IndexedField | undefined {
  return indexById(schema).get(id);
}

/**
 * Finds a field by its dotted name, e.g. `location.lat` or `tags.element`. As in the reference implementation,
 * the `element` of a list and the `value` of a map may be left out when the result is unambiguous
 * (`locations.lat` for `locations.element.lat`). A name containing a literal `.` matches too, since names are
 * compared joined. With `caseSensitive` false, names compare case-insensitively; if that makes the name ambiguous
 * the first field in schema order wins.
 */
export function findFieldByName(
  schema: Pick<Schema, 'fields'>,
  dottedName: string,
  caseSensitive = true,
): IndexedField | undefined {
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const wanted = norm(dottedName);
  let shortMatch: IndexedField | undefined;
  for (const entry of indexById(schema).values()) {
    if (norm(entry.path.join('.')) === wanted) return entry;
    if (shortMatch === undefined) {
      const short = shortPath(schema, entry.path);
      if (short !== undefined && norm(short.join('.')) === wanted) shortMatch = entry;
    }
  }
  return shortMatch;
}

/** `path` without the `element`/`value` steps of lists and maps, or `undefined` when there are none. */
function shortPath(schema: Pick<Schema, 'fields'>, path: string[]): string[] | undefined {
  const out: string[] = [];
  let type: IcebergType = { type: 'struct', fields: schema.fields };
  let dropped = false;
  for (const name of path) {
    if (typeof type === 'string') return undefined;
    if (type.type === 'struct') {
      const f: NestedField | undefined = type.fields.find((x) => x.name === name);
      if (f === undefined) return undefined;
      out.push(name);
      type = f.type;
    } else if (type.type === 'list') {
      dropped = true;
      type = type.element;
    } else if (name === 'key') {
      out.push(name);
      type = type.key;
    } else {
      dropped = true;
      type = type.value;
    }
  }
  // Only the leaf itself may not be a dropped step: `tags` for `tags.element` would shadow the list field.
  return dropped && out.length > 0 && path[path.length - 1] === out[out.length - 1] ? out : undefined;
}
