/**
 * Manifests and manifest lists: round trips through floe's writer and reader, resolution of fields by Iceberg
 * field id (never by name), the spec's sequence-number and snapshot-id inheritance, exact 64-bit values, real
 * manifests written by pyiceberg and Iceberg Java, and the error codes for corrupt container files.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import { readAvroContainer, writeAvroContainer, type AvroSchema } from '../../../src/iceberg/avro/avro-container.js';
import {
  EntryStatus,
  readManifest,
  writeManifest,
  type DataFile,
  type ManifestEntry,
  type WriteManifestOptions,
} from '../../../src/iceberg/avro/manifest.js';
import { readManifestList, writeManifestList, type ManifestFile } from '../../../src/iceberg/avro/manifest-list.js';
import { manifestEntrySchema } from '../../../src/iceberg/avro/manifest-schemas.js';
import type { Primitive, PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

const FIXTURES = icebergFixtures();

function throwsCode(fn: () => unknown, code: FloeErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => Uint8Array.from(b);
/** Snapshot ids above 2^53 (Number.MAX_SAFE_INTEGER): a double would round them. */
const BIG_SNAPSHOT = 9158179788527662767n;
const MAX_LONG = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------------------------------------------

/** A partition tuple of many types, with the field ids a spec would assign (1000+). */
const PARTITION_FIELDS: WriteManifestOptions['partitionFields'] = [
  { fieldId: 1000, name: 'p_int', type: { kind: 'int' } },
  { fieldId: 1001, name: 'p_long', type: { kind: 'long' } },
  { fieldId: 1002, name: 'p_string', type: { kind: 'string' } },
  { fieldId: 1003, name: 'p_date', type: { kind: 'date' } },
  { fieldId: 1004, name: 'p_dec9', type: { kind: 'decimal', precision: 9, scale: 2 } },
  { fieldId: 1005, name: 'p_dec38', type: { kind: 'decimal', precision: 38, scale: 10 } },
  { fieldId: 1006, name: 'p_uuid', type: { kind: 'uuid' } },
  { fieldId: 1007, name: 'p_fixed', type: { kind: 'fixed', length: 3 } },
  { fieldId: 1008, name: 'p_binary', type: { kind: 'binary' } },
  { fieldId: 1009, name: 'p_bool', type: { kind: 'boolean' } },
  { fieldId: 1010, name: 'p_ts', type: { kind: 'timestamp' } },
];

const partition = (values: Array<PrimitiveValue | null>) =>
  new Map<number, PrimitiveValue | null>(PARTITION_FIELDS.map((f, i) => [f.fieldId, values[i]]));

const PARTITION_A = partition([
  -7,
  -(2n ** 62n),
  'héllo, wörld',
  19723, // 2024-01-01
  -12345678n, // -123456.78 in decimal(9,2)
  -(10n ** 38n - 1n), // the most negative decimal(38,10)
  'f79c3e09-677c-4bbd-a479-3f349cb785e7',
  bytes(0x00, 0xff, 0x7f),
  bytes(0xde, 0xad, 0xbe, 0xef, 0x00),
  true,
  1704067200123456n, // 2024-01-01T00:00:00.123456
]);
const PARTITION_B = partition([2147483647, 0n, '', 0, 99999999n, 10n ** 38n - 1n, '00000000-0000-0000-0000-000000000000', bytes(1, 2, 3), bytes(), false, -1n]);
const PARTITION_NULLS = partition(PARTITION_FIELDS.map(() => null));

function dataFile(overrides: Partial<DataFile> = {}): DataFile {
  return {
    content: 0,
    file_path: 's3://bucket/wh/db/t/data/00000-0-a.parquet',
    file_format: 'PARQUET',
    partition: PARTITION_A,
    record_count: 1000n,
    file_size_in_bytes: 123456n,
    column_sizes: new Map([[1, 100n], [2, 2n ** 40n]]),
    value_counts: new Map([[1, 1000n], [2, 1000n]]),
    null_value_counts: new Map([[1, 0n], [2, 17n]]),
    nan_value_counts: new Map([[3, 4n]]),
    lower_bounds: new Map([[1, bytes(1, 0, 0, 0)], [2, utf8('aardvark')]]),
    upper_bounds: new Map([[1, bytes(0xe8, 0x03, 0, 0)], [2, utf8('zebra')]]),
    key_metadata: bytes(9, 8, 7),
    split_offsets: [4n, 2n ** 33n],
    equality_ids: null,
    sort_order_id: 0,
    referenced_data_file: null,
    ...overrides,
  };
}

function writeOptions(formatVersion: number, content: 'data' | 'deletes' = 'data'): WriteManifestOptions {
  return {
    formatVersion,
    schemaJson: '{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"int"}]}',
    specId: 3,
    specFieldsJson: '[{"source-id":1,"field-id":1000,"transform":"identity","name":"p_int"}]',
    partitionFields: PARTITION_FIELDS,
    content,
  };
}

