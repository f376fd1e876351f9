/**
 * Which delete files apply to which data files (spec: "Scan Planning"): position deletes and deletion vectors at
 * a sequence number >= the data file's in the same spec and partition (or only the file they reference);
 * equality deletes at a strictly greater sequence number in the same partition, or everywhere when their spec is
 * unpartitioned.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import type { DataFile } from '../../../src/iceberg/avro/manifest.js';
import type { PartitionSpec } from '../../../src/iceberg/spec/partition-spec.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';
import { DeleteIndex, partitionKey, type PlannedFile } from '../../../src/iceberg/table/delete-index.js';

const UNPARTITIONED = 0;
const BY_REGION = 1;
const BY_REGION_AGAIN = 2; // same field id and values as spec 1, another spec id
const VOID_ONLY = 3; // partitioned on paper, but every field is void: unpartitioned

const SPECS = new Map<number, PartitionSpec>([
  [UNPARTITIONED, { 'spec-id': UNPARTITIONED, fields: [] }],
  [BY_REGION, { 'spec-id': BY_REGION, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] }],
  [BY_REGION_AGAIN, { 'spec-id': BY_REGION_AGAIN, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] }],
  [VOID_ONLY, { 'spec-id': VOID_ONLY, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'void' }] }],
]);

type Kind = 'data' | 'pos' | 'eq';
const CONTENT = { data: 0, pos: 1, eq: 2 } as const;

interface FileSpec {
  path: string;
  kind?: Kind;
  spec?: number;
  partition?: Record<number, PrimitiveValue | null>;
  seq: bigint;
  referencedDataFile?: string;
}

function planned({ path, kind = 'data', spec = BY_REGION, partition, seq, referencedDataFile }: FileSpec): PlannedFile {
  const part = partition ?? (spec === UNPARTITIONED ? {} : { 1000: 'eu' });
  const file: DataFile = {
    content: CONTENT[kind],
    file_path: path,
    file_format: kind === 'pos' && referencedDataFile ? 'PUFFIN' : 'PARQUET',
    partition: new Map(Object.entries(part).map(([k, v]) => [Number(k), v])),
    record_count: 1n,
    file_size_in_bytes: 1n,
    equality_ids: kind === 'eq' ? [1] : null,
    referenced_data_file: referencedDataFile ?? null,
  };
  return { file, readPath: `/real/${path}`, specId: spec, dataSequenceNumber: seq };
}

/** Paths of the deletes that apply to `data`, sorted. */
function applied(deletes: PlannedFile[], data: PlannedFile): string[] {
  return new DeleteIndex(deletes, SPECS)
    .deletesFor(data)
    .map((d) => d.file.file_path)
    .sort();
}

test('an index without deletes is empty and applies nothing', () => {
  const index = new DeleteIndex([], SPECS);
  assert.equal(index.isEmpty, true);
  assert.deepEqual(index.deletesFor(planned({ path: 'd', seq: 1n })), []);
  assert.equal(new DeleteIndex([planned({ path: 'p', kind: 'pos', seq: 1n })], SPECS).isEmpty, false);
  assert.equal(new DeleteIndex([planned({ path: 'e', kind: 'eq', spec: UNPARTITIONED, seq: 1n })], SPECS).isEmpty, false);
});

test('position deletes apply at a sequence number >= the data file, in the same spec and partition', () => {
  const deletes = [
    planned({ path: 'pos-older', kind: 'pos', seq: 4n }),
    planned({ path: 'pos-same', kind: 'pos', seq: 5n }),
    planned({ path: 'pos-newer', kind: 'pos', seq: 6n }),
    planned({ path: 'pos-other-partition', kind: 'pos', seq: 9n, partition: { 1000: 'us' } }),
    planned({ path: 'pos-null-partition', kind: 'pos', seq: 9n, partition: { 1000: null } }),
  ];
  assert.deepEqual(applied(deletes, planned({ path: 'data', seq: 5n })), ['pos-newer', 'pos-same']);
  // A data file added after every delete is untouched.
  assert.deepEqual(applied(deletes, planned({ path: 'data-new', seq: 10n })), []);
  // The null partition is a partition of its own.
  assert.deepEqual(applied(deletes, planned({ path: 'data-null', seq: 1n, partition: { 1000: null } })), ['pos-null-partition']);
  assert.deepEqual(applied(deletes, planned({ path: 'data-us', seq: 9n, partition: { 1000: 'us' } })), ['pos-other-partition']);
});

