/**
 * Resolution of Avro record fields by Iceberg field id. Iceberg identifies manifest fields by the `field-id`
 * attribute of the writer's schema, not by name: Java, pyiceberg and older writers name some fields differently
 * (`added_data_files_count` vs `added_files_count`), so readers must never match on names (spec: "Manifests").
 */
import type { AvroSchema } from './avro-container.js';

/** A record field of a writer schema, found by id. */
export interface AvroFieldRef {
  name: string;
  schema: AvroSchema;
}

/** Index of a record's fields by `field-id`. */
export type FieldIdIndex = Map<number, AvroFieldRef>;

/** Removes a `null` branch from a union, returning the remaining schema. */
export function nonNull(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) {
    const rest = schema.filter((s) => s !== 'null');
    return rest.length === 1 ? rest[0] : rest;
  }
  return schema;
}

/** Indexes the fields of a record schema (possibly wrapped in a nullable union) by field id. */
export function indexFieldIds(schema: AvroSchema): FieldIdIndex {
  const rec = nonNull(schema);
  const index: FieldIdIndex = new Map();
  if (typeof rec !== 'object' || Array.isArray(rec) || rec.type !== 'record') return index;
  for (const f of rec.fields as Array<Record<string, unknown>>) {
    const id = f['field-id'];
    if (typeof id === 'number') index.set(id, { name: f.name as string, schema: f.type as AvroSchema });
  }
  return index;
}

/** Reads the value of field `id` from a decoded record, or `undefined` when the writer did not write that field. */
export function fieldById(record: unknown, index: FieldIdIndex, id: number): unknown {
  const ref = index.get(id);
  if (!ref || record === null || typeof record !== 'object') return undefined;
  return (record as Record<string, unknown>)[ref.name];
}

/**
 * Decodes an Iceberg map field. Maps with non-string keys are written as arrays of key/value records
 * (`logicalType: map`); string-keyed maps may be native Avro maps.
 */
export function decodeIcebergMap<K, V>(value: unknown, convert: (k: unknown, v: unknown) => [K, V]): Map<K, V> | undefined {
  if (value === null || value === undefined) return undefined;
  const out = new Map<K, V>();
  if (Array.isArray(value)) {
    for (const kv of value as Array<{ key: unknown; value: unknown }>) {
      const [k, v] = convert(kv.key, kv.value);
      out.set(k, v);
    }
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const [ck, cv] = convert(k, v);
      out.set(ck, cv);
    }
  }
  return out;
}