const ROUND_TRIP_ENTRIES: ManifestEntry[] = [
  {
    status: EntryStatus.ADDED,
    snapshot_id: BIG_SNAPSHOT,
    sequence_number: 12n,
    file_sequence_number: 12n,
    data_file: dataFile(),
  },
  {
    status: EntryStatus.EXISTING,
    snapshot_id: 42n,
    sequence_number: 3n,
    file_sequence_number: 2n,
    data_file: dataFile({ file_path: 's3://bucket/wh/db/t/data/b.parquet', partition: PARTITION_B, sort_order_id: null }),
  },
  {
    status: EntryStatus.DELETED,
    snapshot_id: MAX_LONG,
    sequence_number: 1n,
    file_sequence_number: 1n,
    data_file: dataFile({
      file_path: 's3://bucket/wh/db/t/data/c.parquet',
      partition: PARTITION_NULLS,
      column_sizes: undefined,
      value_counts: undefined,
      null_value_counts: undefined,
      nan_value_counts: undefined,
      lower_bounds: undefined,
      upper_bounds: undefined,
      key_metadata: null,
      split_offsets: null,
      sort_order_id: null,
    }),
  },
];

/** What the reader returns for a file floe wrote: every optional field present, v3-only fields null before v3. */
function expectedFile(f: DataFile): DataFile {
  return {
    ...f,
    key_metadata: f.key_metadata ?? null,
    split_offsets: f.split_offsets ?? null,
    equality_ids: f.equality_ids ?? null,
    sort_order_id: f.sort_order_id ?? null,
    first_row_id: f.first_row_id ?? null,
    referenced_data_file: f.referenced_data_file ?? null,
    content_offset: f.content_offset ?? null,
    content_size_in_bytes: f.content_size_in_bytes ?? null,
  };
}

test('v2 manifest round trip: partition tuple of many types, all metrics maps, header metadata', () => {
  const bytesOut = writeManifest(ROUND_TRIP_ENTRIES, writeOptions(2));
  assert.equal(readAvroContainer(bytesOut).codec, 'deflate');
  const m = readManifest(bytesOut);
  assert.deepEqual(m.meta, {
    schema: writeOptions(2).schemaJson,
    'partition-spec': writeOptions(2).specFieldsJson,
    'partition-spec-id': '3',
    'format-version': '2',
    content: 'data',
  });
  assert.equal(m.entries.length, 3);
  m.entries.forEach((e, i) => {
    const want = ROUND_TRIP_ENTRIES[i];
    assert.equal(e.status, want.status);
    assert.equal(e.snapshot_id, want.snapshot_id);
    assert.equal(e.sequence_number, want.sequence_number);
    assert.equal(e.file_sequence_number, want.file_sequence_number);
    assert.deepEqual(e.data_file, expectedFile(want.data_file), `entry ${i}`);
  });
  // Spot checks that do not lean on deepEqual: negative decimals and the uuid text.
  const p = m.entries[0].data_file.partition;
  assert.equal(p.get(1004), -12345678n);
  assert.equal(p.get(1005), -(10n ** 38n - 1n));
  assert.equal(p.get(1006), 'f79c3e09-677c-4bbd-a479-3f349cb785e7');
  assert.equal(m.entries[1].data_file.partition.get(1005), 10n ** 38n - 1n);
  assert.equal(m.entries[2].data_file.partition.get(1002), null);
});

test('v3 manifest round trip: deletion vector fields and row lineage', () => {
  const dv = dataFile({
    content: 1,
    file_path: 's3://bucket/wh/db/t/data/dv.puffin',
    file_format: 'PUFFIN',
    referenced_data_file: 's3://bucket/wh/db/t/data/00000-0-a.parquet',
    content_offset: 4n,
    content_size_in_bytes: 2n ** 35n,
    record_count: 3n,
    first_row_id: null,
    split_offsets: null,
  });
  const data = dataFile({ first_row_id: 2n ** 60n });
  const entries: ManifestEntry[] = [
    { status: 1, snapshot_id: BIG_SNAPSHOT, sequence_number: 5n, file_sequence_number: 5n, data_file: data },
    { status: 1, snapshot_id: BIG_SNAPSHOT, sequence_number: 5n, file_sequence_number: 5n, data_file: dv },
  ];
  const m = readManifest(writeManifest(entries, writeOptions(3, 'deletes')));
  assert.equal(m.meta['format-version'], '3');
  assert.equal(m.meta.content, 'deletes');
  assert.deepEqual(m.entries[0].data_file, expectedFile(data));
  assert.deepEqual(m.entries[1].data_file, expectedFile(dv));
  assert.equal(m.entries[1].data_file.content_size_in_bytes, 2n ** 35n);
});

