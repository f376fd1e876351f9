/**
 * The Avro schemas Iceberg writes for manifest lists and manifests, with the spec's field ids
 * (spec: "Manifest Lists", "Manifests"; ids are fixed by the spec and must never change).
 *
 * Fields carry no `doc` strings: Avro makes them optional and the spec requires none (readers resolve fields by
 * `field-id`). The schema is stored uncompressed in every file's header, so the docs Java writes would add ~0.7 KiB
 * to each manifest and ~0.6 KiB to each manifest list: on a table committed to often and versioned, several
 * percent of its data bytes (docs/benchmarks.md, "versions").
 */
import type { AvroSchema } from './avro-container.js';

type Field = Record<string, unknown>;

const opt = (name: string, type: AvroSchema, id: number): Field => ({ name, type: ['null', type], default: null, 'field-id': id });
const req = (name: string, type: AvroSchema, id: number): Field => ({ name, type, 'field-id': id });
const intLongMap = (recordName: string, keyId: number, valueId: number, valueType: AvroSchema): AvroSchema => ({
  type: 'array',
  logicalType: 'map',
  items: {
    type: 'record',
    name: recordName,
    fields: [
      { name: 'key', type: 'int', 'field-id': keyId },
      { name: 'value', type: valueType, 'field-id': valueId },
    ],
  },
});

/** Manifest list (`manifest_file`) schema for format version 2 or 3. */
export function manifestListSchema(formatVersion: number): AvroSchema {
  const fields: Field[] = [
    req('manifest_path', 'string', 500),
    req('manifest_length', 'long', 501),
    req('partition_spec_id', 'int', 502),
    req('content', 'int', 517),
    req('sequence_number', 'long', 515),
    req('min_sequence_number', 'long', 516),
    req('added_snapshot_id', 'long', 503),
    req('added_files_count', 'int', 504),
    req('existing_files_count', 'int', 505),
    req('deleted_files_count', 'int', 506),
    req('added_rows_count', 'long', 512),
    req('existing_rows_count', 'long', 513),
    req('deleted_rows_count', 'long', 514),
    opt(
      'partitions',
      {
        type: 'array',
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            req('contains_null', 'boolean', 509),
            opt('contains_nan', 'boolean', 518),
            opt('lower_bound', 'bytes', 510),
            opt('upper_bound', 'bytes', 511),
          ],
        },
        'element-id': 508,
      },
      507,
    ),
    opt('key_metadata', 'bytes', 519),
  ];
  if (formatVersion >= 3) fields.push(opt('first_row_id', 'long', 520));
  return { type: 'record', name: 'manifest_file', fields };
}

/**
 * Manifest entry schema for format version 2 or 3. `partitionFields` is the Avro form of the spec's partition
 * struct (field ids 1000+), built by the caller from the partition type.
 *
 * `keepOptional` chooses, by name, which optional `data_file` fields (the spec's optional ones, written as unions
 * with null) the schema holds (all by default). The spec lets a writer write or omit an optional field ("Writer requirements":
 * _optional_ = "the field can be written or omitted"), and readers resolve fields by `field-id`, reading an
 * omitted one as null (Java's projection, pyiceberg, DuckDB's iceberg reader). The schema sits uncompressed in
 * the header of every manifest, so a field that no entry of the manifest sets costs 60–190 bytes per manifest
 * for nothing: `writeManifest` omits those.
 */
export function manifestEntrySchema(formatVersion: number, partitionFields: Field[], keepOptional: (name: string) => boolean = () => true): AvroSchema {
  const dataFileFields: Field[] = [
    req('content', 'int', 134),
    req('file_path', 'string', 100),
    req('file_format', 'string', 101),
    req('partition', { type: 'record', name: 'r102', fields: partitionFields }, 102),
    req('record_count', 'long', 103),
    req('file_size_in_bytes', 'long', 104),
    opt('column_sizes', intLongMap('k117_v118', 117, 118, 'long'), 108),
    opt('value_counts', intLongMap('k119_v120', 119, 120, 'long'), 109),
    opt('null_value_counts', intLongMap('k121_v122', 121, 122, 'long'), 110),
    opt('nan_value_counts', intLongMap('k138_v139', 138, 139, 'long'), 137),
    opt('lower_bounds', intLongMap('k126_v127', 126, 127, 'bytes'), 125),
    opt('upper_bounds', intLongMap('k129_v130', 129, 130, 'bytes'), 128),
    opt('key_metadata', 'bytes', 131),
    opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
    opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
    opt('sort_order_id', 'int', 140),
  ];
  if (formatVersion >= 3) {
    dataFileFields.push(
      opt('first_row_id', 'long', 142),
      opt('referenced_data_file', 'string', 143),
      opt('content_offset', 'long', 144),
      opt('content_size_in_bytes', 'long', 145),
    );
  } else {
    dataFileFields.push(opt('referenced_data_file', 'string', 143));
  }
  const kept = dataFileFields.filter((f) => !Array.isArray(f.type) || keepOptional(f.name as string));
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      req('status', 'int', 0),
      opt('snapshot_id', 'long', 1),
      opt('sequence_number', 'long', 3),
      opt('file_sequence_number', 'long', 4),
      req('data_file', { type: 'record', name: 'r2', fields: kept }, 2),
    ],
  };
}
