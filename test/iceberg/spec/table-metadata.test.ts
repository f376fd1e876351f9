import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import { parseJson, stringifyJson } from '../../../src/util/json.js';
import {
  currentSchema,
  currentSnapshot,
  parseTableMetadata,
  schemaById,
  schemaForSnapshot,
  serializeTableMetadata,
  snapshotAncestry,
  snapshotAsOf,
  snapshotById,
  snapshotByRef,
  specById,
  type TableMetadata,
} from '../../../src/iceberg/spec/table-metadata.js';
import { isUnpartitioned, partitionType, parsePartitionSpec } from '../../../src/iceberg/spec/partition-spec.js';
import { parseSortOrder, UNSORTED_ORDER, unsortedOrder } from '../../../src/iceberg/spec/sort-order.js';
import { icebergFixtures } from '../../../test-fixtures/fixture-env.js';

// The shared fixtures, found as every suite finds them (../shared/fixtures or FLOE_FIXTURES).
const FIXTURES = `${icebergFixtures() ?? '/nonexistent/shared/fixtures/iceberg'}/`;
const SPEC_DIR = join(FIXTURES, 'spec/metadata');

function specFixture(name: string): string {
  return readFileSync(join(SPEC_DIR, name), 'utf8');
}

/** Asserts `fn` throws a FloeError with `code` (and `context.field` when given). */
function assertFloe(fn: () => unknown, code: FloeErrorCode, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) {
      assert.equal(err.context.field, field, err.message);
      assert.match(err.message, new RegExp(field));
    }
    return true;
  });
}

/** Edits a fixture's JSON (BigInt-safe) and returns the text. */
function edit(name: string, change: (o: Record<string, unknown>) => void): string {
  const o = parseJson(specFixture(name)) as Record<string, unknown>;
  change(o);
  return stringifyJson(o);
}

function roundTrip(md: TableMetadata): TableMetadata {
  return parseTableMetadata(serializeTableMetadata(md));
}

const specPresent = existsSync(SPEC_DIR);
const skipSpec = (t: { skip: (msg: string) => void }): boolean => {
  if (!specPresent) t.skip(`fixtures absent: ${SPEC_DIR}`);
  return !specPresent;
};

test('V2Valid: exact values, 64-bit fields as bigint, synthesized main ref', (t) => {
  if (skipSpec(t)) return;
  const md = parseTableMetadata(specFixture('TableMetadataV2Valid.json'));
  assert.equal(md['format-version'], 2);
  assert.equal(md['table-uuid'], '9c12d441-03fe-4693-9a96-a0705ddf69c1');
  assert.equal(md.location, 's3://bucket/test/location');
  assert.equal(md['last-sequence-number'], 34n);
  assert.equal(md['last-updated-ms'], 1602638573590n);
  assert.equal(md['last-column-id'], 3);
  assert.equal(md['current-schema-id'], 1);
  assert.deepEqual(md.schemas.map((s) => s['schema-id']), [0, 1]);
  assert.deepEqual(currentSchema(md)['identifier-field-ids'], [1, 2]);
  assert.equal(md['default-spec-id'], 0);
  assert.equal(md['last-partition-id'], 1000);
  assert.equal(md['default-sort-order-id'], 3);
  assert.equal(md['current-snapshot-id'], 3055729675574597004n);
  assert.deepEqual(
    md.snapshots.map((s) => s['snapshot-id']),
    [3051729675574597004n, 3055729675574597004n],
  );
  assert.equal(md.snapshots[1]['parent-snapshot-id'], 3051729675574597004n);
  assert.equal(md.snapshots[0]['parent-snapshot-id'], undefined);
  assert.deepEqual(md.snapshots.map((s) => s['sequence-number']), [0n, 1n]);
  // Small 64-bit values are bigint too, not number.
  assert.equal(typeof md.snapshots[0]['timestamp-ms'], 'bigint');
  assert.equal(typeof md['snapshot-log'][0]['timestamp-ms'], 'bigint');
  assert.equal(md.snapshots[1]['manifest-list'], 's3://a/b/2.avro');
  // No `refs` in the file: the spec says there is always a main branch for the current snapshot.
  assert.deepEqual(md.refs, { main: { 'snapshot-id': 3055729675574597004n, type: 'branch' } });
  assert.deepEqual(md.properties, {});
  assert.deepEqual(roundTrip(md), md);
});