test('explicit partition types take precedence over what the Avro schema suggests', () => {
  const m = readManifest(writeManifest(ROUND_TRIP_ENTRIES.slice(0, 1), writeOptions(2)), {
    // Read the `fixed[3]` field as binary, as a caller with the table's partition type would say.
    partitionTypes: new Map<number, Primitive>([[1007, { kind: 'binary' }]]),
  });
  assert.deepEqual(m.entries[0].data_file.partition.get(1007), bytes(0x00, 0xff, 0x7f));
  assert.equal(m.entries[0].data_file.partition.get(1001), -(2n ** 62n));
});

test('the container reads alike with the null and deflate codecs, in one block or many', () => {
  const deflated = writeManifest(ROUND_TRIP_ENTRIES, writeOptions(2));
  const c = readAvroContainer(deflated);
  const plain = writeAvroContainer(c.schema, c.records, { codec: 'null', meta: c.meta });
  const plainSmallBlocks = writeAvroContainer(c.schema, c.records, { codec: 'null', meta: c.meta, blockSize: 1 });
  const deflatedSmallBlocks = writeAvroContainer(c.schema, c.records, { codec: 'deflate', meta: c.meta, blockSize: 2 });
  for (const b of [plain, plainSmallBlocks, deflatedSmallBlocks]) {
    const back = readAvroContainer(b);
    assert.deepEqual(back.schema, c.schema);
    assert.deepEqual(back.meta, c.meta);
    assert.deepEqual(readManifest(b), readManifest(deflated));
  }
  assert.equal(readAvroContainer(plain).codec, 'null');
  // Uncompressed blocks hold the paths verbatim.
  assert.ok(Buffer.from(plain).includes('s3://bucket/wh/db/t/data/b.parquet'));
  assert.ok(plainSmallBlocks.length > plain.length, 'one sync marker and two counts per extra block');
});

test('64-bit values above 2^53 survive exactly in manifests and manifest lists', () => {
  const unsafe = [BIG_SNAPSHOT, MAX_LONG, 2n ** 53n + 1n];
  for (const id of unsafe) {
    assert.notEqual(BigInt(Number(id)), id, 'the value must not be representable as a double');
    const e: ManifestEntry = { status: 0, snapshot_id: id, sequence_number: id, file_sequence_number: id, data_file: dataFile({ record_count: id }) };
    const back = readManifest(writeManifest([e], writeOptions(2))).entries[0];
    assert.equal(back.snapshot_id, id);
    assert.equal(back.sequence_number, id);
    assert.equal(back.data_file.record_count, id);

    const list = readManifestList(
      writeManifestList([manifestFile({ added_snapshot_id: id, sequence_number: id, added_rows_count: id })], {
        'snapshot-id': id,
        'sequence-number': id,
        'format-version': 2,
      }),
    );
    assert.equal(list[0].added_snapshot_id, id);
    assert.equal(list[0].sequence_number, id);
    assert.equal(list[0].added_rows_count, id);
  }
});

function manifestFile(overrides: Partial<ManifestFile> = {}): ManifestFile {
  return {
    manifest_path: 's3://bucket/wh/db/t/metadata/m0.avro',
    manifest_length: 7349n,
    partition_spec_id: 0,
    content: 0,
    sequence_number: 7n,
    min_sequence_number: 7n,
    added_snapshot_id: 999n,
    added_files_count: 1,
    existing_files_count: 0,
    deleted_files_count: 0,
    added_rows_count: 21n,
    existing_rows_count: 0n,
    deleted_rows_count: 0n,
    partitions: null,
    key_metadata: null,
    ...overrides,
  };
}

test('manifest list round trip (v2 and v3), partition summaries included', () => {
  const mfs = [
    manifestFile({
      partitions: [
        { contains_null: false, contains_nan: false, lower_bound: bytes(0x2a, 0, 0, 0), upper_bound: bytes(0x39, 5, 0, 0) },
        { contains_null: true, contains_nan: null, lower_bound: null, upper_bound: null },
      ],
    }),
    manifestFile({ manifest_path: 's3://bucket/wh/db/t/metadata/d0.avro', content: 1, sequence_number: 8n, min_sequence_number: 2n }),
  ];
  const v2 = readManifestList(writeManifestList(mfs, { 'snapshot-id': BIG_SNAPSHOT, 'sequence-number': 8n, 'format-version': 2 }));
  assert.deepEqual(v2, mfs);
  const v3Files = mfs.map((m, i) => ({ ...m, first_row_id: i === 0 ? 100n : null }));
  const v3 = readManifestList(
    writeManifestList(v3Files, { 'snapshot-id': 1n, 'sequence-number': 8n, 'format-version': 3, 'first-row-id': 100n }),
  );
  assert.deepEqual(v3, v3Files);
});

// ---------------------------------------------------------------------------------------------------------------
// Resolution by field id
// ---------------------------------------------------------------------------------------------------------------