test('position deletes in an unpartitioned spec apply only within that spec', () => {
  const deletes = [planned({ path: 'pos', kind: 'pos', spec: UNPARTITIONED, seq: 3n })];
  assert.deepEqual(applied(deletes, planned({ path: 'data', spec: UNPARTITIONED, seq: 3n })), ['pos']);
  assert.deepEqual(applied(deletes, planned({ path: 'data-partitioned', spec: BY_REGION, seq: 1n })), []);
});

test('referenced_data_file limits a position delete or deletion vector to that one file', () => {
  const deletes = [
    planned({ path: 'dv-a', kind: 'pos', seq: 7n, referencedDataFile: 's3://b/t/data/a.parquet' }),
    planned({ path: 'pos-file-scoped-a', kind: 'pos', seq: 7n, referencedDataFile: 's3://b/t/data/a.parquet' }),
    planned({ path: 'dv-b', kind: 'pos', seq: 7n, referencedDataFile: 's3://b/t/data/b.parquet' }),
  ];
  const a = planned({ path: 's3://b/t/data/a.parquet', seq: 7n });
  const b = planned({ path: 's3://b/t/data/b.parquet', seq: 2n });
  const c = planned({ path: 's3://b/t/data/c.parquet', seq: 1n });
  assert.deepEqual(applied(deletes, a), ['dv-a', 'pos-file-scoped-a']);
  assert.deepEqual(applied(deletes, b), ['dv-b']);
  assert.deepEqual(applied(deletes, c), []);
  // The sequence rule still holds: a file re-added after the DV is not affected by it.
  assert.deepEqual(applied(deletes, planned({ path: 's3://b/t/data/a.parquet', seq: 8n })), []);
});

test('equality deletes apply only at a strictly greater sequence number, in the same partition', () => {
  const deletes = [
    planned({ path: 'eq-same', kind: 'eq', seq: 5n }),
    planned({ path: 'eq-newer', kind: 'eq', seq: 6n }),
    planned({ path: 'eq-other-partition', kind: 'eq', seq: 9n, partition: { 1000: 'us' } }),
  ];
  assert.deepEqual(applied(deletes, planned({ path: 'data', seq: 5n })), ['eq-newer']);
  assert.deepEqual(applied(deletes, planned({ path: 'data-old', seq: 1n })), ['eq-newer', 'eq-same']);
  assert.deepEqual(applied(deletes, planned({ path: 'data-new', seq: 6n })), []);
});

test('equality deletes of an unpartitioned spec apply to data files of every spec and partition', () => {
  const deletes = [
    planned({ path: 'eq-global', kind: 'eq', spec: UNPARTITIONED, seq: 5n }),
    planned({ path: 'eq-void', kind: 'eq', spec: VOID_ONLY, partition: { 1000: null }, seq: 5n }),
  ];
  for (const data of [
    planned({ path: 'eu', seq: 4n }),
    planned({ path: 'us', seq: 4n, partition: { 1000: 'us' } }),
    planned({ path: 'unpartitioned', spec: UNPARTITIONED, seq: 4n }),
    planned({ path: 'again', spec: BY_REGION_AGAIN, seq: 4n }),
  ]) {
    assert.deepEqual(applied(deletes, data), ['eq-global', 'eq-void'], data.file.file_path);
  }
  // ...still only to older data.
  assert.deepEqual(applied(deletes, planned({ path: 'eu-same-seq', seq: 5n })), []);
});