test('V2Valid: lookups by id, ref, time and snapshot schema', (t) => {
  if (skipSpec(t)) return;
  const md = parseTableMetadata(specFixture('TableMetadataV2Valid.json'));
  const [first, second] = md.snapshots;
  assert.equal(currentSnapshot(md), second);
  assert.equal(snapshotById(md, 3051729675574597004n), first);
  assertFloe(() => snapshotById(md, 3051729675574597005n), 'SNAPSHOT_NOT_FOUND');
  assert.equal(snapshotByRef(md, 'main'), second);
  assertFloe(() => snapshotByRef(md, 'nope'), 'REF_NOT_FOUND');
  assertFloe(() => snapshotByRef(md, 'toString'), 'REF_NOT_FOUND');
  assert.equal(snapshotAsOf(md, 1515100955770n), first);
  assert.equal(snapshotAsOf(md, 1555100955769n), first);
  assert.equal(snapshotAsOf(md, 1555100955770n), second);
  assert.equal(snapshotAsOf(md, 9999999999999n), second);
  assertFloe(() => snapshotAsOf(md, 1515100955769n), 'SNAPSHOT_NOT_FOUND');
  assert.deepEqual(snapshotAncestry(md, second), [second, first]);
  // Snapshot 2 records schema 1; snapshot 1 records none, so the current schema applies.
  assert.equal(schemaForSnapshot(md, second)['schema-id'], 1);
  assert.equal(schemaForSnapshot(md, first), currentSchema(md));
  assert.equal(schemaById(md, 0).fields.length, 1);
  assertFloe(() => schemaById(md, 7), 'METADATA_INVALID');
  assert.equal(specById(md, 0).fields[0].name, 'x');
  assertFloe(() => specById(md, 1), 'METADATA_INVALID');
});

test('snapshotAsOf without a snapshot log walks the current ancestry', (t) => {
  if (skipSpec(t)) return;
  const md = parseTableMetadata(edit('TableMetadataV2Valid.json', (o) => delete o['snapshot-log']));
  assert.equal(snapshotAsOf(md, 1555100955770n)['snapshot-id'], 3055729675574597004n);
  assert.equal(snapshotAsOf(md, 1555100955769n)['snapshot-id'], 3051729675574597004n);
  assertFloe(() => snapshotAsOf(md, 1000n), 'SNAPSHOT_NOT_FOUND');
});

test('V1Valid: normalized to the v2 shape and written back as v1', (t) => {
  if (skipSpec(t)) return;
  const md = parseTableMetadata(specFixture('TableMetadataV1Valid.json'));
  assert.equal(md['format-version'], 1);
  assert.equal(md['last-sequence-number'], 0n);
  assert.equal(md['current-schema-id'], 0);
  assert.equal(md.schemas.length, 1);
  assert.equal(md.schemas[0]['schema-id'], 0);
  assert.deepEqual(md.schemas[0].fields.map((f) => f.name), ['x', 'y', 'z']);
  assert.deepEqual(md['partition-specs'], [
    { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'x', transform: 'identity' }] },
  ]);
  assert.equal(md['default-spec-id'], 0);
  assert.equal(md['last-partition-id'], 1000); // computed: v1 may omit it
  assert.deepEqual(md['sort-orders'], [{ 'order-id': 0, fields: [] }]);
  assert.equal(md['default-sort-order-id'], 0);
  assert.equal('current-snapshot-id' in md, false); // -1 means none
  assert.equal(currentSnapshot(md), undefined);
  assert.deepEqual(md.refs, {});
  assert.deepEqual(md.snapshots, []);

  const text = serializeTableMetadata(md);
  const json = parseJson(text) as Record<string, unknown>;
  assert.equal(json['format-version'], 1);
  assert.ok('schema' in json && 'partition-spec' in json, 'v1 readers need the deprecated fields');
  assert.equal('last-sequence-number' in json, false);
  assert.equal(json['current-snapshot-id'], -1);
  assert.deepEqual(parseTableMetadata(text), md);
});