test('manifest list fields resolve by field id: Java v1 names, another field order, a same-named decoy', () => {
  const f = (name: string, type: AvroSchema, id: number) => ({ name, type, 'field-id': id });
  const schema: AvroSchema = {
    type: 'record',
    name: 'manifest_file',
    fields: [
      f('deleted_data_files_count', 'int', 506),
      f('added_snapshot_id', ['null', 'long'], 503),
      f('existing_data_files_count', 'int', 505),
      f('manifest_path', 'string', 500),
      f('added_data_files_count', 'int', 504),
      // A field carrying the *current* name of 504 under an id floe does not know: a reader matching names would
      // take its value.
      f('added_files_count', 'int', 9001),
      f('partition_spec_id', 'int', 502),
      f('manifest_length', 'long', 501),
      f('deleted_rows_count', 'long', 514),
      f('existing_rows_count', 'long', 513),
      f('added_rows_count', 'long', 512),
      f('min_sequence_number', 'long', 516),
      f('sequence_number', 'long', 515),
      f('content', 'int', 517),
      {
        name: 'partitions',
        type: [
          'null',
          {
            type: 'array',
            'element-id': 508,
            items: {
              type: 'record',
              name: 'r508',
              fields: [
                f('upper_bound', ['null', 'bytes'], 511),
                f('lower_bound', ['null', 'bytes'], 510),
                f('contains_null', 'boolean', 509),
              ],
            },
          },
        ],
        'field-id': 507,
      },
    ],
  };
  const record = {
    deleted_data_files_count: 1,
    added_snapshot_id: BIG_SNAPSHOT,
    existing_data_files_count: 2,
    manifest_path: 'file:/wh/t/metadata/m.avro',
    added_data_files_count: 3,
    added_files_count: 999,
    partition_spec_id: 4,
    manifest_length: 5n,
    deleted_rows_count: 6n,
    existing_rows_count: 7n,
    added_rows_count: 8n,
    min_sequence_number: 9n,
    sequence_number: 10n,
    content: 1,
    partitions: [{ upper_bound: Buffer.from([2]), lower_bound: Buffer.from([1]), contains_null: true }],
  };
  for (const codec of ['null', 'deflate'] as const) {
    const [mf] = readManifestList(writeAvroContainer(schema, [record], { codec, meta: { 'format-version': '2' } }));
    assert.deepEqual(mf, {
      manifest_path: 'file:/wh/t/metadata/m.avro',
      manifest_length: 5n,
      partition_spec_id: 4,
      content: 1,
      sequence_number: 10n,
      min_sequence_number: 9n,
      added_snapshot_id: BIG_SNAPSHOT,
      added_files_count: 3,
      existing_files_count: 2,
      deleted_files_count: 1,
      added_rows_count: 8n,
      existing_rows_count: 7n,
      deleted_rows_count: 6n,
      partitions: [{ contains_null: true, contains_nan: null, lower_bound: bytes(1), upper_bound: bytes(2) }],
      key_metadata: null,
    });
  }
});