test('equal partition values under different spec ids do not match', () => {
  const deletes = [
    planned({ path: 'pos-spec1', kind: 'pos', spec: BY_REGION, seq: 9n }),
    planned({ path: 'eq-spec1', kind: 'eq', spec: BY_REGION, seq: 9n }),
  ];
  assert.deepEqual(applied(deletes, planned({ path: 'data-spec2', spec: BY_REGION_AGAIN, seq: 1n })), []);
  assert.deepEqual(applied(deletes, planned({ path: 'data-spec1', spec: BY_REGION, seq: 1n })), ['eq-spec1', 'pos-spec1']);
});

test('mixed deletes: each data file gets exactly the ones in scope', () => {
  const deletes = [
    planned({ path: 'dv', kind: 'pos', seq: 3n, referencedDataFile: 'f1' }),
    planned({ path: 'pos-eu', kind: 'pos', seq: 3n }),
    planned({ path: 'eq-eu', kind: 'eq', seq: 3n }),
    planned({ path: 'eq-global', kind: 'eq', spec: UNPARTITIONED, seq: 4n }),
  ];
  assert.deepEqual(applied(deletes, planned({ path: 'f1', seq: 3n })), ['dv', 'eq-global', 'pos-eu']);
  assert.deepEqual(applied(deletes, planned({ path: 'f2', seq: 2n })), ['eq-eu', 'eq-global', 'pos-eu']);
  assert.deepEqual(applied(deletes, planned({ path: 'f3', seq: 2n, partition: { 1000: 'us' } })), ['eq-global']);
  assert.deepEqual(applied(deletes, planned({ path: 'f4', seq: 4n })), []);
});

// ---------------------------------------------------------------------------------------------------------------
// partitionKey
// ---------------------------------------------------------------------------------------------------------------

const key = (specId: number, entries: Array<[number, PrimitiveValue | null]>) => partitionKey(specId, new Map(entries));

test('partitionKey: equal for equal tuples whatever the map order, different across spec ids', () => {
  assert.equal(key(1, [[1000, 'eu'], [1001, 7]]), key(1, [[1001, 7], [1000, 'eu']]));
  assert.equal(key(1, [[1000, Uint8Array.from([1, 2])]]), key(1, [[1000, Uint8Array.from([1, 2])]]));
  assert.notEqual(key(1, [[1000, 'eu']]), key(2, [[1000, 'eu']]));
  assert.equal(key(0, []), key(0, []));
  assert.notEqual(key(0, []), key(1, []));
});

test('partitionKey: distinct tuples never share a key', () => {
  const distinct: Array<Array<[number, PrimitiveValue | null]>> = [
    [[1000, null]],
    [[1000, 'null']],
    [[1000, '']],
    [[1000, 1]],
    [[1000, 1n]],
    [[1000, '1']],
    [[1000, true]],
    [[1000, 'true']],
    [[1000, Uint8Array.from([0x01])]],
    [[1000, 'b:01']],
    [[1000, 0]],
    [[1000, -0]], // Iceberg orders -0.0 before 0.0: two partition values
    [[1000, 'a'], [1001, 'b']],
    [[1000, 'a,1001=string:b'], [1001, 'c']],
    [[1000, 'a'], [1001, 'b,1001=string:c']],
    [[1000, 'a=b'], [1001, 'c']],
    [[1000, 'a'], [1001, 'b=c']],
  ];
  const keys = distinct.map((d) => key(1, d));
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      assert.notEqual(keys[i], keys[j], `${JSON.stringify(distinct[i], big)} vs ${JSON.stringify(distinct[j], big)}`);
    }
  }
});

function big(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  return v;
}

test('string partition values that look like other fields do not pull in deletes of another partition', () => {
  const weird = { 1000: 'a,1001=string:b', 1001: 'c' };
  const plain = { 1000: 'a', 1001: 'b,1001=string:c' };
  const deletes = [planned({ path: 'eq', kind: 'eq', seq: 9n, partition: weird })];
  assert.deepEqual(applied(deletes, planned({ path: 'same', seq: 1n, partition: weird })), ['eq']);
  assert.deepEqual(applied(deletes, planned({ path: 'other', seq: 1n, partition: plain })), []);
});