test('v1: partition fields without ids, inline manifests, no sequence numbers', (t) => {
  if (skipSpec(t)) return;
  const text = edit('TableMetadataV1Valid.json', (o) => {
    delete o['table-uuid'];
    o['partition-spec'] = [
      { name: 'x', transform: 'identity', 'source-id': 1 },
      { name: 'y_bucket', transform: 'bucket[8]', 'source-id': 2 },
    ];
    o['current-snapshot-id'] = 7505300640432048841n;
    o.snapshots = [
      { 'snapshot-id': 7505300640432048841n, 'timestamp-ms': 1, manifests: ['s3://a/m0.avro', 's3://a/m1.avro'] },
    ];
  });
  const md = parseTableMetadata(text);
  assert.equal(md['table-uuid'], '');
  assert.deepEqual(md['partition-specs'][0].fields.map((f) => f['field-id']), [1000, 1001]);
  assert.equal(md['last-partition-id'], 1001);
  const snap = md.snapshots[0];
  assert.deepEqual(snap.manifests, ['s3://a/m0.avro', 's3://a/m1.avro']);
  assert.equal(snap['manifest-list'], undefined);
  assert.equal(snap['sequence-number'], 0n);
  assert.equal(snap['timestamp-ms'], 1n);
  assert.equal(snap.summary.operation, 'overwrite');
  assert.deepEqual(md.refs, { main: { 'snapshot-id': 7505300640432048841n, type: 'branch' } });
  const out = serializeTableMetadata(md);
  assert.doesNotMatch(out, /table-uuid|sequence-number/);
  assert.deepEqual(parseTableMetadata(out), md);
});

test('V2ValidMinimal and V3ValidMinimal', (t) => {
  if (skipSpec(t)) return;
  const v2 = parseTableMetadata(specFixture('TableMetadataV2ValidMinimal.json'));
  assert.equal(v2['format-version'], 2);
  assert.deepEqual([v2.snapshots, v2['snapshot-log'], v2['metadata-log'], v2.refs], [[], [], [], {}]);
  assert.equal(v2['current-snapshot-id'], undefined);
  assert.equal(v2['next-row-id'], undefined);
  assertFloe(() => snapshotAsOf(v2, 1602638573590n), 'SNAPSHOT_NOT_FOUND');
  assert.deepEqual(roundTrip(v2), v2);

  const v3 = parseTableMetadata(specFixture('TableMetadataV3ValidMinimal.json'));
  assert.equal(v3['format-version'], 3);
  assert.equal(v3['next-row-id'], 0n);
  assert.equal(v3.schemas[0].fields[0]['initial-default'], 1);
  assert.equal(v3.schemas[0].fields[0]['write-default'], 1);
  const json = parseJson(serializeTableMetadata(v3)) as Record<string, unknown>;
  assert.equal(json['current-snapshot-id'], null); // Appendix F: v3 writes null, not -1
  assert.deepEqual(roundTrip(v3), v3);
});

test('statistics and partition statistics files', (t) => {
  if (skipSpec(t)) return;
  const md = parseTableMetadata(specFixture('TableMetadataStatisticsFiles.json'));
  assert.deepEqual(md.statistics, [
    {
      'snapshot-id': 3055729675574597004n,
      'statistics-path': 's3://a/b/stats.puffin',
      'file-size-in-bytes': 413n,
      'file-footer-size-in-bytes': 42n,
      'blob-metadata': [{ type: 'ndv', 'snapshot-id': 3055729675574597004n, 'sequence-number': 1n, fields: [1] }],
    },
  ]);
  assert.deepEqual(roundTrip(md), md);
  const p = parseTableMetadata(specFixture('TableMetadataPartitionStatisticsFiles.json'));
  assert.deepEqual(p['partition-statistics'], [
    {
      'snapshot-id': 3055729675574597004n,
      'statistics-path': 's3://a/b/partition-stats.parquet',
      'file-size-in-bytes': 43n,
    },
  ]);
  assert.deepEqual(roundTrip(p), p);
});