test('a v1 manifest list (no content, no sequence numbers) reads as data manifests at sequence number 0', () => {
  const schema: AvroSchema = {
    type: 'record',
    name: 'manifest_file',
    fields: [
      { name: 'manifest_path', type: 'string', 'field-id': 500 },
      { name: 'manifest_length', type: 'long', 'field-id': 501 },
      { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
      { name: 'added_snapshot_id', type: ['null', 'long'], 'field-id': 503 },
      { name: 'added_data_files_count', type: ['null', 'int'], 'field-id': 504 },
    ],
  };
  const [mf] = readManifestList(
    writeAvroContainer(schema, [{ manifest_path: 'm.avro', manifest_length: 10n, partition_spec_id: 0, added_snapshot_id: 5n, added_data_files_count: null }]),
  );
  assert.equal(mf.content, 0);
  assert.equal(mf.sequence_number, 0n);
  assert.equal(mf.min_sequence_number, 0n);
  assert.equal(mf.added_snapshot_id, 5n);
  assert.equal(mf.added_files_count, null);
});

test('a file without field id 500 is not a manifest list; without field id 2 not a manifest', () => {
  const schema: AvroSchema = { type: 'record', name: 'x', fields: [{ name: 'manifest_path', type: 'string' }] };
  const file = writeAvroContainer(schema, [{ manifest_path: 'm.avro' }]);
  throwsCode(() => readManifestList(file), 'AVRO_INVALID');
  throwsCode(() => readManifest(file), 'AVRO_INVALID');
});

// ---------------------------------------------------------------------------------------------------------------
// Inheritance
// ---------------------------------------------------------------------------------------------------------------

test('ADDED entries with null sequence numbers and snapshot id inherit them from the manifest list entry', () => {
  const entries: ManifestEntry[] = [
    { status: EntryStatus.ADDED, snapshot_id: null, sequence_number: null, file_sequence_number: null, data_file: dataFile({ file_path: 'added' }) },
    { status: EntryStatus.ADDED, snapshot_id: 5n, sequence_number: 6n, file_sequence_number: 6n, data_file: dataFile({ file_path: 'added-explicit' }) },
    { status: EntryStatus.EXISTING, snapshot_id: 111n, sequence_number: 3n, file_sequence_number: 2n, data_file: dataFile({ file_path: 'existing' }) },
    { status: EntryStatus.DELETED, snapshot_id: 222n, sequence_number: 4n, file_sequence_number: 4n, data_file: dataFile({ file_path: 'deleted' }) },
    // Malformed: EXISTING and DELETED entries must carry their sequence numbers; they never take the list's.
    { status: EntryStatus.EXISTING, snapshot_id: 333n, sequence_number: null, file_sequence_number: null, data_file: dataFile({ file_path: 'existing-null' }) },
    { status: EntryStatus.DELETED, snapshot_id: 444n, sequence_number: null, file_sequence_number: null, data_file: dataFile({ file_path: 'deleted-null' }) },
  ];
  const file = writeManifest(entries, writeOptions(2));
  const mf = manifestFile({ sequence_number: 7n, added_snapshot_id: BIG_SNAPSHOT });

  const inherited = readManifest(file, { manifestFile: mf }).entries;
  const view = inherited.map((e) => [e.data_file.file_path, e.snapshot_id, e.sequence_number, e.file_sequence_number]);
  assert.deepEqual(view, [
    ['added', BIG_SNAPSHOT, 7n, 7n],
    ['added-explicit', 5n, 6n, 6n],
    ['existing', 111n, 3n, 2n],
    ['deleted', 222n, 4n, 4n],
    ['existing-null', 333n, null, null],
    ['deleted-null', 444n, null, null],
  ]);

  // Without the list entry nothing is made up.
  const raw = readManifest(file).entries[0];
  assert.equal(raw.snapshot_id, null);
  assert.equal(raw.sequence_number, null);
  assert.equal(raw.file_sequence_number, null);
});

test('v1 manifests (no fields 3, 4 or 134) read as data files at sequence number 0', () => {
  const schema: AvroSchema = {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      { name: 'snapshot_id', type: 'long', 'field-id': 1 },
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'file_path', type: 'string', 'field-id': 100 },
            { name: 'file_format', type: 'string', 'field-id': 101 },
            {
              name: 'partition',
              'field-id': 102,
              type: { type: 'record', name: 'r102', fields: [{ name: 'x', type: ['null', 'int'], 'field-id': 1000 }] },
            },
            { name: 'record_count', type: 'long', 'field-id': 103 },
            { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
            { name: 'block_size_in_bytes', type: 'long', 'field-id': 105 },
          ],
        },
      },
    ],
  };
  const rec = (status: number, path: string) => ({
    status,
    snapshot_id: 77n,
    data_file: { file_path: path, file_format: 'parquet', partition: { x: 5 }, record_count: 2n, file_size_in_bytes: 3n, block_size_in_bytes: 67108864n },
  });
  const records = [rec(EntryStatus.ADDED, 'a'), rec(EntryStatus.EXISTING, 'e'), rec(EntryStatus.DELETED, 'd')];
  // With the header Java writes and without any header (version inferred from the missing field 134).
  for (const meta of [{ 'format-version': '1' }, {}] as Array<Record<string, string>>) {
    const file = writeAvroContainer(schema, records, { meta });
    // A v1 list entry has sequence number 0; a v2 list that carries an upgraded v1 manifest also says 0.
    for (const opts of [{}, { manifestFile: manifestFile({ sequence_number: 0n, added_snapshot_id: 1n }) }]) {
      const m = readManifest(file, opts);
      for (const e of m.entries) {
        assert.equal(e.sequence_number, 0n);
        assert.equal(e.file_sequence_number, 0n);
        assert.equal(e.snapshot_id, 77n);
        assert.equal(e.data_file.content, 0);
        assert.equal(e.data_file.file_format, 'PARQUET');
        assert.equal(e.data_file.partition.get(1000), 5);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Real manifests
// ---------------------------------------------------------------------------------------------------------------

const PYICEBERG_META = 'duckdb-iceberg/partition_fixed_length_binary/default.db/partition_fixed_length_binary/metadata';
const PYICEBERG_LIST = 'snap-8035702046957338196-0-55c52414-6496-43a2-a515-8607f31f3c47.avro';
const PYICEBERG_MANIFEST = '55c52414-6496-43a2-a515-8607f31f3c47-m0.avro';

test('pyiceberg: manifest list and manifest of a table partitioned by fixed[11]', (t) => {
  const dir = FIXTURES && join(FIXTURES, PYICEBERG_META);
  if (!dir || !existsSync(join(dir, PYICEBERG_LIST))) {
    t.skip(`fixtures absent: ${dir ? join(dir, PYICEBERG_LIST) : 'shared/fixtures/iceberg'}`);
    return;
  }
  const list = readManifestList(new Uint8Array(readFileSync(join(dir, PYICEBERG_LIST))));
  // Values from the table's metadata (00001-....metadata.json: snapshot 8035702046957338196, sequence number 1,
  // 2 data files of 1 record each in partitions "hello world" and "fixed value").
  assert.equal(list.length, 1);
  const [mf] = list;
  assert.equal(mf.manifest_path, `data/persistent/partition_fixed_length_binary/default.db/partition_fixed_length_binary/metadata/${PYICEBERG_MANIFEST}`);
  assert.equal(mf.manifest_length, BigInt(statSync(join(dir, PYICEBERG_MANIFEST)).size));
  assert.equal(mf.partition_spec_id, 0);
  assert.equal(mf.content, 0);
  assert.equal(mf.sequence_number, 1n);
  assert.equal(mf.min_sequence_number, 1n);
  assert.equal(mf.added_snapshot_id, 8035702046957338196n);
  assert.deepEqual([mf.added_files_count, mf.existing_files_count, mf.deleted_files_count], [2, 0, 0]);
  assert.deepEqual([mf.added_rows_count, mf.existing_rows_count, mf.deleted_rows_count], [2n, 0n, 0n]);
  assert.deepEqual(mf.partitions, [{ contains_null: false, contains_nan: false, lower_bound: utf8('fixed value'), upper_bound: utf8('hello world') }]);

  const manifestBytes = new Uint8Array(readFileSync(join(dir, PYICEBERG_MANIFEST)));
  assert.equal(readAvroContainer(manifestBytes).codec, 'null');
  const m = readManifest(manifestBytes, { manifestFile: mf });
  assert.equal(m.meta['format-version'], '2');
  assert.equal(m.meta['partition-spec-id'], '0');
  assert.equal(m.meta.content, 'data');
  assert.deepEqual(JSON.parse(m.meta['partition-spec']), [{ 'source-id': 1, 'field-id': 1000, transform: 'identity', name: 'partition_col' }]);
  // pyiceberg writes null sequence numbers for ADDED entries: they inherit 1 from the list.
  const view = m.entries.map((e) => [e.status, e.snapshot_id, e.sequence_number, e.file_sequence_number, Buffer.from(e.data_file.partition.get(1000) as Uint8Array).toString()]);
  assert.deepEqual(view, [
    [1, 8035702046957338196n, 1n, 1n, 'hello world'],
    [1, 8035702046957338196n, 1n, 1n, 'fixed value'],
  ]);
  assert.equal(readManifest(manifestBytes).entries[0].sequence_number, null);
  const first = m.entries[0].data_file;
  assert.equal(first.record_count, 1n);
  assert.equal(first.file_size_in_bytes, 1283n);
  assert.deepEqual(first.lower_bounds?.get(3), utf8('click'));
  assert.deepEqual(first.value_counts, new Map([[1, 1n], [2, 1n], [3, 1n]]));
});

test('Iceberg Java (icebird java/bunnies): manifest lists of three snapshots, ids above 2^53', (t) => {
  const dir = FIXTURES && join(FIXTURES, 'icebird/java/bunnies/metadata');
  if (!dir || !existsSync(dir)) {
    t.skip(`fixtures absent: ${dir ?? 'shared/fixtures/iceberg'}`);
    return;
  }
  const read = (name: string) => readManifestList(new Uint8Array(readFileSync(join(dir, name))));
  const view = (list: ManifestFile[]) =>
    list.map((m) => ({
      file: m.manifest_path.replace('s3a://hyperparam-iceberg/java/bunnies/metadata/', ''),
      content: m.content,
      seq: m.sequence_number,
      snapshot: m.added_snapshot_id,
      rows: m.added_rows_count,
    }));
  // From v5.metadata.json: append (seq 1, 21 rows), position delete (seq 2, 6 deletes), overwrite with an
  // equality delete (seq 3, 1 added row and 1 equality delete).
  const append = { file: '583a45a0-7389-4d71-9305-ac3a8725c38b-m0.avro', content: 0, seq: 1n, snapshot: 4951213507629824583n, rows: 21n };
  const posDelete = { file: 'e1756967-c907-47e2-8b37-82123c5e5908-m0.avro', content: 1, seq: 2n, snapshot: 6458828015811002920n, rows: 6n };
  assert.deepEqual(view(read('snap-4951213507629824583-1-583a45a0-7389-4d71-9305-ac3a8725c38b.avro')), [append]);
  assert.deepEqual(view(read('snap-6458828015811002920-1-e1756967-c907-47e2-8b37-82123c5e5908.avro')), [append, posDelete]);
  const last = read('snap-9158179788527662767-1-a01399a1-e864-4562-b921-c8cb56e6e4a9.avro');
  assert.deepEqual(view(last), [
    { file: 'a01399a1-e864-4562-b921-c8cb56e6e4a9-m0.avro', content: 0, seq: 3n, snapshot: 9158179788527662767n, rows: 1n },
    append,
    { file: 'a01399a1-e864-4562-b921-c8cb56e6e4a9-m1.avro', content: 1, seq: 3n, snapshot: 9158179788527662767n, rows: 1n },
    posDelete,
  ]);
  for (const m of last) {
    assert.equal(m.manifest_length, BigInt(statSync(join(dir, m.manifest_path.split('/').pop()!)).size));
    assert.deepEqual(m.partitions, []);
    assert.deepEqual([m.added_files_count, m.existing_files_count, m.deleted_files_count], [1, 0, 0]);
  }
  // The equality delete manifest: Java leaves the ADDED entry's sequence numbers null for inheritance.
  const eqManifest = readManifest(new Uint8Array(readFileSync(join(dir, 'a01399a1-e864-4562-b921-c8cb56e6e4a9-m1.avro'))), { manifestFile: last[2] });
  assert.equal(eqManifest.meta.content, 'deletes');
  assert.equal(eqManifest.entries.length, 1);
  const [eq] = eqManifest.entries;
  assert.equal(eq.data_file.content, 2);
  assert.equal(eq.sequence_number, 3n);
  assert.equal(eq.snapshot_id, 9158179788527662767n);
  assert.equal(eq.data_file.record_count, 1n);
});

test('Spark (Iceberg Java): a v2 manifest list with the v1 field names added_data_files_count...', (t) => {
  const file = FIXTURES && join(FIXTURES, 'duckdb-iceberg/partition_integer/metadata/snap-5470601323427916272-1-b1dda674-423f-4f23-b00d-92b608b07a38.avro');
  if (!file || !existsSync(file)) {
    t.skip(`fixtures absent: ${file ?? 'shared/fixtures/iceberg'}`);
    return;
  }
  const bytesIn = new Uint8Array(readFileSync(file));
  const names = (readAvroContainer(bytesIn).schema as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
  assert.ok(names.includes('added_data_files_count'), 'the fixture uses the v1 names');
  const [mf] = readManifestList(bytesIn);
  assert.equal(mf.added_snapshot_id, 5470601323427916272n);
  assert.equal(mf.sequence_number, 1n);
  assert.deepEqual([mf.added_files_count, mf.existing_files_count, mf.deleted_files_count], [2, 0, 0]);
  assert.equal(mf.added_rows_count, 2n);
  // Partition values 42 and 1337 (directories partition_col=42 and partition_col=1337), little-endian ints.
  assert.deepEqual(mf.partitions, [{ contains_null: false, contains_nan: false, lower_bound: bytes(42, 0, 0, 0), upper_bound: bytes(0x39, 0x05, 0, 0) }]);
});

// ---------------------------------------------------------------------------------------------------------------
// Corrupt input
// ---------------------------------------------------------------------------------------------------------------

/** A small valid manifest list and where its header ends (the first block starts). */
function sample(codec: 'null' | 'deflate'): { file: Uint8Array; headerEnd: number } {
  const file = writeAvroContainer(manifestListSchemaForTests, [{ manifest_path: 'a.avro', n: 1n }, { manifest_path: 'b.avro', n: 2n }], { codec });
  const empty = writeAvroContainer(manifestListSchemaForTests, [], { codec });
  return { file, headerEnd: empty.length };
}
const manifestListSchemaForTests: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'n', type: 'long', 'field-id': 501 },
  ],
};

test('bad magic is AVRO_INVALID', () => {
  const { file } = sample('null');
  const bad = Uint8Array.from(file);
  bad[3] = 0x02; // "Obj\x02"
  throwsCode(() => readAvroContainer(bad), 'AVRO_INVALID');
  throwsCode(() => readManifestList(bad), 'AVRO_INVALID');
  throwsCode(() => readAvroContainer(new Uint8Array(0)), 'AVRO_INVALID');
  throwsCode(() => readAvroContainer(utf8('PAR1 is not avro')), 'AVRO_INVALID');
});

test('a header cut anywhere is AVRO_INVALID', () => {
  const { file, headerEnd } = sample('deflate');
  assert.equal(readManifestList(file).length, 2);
  for (let len = 1; len < headerEnd; len++) {
    throwsCode(() => readAvroContainer(file.subarray(0, len)), 'AVRO_INVALID');
  }
});

test('a data block cut anywhere is AVRO_INVALID', () => {
  for (const codec of ['null', 'deflate'] as const) {
    const { file, headerEnd } = sample(codec);
    for (let len = headerEnd + 1; len < file.length; len++) {
      throwsCode(() => readManifestList(file.subarray(0, len)), 'AVRO_INVALID');
    }
  }
});

test('a flipped sync marker or a corrupt compressed block is AVRO_INVALID', () => {
  const { file } = sample('deflate');
  const flipped = Uint8Array.from(file);
  flipped[flipped.length - 1] ^= 0xff; // the block's trailing sync marker
  throwsCode(() => readAvroContainer(flipped), 'AVRO_INVALID');

  const { file: plain } = sample('null');
  const flippedPlain = Uint8Array.from(plain);
  flippedPlain[plain.length - 16] ^= 0x01;
  throwsCode(() => readAvroContainer(flippedPlain), 'AVRO_INVALID');

  // Same framing (count, size, sync), but the deflate payload replaced by garbage of the same length.
  const { file: deflated, headerEnd } = sample('deflate');
  const garbled = Uint8Array.from(deflated);
  for (let i = headerEnd + 2; i < deflated.length - 16; i++) garbled[i] = 0xff;
  throwsCode(() => readAvroContainer(garbled), 'AVRO_INVALID');
});

test('an unknown codec in the header is UNSUPPORTED', () => {
  // Write the header by hand: floe's writer only produces `null` and `deflate`.
  const header = avro.Type.forSchema({
    type: 'record',
    name: 'org.apache.avro.file.Header',
    fields: [
      { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
      { name: 'meta', type: { type: 'map', values: 'bytes' } },
      { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
    ],
  });
  const sync = Buffer.alloc(16, 7);
  const file = Buffer.concat([
    header.toBuffer({
      magic: Buffer.from('Obj\x01', 'latin1'),
      meta: {
        'avro.schema': Buffer.from(JSON.stringify(manifestListSchemaForTests)),
        'avro.codec': Buffer.from('snappy'),
      },
      sync,
    }),
    Buffer.from([0x02, 0x02, 0x00]), // 1 record, 1 byte: not decodable anyway
    sync,
  ]);
  throwsCode(() => readAvroContainer(file), 'UNSUPPORTED');
  throwsCode(() => readManifestList(file), 'UNSUPPORTED');
  throwsCode(() => readManifest(file), 'UNSUPPORTED');
});

test('the entry schema floe writes carries every field id the reader resolves', () => {
  // Guards the writer against dropping ids the reader depends on (a name-only field would read as absent).
  const ids = (s: unknown): number[] => {
    const out: number[] = [];
    const walk = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if (typeof o['field-id'] === 'number') out.push(o['field-id']);
        Object.values(o).forEach(walk);
      }
    };
    walk(s);
    return out;
  };
  const v3 = new Set(ids(manifestEntrySchema(3, [])));
  for (const id of [0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 108, 109, 110, 125, 128, 131, 132, 134, 135, 137, 140, 142, 143, 144, 145]) {
    assert.ok(v3.has(id), `field id ${id}`);
  }
});

test('writeManifest leaves out optional data_file fields no entry sets; they read back as null, and set ones stay', () => {
  const schemaIds = (file: Uint8Array): Set<number> => {
    const schema = readAvroContainer(file).schema as { fields: Array<Record<string, unknown>> };
    const dataFile = schema.fields.find((f) => f['field-id'] === 2)!.type as { fields: Array<Record<string, unknown>> };
    return new Set(dataFile.fields.map((f) => f['field-id'] as number));
  };
  const lean = dataFile({ key_metadata: null, split_offsets: null, equality_ids: null, sort_order_id: null, nan_value_counts: undefined, referenced_data_file: null });
  const entry = (f: DataFile): ManifestEntry => ({ status: 1, snapshot_id: 7n, sequence_number: 3n, file_sequence_number: 3n, data_file: f });
  const bare = writeManifest([entry(lean)], writeOptions(2));
  const ids = schemaIds(bare);
  for (const id of [131, 132, 135, 137, 140, 143]) assert.ok(!ids.has(id), `field ${id} left out`);
  for (const id of [134, 100, 101, 102, 103, 104, 108, 109, 110, 125, 128]) assert.ok(ids.has(id), `field ${id} kept`);
  const back = readManifest(bare).entries[0].data_file;
  assert.equal(back.key_metadata, null);
  assert.equal(back.equality_ids, null);
  assert.equal(back.referenced_data_file, null);
  assert.deepEqual(back.column_sizes, lean.column_sizes);
  // One entry setting a field keeps it for the whole manifest.
  const withIds = writeManifest([entry(lean), entry({ ...lean, file_path: 's3://b/eq.parquet', content: 2, equality_ids: [1, 2], sort_order_id: 0 })], writeOptions(2, 'deletes'));
  const ids2 = schemaIds(withIds);
  assert.ok(ids2.has(135) && ids2.has(140) && !ids2.has(131));
  const entries = readManifest(withIds).entries;
  assert.deepEqual(entries.map((e) => e.data_file.equality_ids), [null, [1, 2]]);
  assert.ok(bare.length < writeManifest([entry({ ...lean, key_metadata: bytes(1) })], writeOptions(2)).length - 60);
});
