/**
 * Partition specs (spec: "Partitioning").
 */
import { FloeError } from '../../errors.js';
import { primitiveToString, type IcebergType, type NestedField, type StructType } from './types.js';
import type { Schema } from './schema.js';
import { indexById } from './schema.js';
import { parseTransform, resultType } from './transforms.js';
import { asObject, has, optIntList, reqArray, reqInt, reqString, type JsonObject } from './json-fields.js';

/** One partition field. `transform` is the spec's string: `identity`, `bucket[16]`, `truncate[4]`, `day`, `void`... */
export interface PartitionField {
  'source-id': number;
  /** v3 multi-argument transforms list several sources; `source-id` is then the first. */
  'source-ids'?: number[];
  'field-id': number;
  name: string;
  transform: string;
}

/** A partition spec. */
export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

/**
 * First partition field id of a v1 spec. v1 metadata did not store partition field ids; the reference
 * implementation assigned them sequentially from 1000 (spec Appendix C "Partition Specs"), which is also what
 * the manifests written for those tables use.
 */
export const V1_FIRST_PARTITION_FIELD_ID = 1000;

/** Options of {@link parsePartitionSpec} and {@link parsePartitionFields}. */
export interface ParsePartitionOptions {
  /** Table format version; in v1 a missing `field-id` is assigned from 1000 on instead of being an error. */
  formatVersion?: number;
}

/**
 * Validates a partition spec object (`spec-id` + `fields`) from parsed metadata JSON (spec Appendix C
 * "Partition Specs"). Throws `METADATA_INVALID` naming the missing or malformed field.
 */
export function parsePartitionSpec(json: unknown, where: string, options: ParsePartitionOptions = {}): PartitionSpec {
  const o = asObject(json, where);
  return {
    'spec-id': reqInt(o, 'spec-id', where),
    fields: parsePartitionFields(reqArray(o, 'fields', where), `${where}.fields`, options),
  };
}

/**
 * Validates a bare list of partition fields, the form of v1's deprecated `partition-spec` table metadata field.
 */
export function parsePartitionFields(
  list: unknown[],
  where: string,
  options: ParsePartitionOptions = {},
): PartitionField[] {
  return list.map((item, i) => parsePartitionField(item, `${where}[${i}]`, i, options.formatVersion ?? 2));
}

function parsePartitionField(json: unknown, where: string, index: number, formatVersion: number): PartitionField {
  const o: JsonObject = asObject(json, where);
  const sourceIds = optIntList(o, 'source-ids', where);
  // v3 writes only `source-ids` for multi-argument transforms (Appendix C, note 1); `source-id` is then the first.
  const sourceId =
    has(o, 'source-id') || sourceIds === undefined || sourceIds.length === 0
      ? reqInt(o, 'source-id', where)
      : sourceIds[0];
  const fieldId =
    formatVersion === 1 && !has(o, 'field-id') ? V1_FIRST_PARTITION_FIELD_ID + index : reqInt(o, 'field-id', where);
  const field: PartitionField = {
    'source-id': sourceId,
    'field-id': fieldId,
    name: reqString(o, 'name', where),
    transform: reqString(o, 'transform', where),
  };
  if (sourceIds !== undefined) field['source-ids'] = sourceIds;
  return field;
}

/** The spec JSON of a partition field: `source-ids` alone for multi-argument transforms (Appendix C, note 1). */
export function partitionFieldToJson(field: PartitionField): Record<string, unknown> {
  const multi = field['source-ids'] !== undefined && field['source-ids'].length > 1;
  const out: Record<string, unknown> = {};
  if (!multi) out['source-id'] = field['source-id'];
  if (field['source-ids'] !== undefined) out['source-ids'] = field['source-ids'];
  out['field-id'] = field['field-id'];
  out.name = field.name;
  out.transform = field.transform;
  return out;
}

/** The spec JSON of a partition spec. */
export function partitionSpecToJson(spec: PartitionSpec): Record<string, unknown> {
  return { 'spec-id': spec['spec-id'], fields: spec.fields.map(partitionFieldToJson) };
}

/**
 * True when the spec does not partition data: it has no fields, or only `void` fields (v1 tables drop a partition
 * field by replacing its transform with `void`, spec "Partition Evolution").
 */
export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => parseTransform(f.transform).kind === 'void');
}

/** Highest partition field id of a spec, or 999 (one below the first id) when it has none. */
export function lastAssignedFieldId(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f['field-id']), V1_FIRST_PARTITION_FIELD_ID - 1);
}

/**
 * The partition tuple type of a spec over a schema: one optional field per partition field, with the partition
 * field's id and name and the transform's result type (spec "Partition Transforms"). Partition values are
 * optional because every transform maps null to null. Manifests store partition tuples with exactly this type.
 *
 * A source column missing from the schema is looked up in `history` (the table's other schemas, oldest first), then
 * allowed for `void` fields (v1 drops a partition field by voiding it,
 * spec "Partition Evolution"; the spec's result type for void is then `int`) and for unknown transforms (which
 * readers must ignore; typed `string` like `resultType` does). Otherwise, or when the source is not a primitive
 * (spec "Partitioning": source columns must be primitive), it throws `METADATA_INVALID`.
 */
export function partitionType(spec: PartitionSpec, schema: Pick<Schema, 'fields'>, history: ReadonlyArray<Pick<Schema, 'fields'>> = []): StructType {
  const byId = indexById(schema);
  const fields: NestedField[] = spec.fields.map((pf) => {
    const transform = parseTransform(pf.transform);
    // A source dropped since (allowed for older specs) has the type it had in the newest schema holding it: the
    // type the spec's partition tuples were written with. Older schemas are looked at only then.
    const source = byId.get(pf['source-id'])?.field.type ?? olderType(history, pf['source-id']);
    let type: string;
    if (typeof source === 'string') {
      type = primitiveToString(resultType(transform, source));
    } else if (source === undefined && (transform.kind === 'void' || transform.kind === 'unknown')) {
      type = transform.kind === 'void' ? 'int' : 'string';
    } else {
      const problem = source === undefined ? 'is not in the schema' : 'is not a primitive column';
      throw new FloeError(
        'METADATA_INVALID',
        `partition field '${pf.name}' of spec ${spec['spec-id']}: source-id ${pf['source-id']} ${problem}`,
        { context: { field: 'source-id', specId: spec['spec-id'], sourceId: pf['source-id'] } },
      );
    }
    return { id: pf['field-id'], name: pf.name, required: false, type };
  });
  return { type: 'struct', fields };
}

/** The type of field `id` in the newest of `history` (oldest first) that has it. */
function olderType(history: ReadonlyArray<Pick<Schema, 'fields'>>, id: number): IcebergType | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const found = indexById(history[i]).get(id);
    if (found) return found.field.type;
  }
  return undefined;
}