test('invalid spec fixtures fail with the right code and field', (t) => {
  if (skipSpec(t)) return;
  const cases: Array<[string, FloeErrorCode, string | undefined]> = [
    ['TableMetadataUnsupportedVersion.json', 'UNSUPPORTED', 'format-version'],
    ['TableMetadataV1MissingSchemaType.json', 'METADATA_INVALID', 'type'],
    ['TableMetadataV2CurrentSchemaNotFound.json', 'METADATA_INVALID', 'current-schema-id'],
    ['TableMetadataV2MissingLastPartitionId.json', 'METADATA_INVALID', 'last-partition-id'],
    ['TableMetadataV2MissingPartitionSpecs.json', 'METADATA_INVALID', 'partition-specs'],
    ['TableMetadataV2MissingSchemas.json', 'METADATA_INVALID', 'schemas'],
    ['TableMetadataV2MissingSortOrder.json', 'METADATA_INVALID', 'sort-orders'],
  ];
  for (const [name, code, field] of cases) {
    assertFloe(() => parseTableMetadata(specFixture(name)), code, field);
  }
});

test('format version, JSON and required-field validation', (t) => {
  if (skipSpec(t)) return;
  const v2 = 'TableMetadataV2Valid.json';
  const parseEdited = (change: (o: Record<string, unknown>) => void): TableMetadata =>
    parseTableMetadata(edit(v2, change));
  assertFloe(() => parseEdited((o) => (o['format-version'] = 4)), 'UNSUPPORTED', 'format-version');
  assertFloe(() => parseEdited((o) => delete o['format-version']), 'METADATA_INVALID', 'format-version');
  assertFloe(() => parseEdited((o) => (o['format-version'] = '2')), 'METADATA_INVALID', 'format-version');
  assertFloe(() => parseTableMetadata('{"format-version": 2,'), 'METADATA_INVALID');
  assertFloe(() => parseTableMetadata('[]'), 'METADATA_INVALID');
  for (const field of [
    'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id', 'current-schema-id',
    'default-spec-id', 'default-sort-order-id',
  ]) {
    assertFloe(() => parseTableMetadata(edit(v2, (o) => delete o[field])), 'METADATA_INVALID', field);
  }
  assertFloe(() => parseEdited((o) => (o['default-spec-id'] = 5)), 'METADATA_INVALID', 'default-spec-id');
  assertFloe(
    () => parseTableMetadata(edit(v2, (o) => (o['default-sort-order-id'] = 0))),
    'METADATA_INVALID',
    'default-sort-order-id',
  );
  assertFloe(
    () => parseTableMetadata(edit(v2, (o) => (o['current-snapshot-id'] = 1))),
    'METADATA_INVALID',
    'current-snapshot-id',
  );
  assertFloe(
    () => parseEdited((o) => delete (o.snapshots as Array<Record<string, unknown>>)[0]['sequence-number']),
    'METADATA_INVALID',
    'sequence-number',
  );
  assertFloe(
    () => parseTableMetadata(edit(v2, (o) => delete (o.schemas as Array<Record<string, unknown>>)[0]['schema-id'])),
    'METADATA_INVALID',
    'schema-id',
  );
  // null and -1 both mean "no current snapshot".
  const none = parseTableMetadata(edit(v2, (o) => (o['current-snapshot-id'] = null)));
  assert.equal(none['current-snapshot-id'], undefined);
  assert.deepEqual(none.refs, {});
  // Explicit refs are kept as written.
  const tagged = parseTableMetadata(
    edit(v2, (o) => {
      o.refs = {
        main: { 'snapshot-id': 3055729675574597004n, type: 'branch', 'min-snapshots-to-keep': 2 },
        old: { 'snapshot-id': 3051729675574597004n, type: 'tag', 'max-ref-age-ms': 86400000 },
      };
    }),
  );
  assert.equal(snapshotByRef(tagged, 'old')['snapshot-id'], 3051729675574597004n);
  assert.equal(tagged.refs.old['max-ref-age-ms'], 86400000n);
  assert.equal(tagged.refs.main['min-snapshots-to-keep'], 2);
  assert.deepEqual(roundTrip(tagged), tagged);
});

