/**
 * The Avro schemas Iceberg writes for manifest lists and manifests, with the spec's field ids
 * (spec: "Manifest Lists", "Manifests"; ids are fixed by the spec and must never change).
 */
import type { AvroSchema } from './avro-container.js';

type Field = Record<string, unknown>;

const opt = (name: string, type: AvroSchema, id: number, doc?: string): Field => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': id,
  ...(doc ? { doc } : {}),
});
const req = (name: string, type: AvroSchema, id: number, doc?: string): Field => ({
  name,
  type,
  'field-id': id,
  ...(doc ? { doc } : {}),
});
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
    req('manifest_path', 'string', 500, 'Location URI with FS scheme'),
    req('manifest_length', 'long', 501, 'Total file size in bytes'),
    req('partition_spec_id', 'int', 502, 'Spec ID used to write'),
    req('content', 'int', 517, 'Contents of the manifest: 0=data, 1=deletes'),
    req('sequence_number', 'long', 515, 'Sequence number when the manifest was added'),
    req('min_sequence_number', 'long', 516, 'Lowest sequence number in the manifest'),
    req('added_snapshot_id', 'long', 503, 'Snapshot ID that added the manifest'),
    req('added_files_count', 'int', 504, 'Added entry count'),
    req('existing_files_count', 'int', 505, 'Existing entry count'),
    req('deleted_files_count', 'int', 506, 'Deleted entry count'),
    req('added_rows_count', 'long', 512, 'Added rows count'),
    req('existing_rows_count', 'long', 513, 'Existing rows count'),
    req('deleted_rows_count', 'long', 514, 'Deleted rows count'),
    opt(
      'partitions',
      {
        type: 'array',
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            req('contains_null', 'boolean', 509, 'True if any file has a null partition value'),
            opt('contains_nan', 'boolean', 518, 'True if any file has a nan partition value'),
            opt('lower_bound', 'bytes', 510, 'Partition lower bound for all files'),
            opt('upper_bound', 'bytes', 511, 'Partition upper bound for all files'),
          ],
        },
        'element-id': 508,
      },
      507,
      'Summary for each partition',
    ),
    opt('key_metadata', 'bytes', 519, 'Encryption key metadata blob'),
  ];
  if (formatVersion >= 3) fields.push(opt('first_row_id', 'long', 520, 'First row id of the manifest'));
  return { type: 'record', name: 'manifest_file', fields };
}

/**
 * Manifest entry schema for format version 2 or 3. `partitionFields` is the Avro form of the spec's partition
 * struct (field ids 1000+), built by the caller from the partition type.
 */
export function manifestEntrySchema(formatVersion: number, partitionFields: Field[]): AvroSchema {
  const dataFileFields: Field[] = [
    req('content', 'int', 134, 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes'),
    req('file_path', 'string', 100, 'Location URI with FS scheme'),
    req('file_format', 'string', 101, 'File format name: avro, orc, parquet or puffin'),
    req('partition', { type: 'record', name: 'r102', fields: partitionFields }, 102, 'Partition data tuple'),
    req('record_count', 'long', 103, 'Number of records in the file'),
    req('file_size_in_bytes', 'long', 104, 'Total file size in bytes'),
    opt('column_sizes', intLongMap('k117_v118', 117, 118, 'long'), 108, 'Map of column id to total size on disk'),
    opt('value_counts', intLongMap('k119_v120', 119, 120, 'long'), 109, 'Map of column id to total count'),
    opt('null_value_counts', intLongMap('k121_v122', 121, 122, 'long'), 110, 'Map of column id to null count'),
    opt('nan_value_counts', intLongMap('k138_v139', 138, 139, 'long'), 137, 'Map of column id to NaN count'),
    opt('lower_bounds', intLongMap('k126_v127', 126, 127, 'bytes'), 125, 'Map of column id to lower bound'),
    opt('upper_bounds', intLongMap('k129_v130', 129, 130, 'bytes'), 128, 'Map of column id to upper bound'),
    opt('key_metadata', 'bytes', 131, 'Encryption key metadata blob'),
    opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132, 'Splittable offsets'),
    opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135, 'Equality comparison field IDs'),
    opt('sort_order_id', 'int', 140, 'Sort order ID'),
  ];
  if (formatVersion >= 3) {
    dataFileFields.push(
      opt('first_row_id', 'long', 142, 'First row id of the file'),
      opt('referenced_data_file', 'string', 143, 'Data file that all deletes reference'),
      opt('content_offset', 'long', 144, 'Offset of the deletion vector blob in the file'),
      opt('content_size_in_bytes', 'long', 145, 'Length of the deletion vector blob'),
    );
  } else {
    dataFileFields.push(opt('referenced_data_file', 'string', 143, 'Data file that all deletes reference'));
  }
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      req('status', 'int', 0),
      opt('snapshot_id', 'long', 1),
      opt('sequence_number', 'long', 3),
      opt('file_sequence_number', 'long', 4),
      req('data_file', { type: 'record', name: 'r2', fields: dataFileFields }, 2),
    ],
  };
}