test('partition specs and sort orders', () => {
  const schema = {
    fields: [
      { id: 1, name: 'id', required: true, type: 'long' },
      { id: 2, name: 'ts', required: false, type: 'timestamptz' },
      {
        id: 3,
        name: 's',
        required: false,
        type: { type: 'struct' as const, fields: [{ id: 4, name: 'n', required: false, type: 'string' }] },
      },
    ],
  };
  const spec = parsePartitionSpec(
    {
      'spec-id': 1,
      fields: [
        { 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[16]' },
        { 'source-id': 2, 'field-id': 1001, name: 'ts_day', transform: 'day' },
        { 'source-id': 4, 'field-id': 1002, name: 'n', transform: 'identity' },
        { 'source-id': 99, 'field-id': 1003, name: 'gone', transform: 'void' },
      ],
    },
    'spec',
  );
  assert.deepEqual(partitionType(spec, schema), {
    type: 'struct',
    fields: [
      { id: 1000, name: 'id_bucket', required: false, type: 'int' },
      { id: 1001, name: 'ts_day', required: false, type: 'date' },
      { id: 1002, name: 'n', required: false, type: 'string' },
      { id: 1003, name: 'gone', required: false, type: 'int' },
    ],
  });
  assert.equal(isUnpartitioned(spec), false);
  assert.equal(isUnpartitioned({ 'spec-id': 0, fields: [] }), true);
  assert.equal(isUnpartitioned({ ...spec, fields: [{ ...spec.fields[3] }] }), true);
  // Source column missing (not void), and source column not primitive.
  const missing = { 'spec-id': 2, fields: [{ ...spec.fields[0], 'source-id': 99 }] };
  assertFloe(() => partitionType(missing, schema), 'METADATA_INVALID', 'source-id');
  const nested = { 'spec-id': 2, fields: [{ ...spec.fields[2], 'source-id': 3 }] };
  assertFloe(() => partitionType(nested, schema), 'METADATA_INVALID', 'source-id');
  assertFloe(() => parsePartitionSpec({ fields: [] }, 'spec'), 'METADATA_INVALID', 'spec-id');
  const noFieldId = { 'spec-id': 0, fields: [{ 'source-id': 1, name: 'a', transform: 'identity' }] };
  assertFloe(() => parsePartitionSpec(noFieldId, 'spec'), 'METADATA_INVALID', 'field-id');
  assert.equal(parsePartitionSpec(noFieldId, 'spec', { formatVersion: 1 }).fields[0]['field-id'], 1000);
  // v3 multi-argument transform: only `source-ids` written; `source-id` becomes the first.
  const multi = parsePartitionSpec(
    { 'spec-id': 0, fields: [{ 'source-ids': [1, 2], 'field-id': 1000, name: 'm', transform: 'zorder' }] },
    'spec',
  );
  assert.equal(multi.fields[0]['source-id'], 1);
  assert.deepEqual(multi.fields[0]['source-ids'], [1, 2]);

  const sortField = { transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' };
  const order = parseSortOrder({ 'order-id': 1, fields: [sortField] }, 'order');
  assert.deepEqual(order, { 'order-id': 1, fields: [sortField] });
  const up = { 'order-id': 1, fields: [{ ...sortField, direction: 'up' }] };
  assertFloe(() => parseSortOrder(up, 'order'), 'METADATA_INVALID', 'direction');
  const nullsMiddle = { 'order-id': 1, fields: [{ ...sortField, 'null-order': 'nulls-middle' }] };
  assertFloe(() => parseSortOrder(nullsMiddle, 'order'), 'METADATA_INVALID', 'null-order');
  assert.deepEqual(unsortedOrder(), { 'order-id': 0, fields: [] });
  assert.equal(UNSORTED_ORDER['order-id'], 0);
  assert.ok(Object.isFrozen(UNSORTED_ORDER));
});

function findMetadataFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findMetadataFiles(p));
    else if (name.endsWith('.metadata.json') && !name.endsWith('.gz.metadata.json')) out.push(p);
  }
  return out.sort();
}

/** Real files that must not parse, with the reason. */
const EXPECTED_FAILURES: Record<string, FloeErrorCode> = {
  // A BigQuery stub holding only properties and current-snapshot-id: no format-version.
  'duckdb-iceberg/big_query_error/metadata/v0.metadata.json': 'METADATA_INVALID',
};

test('every duckdb-iceberg and icebird metadata file parses and round-trips', (t) => {
  const roots = ['duckdb-iceberg', 'icebird'].map((r) => join(FIXTURES, r));
  if (!roots.every((r) => existsSync(r))) {
    t.skip(`fixtures absent: ${roots.join(', ')}`);
    return;
  }
  const files = roots.flatMap(findMetadataFiles);
  assert.ok(files.length >= 100, `expected the fixture corpus, found ${files.length} files`);
  const versions = new Set<number>();
  for (const file of files) {
    const rel = relative(FIXTURES, file);
    const text = readFileSync(file, 'utf8');
    const expected = EXPECTED_FAILURES[rel];
    if (expected !== undefined) {
      assertFloe(() => parseTableMetadata(text), expected);
      continue;
    }
    let md: TableMetadata;
    try {
      md = parseTableMetadata(text);
    } catch (err) {
      assert.fail(`${rel}: ${(err as Error).message}`);
    }
    versions.add(md['format-version']);
    assert.deepEqual(roundTrip(md), md, rel);
    currentSchema(md);
    const snap = currentSnapshot(md);
    if (snap !== undefined) {
      assert.equal(snapshotByRef(md, 'main'), snap, rel);
      schemaForSnapshot(md, snap);
    }
  }
  assert.deepEqual([...versions].sort(), [1, 2, 3]);
});

test('bad_iceberg_metadata.json (newline-delimited JSON, not metadata) is METADATA_INVALID', (t) => {
  const file = join(FIXTURES, 'duckdb-iceberg/bad_data/bad_iceberg_metadata.json');
  if (!existsSync(file)) {
    t.skip(`fixtures absent: ${file}`);
    return;
  }
  assertFloe(() => parseTableMetadata(readFileSync(file, 'utf8')), 'METADATA_INVALID');
});

test('snapshot ids above 2^53 survive parse and serialize exactly', (t) => {
  const file = join(FIXTURES, 'icebird/spark/bunnies/metadata/v5.metadata.json');
  if (!existsSync(file)) {
    t.skip(`fixtures absent: ${file}`);
    return;
  }
  const md = parseTableMetadata(readFileSync(file, 'utf8'));
  assert.deepEqual(
    md.snapshots.map((s) => s['snapshot-id']),
    [7505300640432048841n, 469881615898633426n, 2701171901096418979n],
  );
  assert.ok(7505300640432048841n > BigInt(Number.MAX_SAFE_INTEGER));
  assert.equal(md.snapshots[1]['parent-snapshot-id'], 7505300640432048841n);
  assert.equal(snapshotAsOf(md, 1743310454186n)['snapshot-id'], 7505300640432048841n);
  assert.equal(schemaForSnapshot(md, md.snapshots[2])['schema-id'], 1);
  const text = serializeTableMetadata(md);
  assert.match(text, /"snapshot-id":7505300640432048841[,}]/);
  assert.equal(roundTrip(md).snapshots[0]['snapshot-id'], 7505300640432048841n);
});
