/**
 * Commit preconditions and table updates (REST TableRequirement / TableUpdate) applied to metadata with Iceberg
 * Java's rules; new-table metadata with fresh ids; the metadata log.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError, type FloeErrorCode } from '../../../src/errors.js';
import {
  appendMetadataLog,
  applyUpdates,
  applyUpdatesDetailed,
  assignFreshIds,
  checkRequirements,
  emptyMetadataForCreate,
  metadataFromUpdates,
  newTableMetadata,
  updatesForNewTable,
} from '../../../src/iceberg/spec/apply-updates.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import type { Snapshot } from '../../../src/iceberg/spec/snapshot.js';
import type { NestedField } from '../../../src/iceberg/spec/types.js';
import {
  parseTableMetadata,
  serializeTableMetadata,
  type StatisticsFile,
  type TableMetadata,
} from '../../../src/iceberg/spec/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../../../src/iceberg/spec/table-update.js';

const NOW = 1_700_000_000_000n;
const LATER = 1_700_000_999_000n;
const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BIG = 9_007_199_254_740_993n; // above 2^53: must stay exact

function assertCode(fn: () => unknown, code: FloeErrorCode, retryable?: boolean): Record<string, unknown> {
  let context: Record<string, unknown> = {};
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (retryable !== undefined) assert.equal(err.retryable, retryable);
    context = err.context;
    return true;
  });
  return context;
}

function simpleSchema(): Schema {
  return {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 1, name: 'id', required: true, type: 'long' },
      { id: 2, name: 'data', required: false, type: 'string' },
      { id: 3, name: 'ts', required: false, type: 'timestamptz' },
    ],
  };
}

function table(formatVersion: 1 | 2 | 3 = 2): TableMetadata {
  return newTableMetadata({ schema: simpleSchema(), location: 'mem://wh/db/t', formatVersion, uuid: UUID }, NOW);
}

function snap(id: bigint, seq: bigint, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    'snapshot-id': id,
    'sequence-number': seq,
    'timestamp-ms': NOW + seq,
    'manifest-list': `mem://wh/db/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append' },
    'schema-id': 0,
    ...extra,
  };
}

const LAST_SCHEMA: TableUpdate = { action: 'set-current-schema', 'schema-id': -1 };
const LAST_SPEC: TableUpdate = { action: 'set-default-spec', 'spec-id': -1 };
const LAST_ORDER: TableUpdate = { action: 'set-default-sort-order', 'sort-order-id': -1 };

function add(snapshot: Snapshot): TableUpdate {
  return { action: 'add-snapshot', snapshot };
}

function col(id: number, name: string, type = 'int'): NestedField {
  return { id, name, required: false, type };
}

function mainRef(id: bigint): TableUpdate {
  return { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id };
}

/** A v2 table with snapshots 1 (seq 1) and 2 (seq 2, current), the log listing both. */
function tableWithSnapshots(): TableMetadata {
  const one = applyUpdates(table(), [add(snap(1n, 1n)), mainRef(1n)], NOW);
  const two = snap(2n, 2n, { 'parent-snapshot-id': 1n });
  return applyUpdates(one, [{ action: 'add-snapshot', snapshot: two }, mainRef(2n)], NOW);
}

// ---- requirements ----

test('assert-create passes only when the table does not exist', () => {
  checkRequirements(undefined, [{ type: 'assert-create' }]);
  const ctx = assertCode(() => checkRequirements(table(), [{ type: 'assert-create' }]), 'COMMIT_CONFLICT', true);
  assert.equal(ctx.requirement, 'assert-create');
});

test('each value requirement passes when it matches and conflicts when it differs or the table is missing', () => {
  const md = table();
  const cases: Array<[TableRequirement, TableRequirement]> = [
    [{ type: 'assert-table-uuid', uuid: UUID.toUpperCase() }, { type: 'assert-table-uuid', uuid: '11111111-1111-1111-1111-111111111111' }],
    [
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 4 },
    ],
    [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }, { type: 'assert-current-schema-id', 'current-schema-id': 1 }],
    [
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 },
    ],
    [{ type: 'assert-default-spec-id', 'default-spec-id': 0 }, { type: 'assert-default-spec-id', 'default-spec-id': 1 }],
    [
      { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 },
      { type: 'assert-default-sort-order-id', 'default-sort-order-id': 1 },
    ],
  ];
  for (const [ok, bad] of cases) {
    checkRequirements(md, [ok]);
    assert.equal(assertCode(() => checkRequirements(md, [bad]), 'COMMIT_CONFLICT', true).requirement, bad.type);
    assert.equal(assertCode(() => checkRequirements(undefined, [ok]), 'COMMIT_CONFLICT', true).requirement, ok.type);
  }
});

test('assert-ref-snapshot-id: null means absent, a value must match', () => {
  const md = tableWithSnapshots();
  const req = (ref: string, id: bigint | null): TableRequirement => ({ type: 'assert-ref-snapshot-id', ref, 'snapshot-id': id });
  checkRequirements(md, [req('main', 2n), req('dev', null), req('constructor', null)]);
  assertCode(() => checkRequirements(md, [req('main', null)]), 'COMMIT_CONFLICT', true);
  assertCode(() => checkRequirements(md, [req('main', 1n)]), 'COMMIT_CONFLICT', true);
  assertCode(() => checkRequirements(md, [req('dev', 1n)]), 'COMMIT_CONFLICT', true);
  assertCode(() => checkRequirements(undefined, [req('main', null)]), 'COMMIT_CONFLICT', true);
  // A fresh table has no main yet: writers assert its absence.
  checkRequirements(table(), [req('main', null)]);
});

test('an unknown requirement is not treated as met', () => {
  assertCode(() => checkRequirements(table(), [{ type: 'assert-magic' } as unknown as TableRequirement]), 'UNSUPPORTED');
});

// ---- new tables ----

test('new table metadata: fresh ids in Java order, identifier fields, spec and sort order remapped', () => {
  const schema: Schema = {
    type: 'struct',
    'schema-id': 7,
    'identifier-field-ids': [53, 50],
    fields: [
      { id: 50, name: 'a', required: true, type: 'int' },
      {
        id: 51,
        name: 'b',
        required: false,
        type: {
          type: 'struct',
          fields: [
            { id: 60, name: 'c', required: false, type: 'string', doc: 'kept' },
            {
              id: 61,
              name: 'd',
              required: false,
              type: {
                type: 'list',
                'element-id': 62,
                'element-required': true,
                element: { type: 'struct', fields: [{ id: 63, name: 'e', required: false, type: 'long' }] },
              },
            },
          ],
        },
      },
      {
        id: 52,
        name: 'f',
        required: false,
        type: {
          type: 'map',
          'key-id': 70,
          key: 'string',
          'value-id': 71,
          'value-required': false,
          value: { type: 'struct', fields: [{ id: 72, name: 'g', required: false, type: 'int' }] },
        },
      },
      { id: 53, name: 'h', required: true, type: 'long' },
    ],
  };
  const md = newTableMetadata(
    {
      schema,
      location: 'mem://wh/t',
      partitionSpec: {
        'spec-id': 9,
        fields: [
          { 'source-id': 53, 'field-id': 5000, name: 'h_bucket', transform: 'bucket[4]' },
          { 'source-id': 50, 'field-id': 7000, name: 'a', transform: 'identity' },
        ],
      },
      sortOrder: {
        'order-id': 5,
        fields: [{ 'source-id': 60, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }],
      },
      properties: { owner: 'me' },
    },
    NOW,
  );
  const s = md.schemas[0];
  assert.equal(s['schema-id'], 0);
  assert.equal(md['current-schema-id'], 0);
  // Java's AssignFreshIds: a struct's own fields first (a, b, f, h = 1..4), then nested types in order.
  assert.deepEqual(
    s.fields.map((f) => [f.name, f.id]),
    [['a', 1], ['b', 2], ['f', 3], ['h', 4]],
  );
  const b = s.fields[1].type as { fields: Array<{ id: number; doc?: string; type: unknown }> };
  assert.deepEqual(b.fields.map((f) => f.id), [5, 6]);
  assert.equal(b.fields[0].doc, 'kept');
  const d = b.fields[1].type as { 'element-id': number; element: { fields: Array<{ id: number }> } };
  assert.equal(d['element-id'], 7);
  assert.equal(d.element.fields[0].id, 8);
  const f = s.fields[2].type as { 'key-id': number; 'value-id': number; value: { fields: Array<{ id: number }> } };
  assert.deepEqual([f['key-id'], f['value-id'], f.value.fields[0].id], [9, 10, 11]);
  assert.equal(md['last-column-id'], 11);
  assert.deepEqual(s['identifier-field-ids'], [4, 1]);
  assert.deepEqual(md['partition-specs'], [
    {
      'spec-id': 0,
      fields: [
        { 'source-id': 4, 'field-id': 1000, name: 'h_bucket', transform: 'bucket[4]' },
        { 'source-id': 1, 'field-id': 1001, name: 'a', transform: 'identity' },
      ],
    },
  ]);
  assert.equal(md['default-spec-id'], 0);
  assert.equal(md['last-partition-id'], 1001);
  assert.deepEqual(md['sort-orders'], [
    { 'order-id': 1, fields: [{ 'source-id': 5, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
  ]);
  assert.equal(md['default-sort-order-id'], 1);
  assert.equal(md['format-version'], 2);
  assert.match(md['table-uuid'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(md.location, 'mem://wh/t');
  assert.deepEqual(md.properties, { owner: 'me' });
  assert.equal(md['last-sequence-number'], 0n);
  assert.equal(md['last-updated-ms'], NOW);
  assert.deepEqual([md.snapshots, md.refs, md['snapshot-log'], md['metadata-log']], [[], {}, [], []]);
  assert.equal(md['current-snapshot-id'], undefined);
  assert.equal(md['next-row-id'], undefined);
});

test('new table: unsorted order 0 and unpartitioned spec by default; format-version property; v3 row ids', () => {
  const md = newTableMetadata({ schema: simpleSchema(), location: 'mem://t', properties: { 'format-version': '3' } }, NOW);
  assert.equal(md['format-version'], 3);
  assert.equal(md['next-row-id'], 0n);
  assert.deepEqual(md.properties, {});
  assert.deepEqual(md['sort-orders'], [{ 'order-id': 0, fields: [] }]);
  assert.equal(md['default-sort-order-id'], 0);
  assert.deepEqual(md['partition-specs'], [{ 'spec-id': 0, fields: [] }]);
  assert.equal(md['last-partition-id'], 999);
  const v1 = newTableMetadata({ schema: simpleSchema(), location: 'mem://t', formatVersion: 1 }, NOW);
  assert.equal(v1['format-version'], 1);
  assertCode(() => updatesForNewTable({ schema: simpleSchema(), location: 'x', properties: { 'format-version': '9' } }), 'INVALID_ARGUMENT');
});

test('new table: references to ids the schema lacks or repeats are refused; unreferenced repeats are fine', () => {
  const dup: Schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 0, name: 'x', required: false, type: 'int' },
      { id: 0, name: 'y', required: false, type: 'int' },
    ],
  };
  assert.deepEqual(assignFreshIds(dup).schema.fields.map((f) => f.id), [1, 2]);
  const spec = (sourceId: number) => ({
    'spec-id': 0,
    fields: [{ 'source-id': sourceId, 'field-id': 1000, name: 'p', transform: 'identity' }],
  });
  assertCode(() => updatesForNewTable({ schema: dup, location: 'x', partitionSpec: spec(0) }), 'INVALID_ARGUMENT');
  assertCode(() => updatesForNewTable({ schema: simpleSchema(), location: 'x', partitionSpec: spec(42) }), 'INVALID_ARGUMENT');
  assertCode(
    () => updatesForNewTable({ schema: { ...simpleSchema(), 'identifier-field-ids': [42] }, location: 'x' }),
    'INVALID_ARGUMENT',
  );
  const order = { 'order-id': 1, fields: [{ 'source-id': 42, transform: 'identity', direction: 'asc' as const, 'null-order': 'nulls-last' as const }] };
  assertCode(() => updatesForNewTable({ schema: simpleSchema(), location: 'x', sortOrder: order }), 'INVALID_ARGUMENT');
});

test('create from updates: the first upgrade picks the version; location, schema, spec and order are required', () => {
  const updates = updatesForNewTable({ schema: simpleSchema(), location: 'mem://t', formatVersion: 1 });
  assert.equal(metadataFromUpdates(updates, NOW)['format-version'], 1);
  assertCode(() => metadataFromUpdates(updates.filter((u) => u.action !== 'set-location'), NOW), 'INVALID_ARGUMENT');
  assertCode(() => metadataFromUpdates(updates.filter((u) => u.action !== 'add-spec' && u.action !== 'set-default-spec'), NOW), 'INVALID_ARGUMENT');
  assert.equal(emptyMetadataForCreate(3, NOW)['next-row-id'], 0n);
});

// ---- updates ----

test('applyUpdates never modifies its input, and stamps last-updated-ms only on change', () => {
  const base = tableWithSnapshots();
  const before = structuredClone(base);
  const updates: TableUpdate[] = [
    { action: 'set-properties', updates: { a: 'b' } },
    { action: 'remove-snapshots', 'snapshot-ids': [1n] },
    { action: 'add-schema', schema: { ...simpleSchema(), fields: [...simpleSchema().fields, col(4, 'n')] } },
    LAST_SCHEMA,
  ];
  const out = applyUpdates(base, updates, LATER);
  assert.deepEqual(base, before);
  assert.equal(out['last-updated-ms'], LATER);
  const same = applyUpdatesDetailed(base, [{ action: 'set-properties', updates: {} }, { action: 'set-location', location: base.location }], LATER);
  assert.equal(same.changed, false);
  assert.equal(same.metadata['last-updated-ms'], base['last-updated-ms']);
  assert.notEqual(same.metadata, base);
});

test('assign-uuid and upgrade-format-version', () => {
  const other = '11111111-2222-4333-8444-555555555555';
  assert.equal(applyUpdates(table(), [{ action: 'assign-uuid', uuid: other }], NOW)['table-uuid'], other);
  assertCode(() => applyUpdates(table(), [{ action: 'assign-uuid', uuid: 'nope' }]), 'INVALID_ARGUMENT');
  const v3 = applyUpdates(table(2), [{ action: 'upgrade-format-version', 'format-version': 3 }], NOW);
  assert.equal(v3['format-version'], 3);
  assert.equal(v3['next-row-id'], 0n); // spec "Row Lineage for Upgraded Tables"
  assert.equal(applyUpdates(table(1), [{ action: 'upgrade-format-version', 'format-version': 2 }])['format-version'], 2);
  assert.equal(applyUpdatesDetailed(table(2), [{ action: 'upgrade-format-version', 'format-version': 2 }]).changed, false);
  assertCode(() => applyUpdates(table(3), [{ action: 'upgrade-format-version', 'format-version': 2 }]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(2), [{ action: 'upgrade-format-version', 'format-version': 4 }]), 'UNSUPPORTED');
  // A v1 table without a UUID gets one on upgrade (v2 requires it).
  const noUuid = { ...table(1), 'table-uuid': '' };
  assert.match(applyUpdates(noUuid, [{ action: 'upgrade-format-version', 'format-version': 2 }])['table-uuid'], /^[0-9a-f-]{36}$/);
});

test('add-schema assigns the next id and last-column-id; an identical schema is reused; -1 is the last added', () => {
  const wider: Schema = { ...simpleSchema(), 'schema-id': 42, fields: [...simpleSchema().fields, col(10, 'x')] };
  const md = applyUpdates(table(), [{ action: 'add-schema', schema: wider }, LAST_SCHEMA], NOW);
  assert.deepEqual(md.schemas.map((s) => s['schema-id']), [0, 1]);
  assert.equal(md['current-schema-id'], 1);
  assert.equal(md['last-column-id'], 10);
  // Re-adding the same fields (any schema id) reuses id 1; -1 then names it.
  const again = applyUpdates(md, [{ action: 'add-schema', schema: { ...wider, 'schema-id': 0 } }, LAST_SCHEMA], NOW);
  assert.equal(again.schemas.length, 2);
  // Going back to the original schema reuses id 0 and keeps last-column-id (ids are never reused).
  const back = applyUpdates(md, [{ action: 'add-schema', schema: simpleSchema() }, LAST_SCHEMA], NOW);
  assert.equal(back.schemas.length, 2);
  assert.equal(back['current-schema-id'], 0);
  assert.equal(back['last-column-id'], 10);
  // A schema with lower ids than the table has seen keeps last-column-id; a larger client value is honoured.
  const narrow: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
  const n = applyUpdates(table(), [{ action: 'add-schema', schema: narrow, 'last-column-id': 20 }], NOW);
  assert.equal(n['last-column-id'], 20);
  assert.equal(n.schemas[1]['schema-id'], 1);
});

test('schema errors: unknown id, -1 with nothing added, v3 types on v2, repeated ids', () => {
  assertCode(() => applyUpdates(table(), [{ action: 'set-current-schema', 'schema-id': 5 }]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(), [LAST_SCHEMA]), 'INVALID_ARGUMENT');
  const ns: Schema = { type: 'struct', 'schema-id': 1, fields: [col(9, 't', 'timestamp_ns')] };
  assertCode(() => applyUpdates(table(2), [{ action: 'add-schema', schema: ns }]), 'INVALID_ARGUMENT');
  assert.equal(applyUpdates(table(3), [{ action: 'add-schema', schema: ns }]).schemas.length, 2);
  const dup: Schema = { type: 'struct', 'schema-id': 1, fields: [col(1, 'a'), col(1, 'b')] };
  assertCode(() => applyUpdates(table(), [{ action: 'add-schema', schema: dup }]), 'INVALID_ARGUMENT');
  // Dropping a column the default spec uses makes the schema unfit to be current.
  const parted = newTableMetadata({
    schema: simpleSchema(),
    location: 'mem://t',
    partitionSpec: { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'data', transform: 'identity' }] },
  });
  const withoutData: Schema = { type: 'struct', 'schema-id': 0, fields: [simpleSchema().fields[0]] };
  assertCode(
    () => applyUpdates(parted, [{ action: 'add-schema', schema: withoutData }, LAST_SCHEMA]),
    'INVALID_ARGUMENT',
  );
  assertCode(() => applyUpdates(table(), [{ action: 'remove-schemas', 'schema-ids': [0] }]), 'INVALID_ARGUMENT');
});

test('add-spec assigns the next spec id and last-partition-id, reuses a compatible spec; set-default-spec -1', () => {
  const spec = { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] };
  const md = applyUpdates(table(), [{ action: 'add-spec', spec }, LAST_SPEC], NOW);
  assert.deepEqual(md['partition-specs'].map((s) => s['spec-id']), [0, 1]);
  assert.equal(md['default-spec-id'], 1);
  assert.equal(md['last-partition-id'], 1000);
  // The same fields with other field ids (and spec id) are the same spec.
  const again = applyUpdates(md, [{ action: 'add-spec', spec: { 'spec-id': 7, fields: [{ ...spec.fields[0], 'field-id': 1003, transform: 'DAY' }] } }], NOW);
  assert.equal(again['partition-specs'].length, 2);
  const back = applyUpdates(md, [{ action: 'add-spec', spec: { 'spec-id': 0, fields: [] } }, LAST_SPEC], NOW);
  assert.equal(back['default-spec-id'], 0);
  assert.equal(back['last-partition-id'], 1000);
  const removed = applyUpdates(back, [{ action: 'remove-partition-specs', 'spec-ids': [1] }], NOW);
  assert.deepEqual(removed['partition-specs'].map((s) => s['spec-id']), [0]);
  assertCode(() => applyUpdates(back, [{ action: 'remove-partition-specs', 'spec-ids': [0] }]), 'INVALID_ARGUMENT');
});

test('spec errors: unknown id, -1 with nothing added, missing or unfit source, v1 field ids', () => {
  assertCode(() => applyUpdates(table(), [{ action: 'set-default-spec', 'spec-id': 3 }]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(), [LAST_SPEC]), 'INVALID_ARGUMENT');
  const bad = (sourceId: number, transform: string, fieldId = 1000) => ({
    action: 'add-spec' as const,
    spec: { 'spec-id': 0, fields: [{ 'source-id': sourceId, 'field-id': fieldId, name: 'p', transform }] },
  });
  assertCode(() => applyUpdates(table(), [bad(99, 'identity')]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(), [bad(2, 'day')]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(1), [bad(2, 'identity', 1005)]), 'INVALID_ARGUMENT');
  assert.equal(applyUpdates(table(2), [bad(2, 'identity', 1005)])['last-partition-id'], 1005);
});

test('add-sort-order: 0 is unsorted, sorted orders from 1, identical reused, -1 is the last added', () => {
  const order = { 'order-id': 0, fields: [{ 'source-id': 1, transform: 'identity', direction: 'desc' as const, 'null-order': 'nulls-last' as const }] };
  const md = applyUpdates(table(), [{ action: 'add-sort-order', 'sort-order': order }, LAST_ORDER], NOW);
  assert.deepEqual(md['sort-orders'].map((o) => o['order-id']), [0, 1]);
  assert.equal(md['default-sort-order-id'], 1);
  const again = applyUpdates(md, [{ action: 'add-sort-order', 'sort-order': { ...order, 'order-id': 9 } }], NOW);
  assert.equal(again['sort-orders'].length, 2);
  const unsorted = applyUpdates(md, [{ action: 'add-sort-order', 'sort-order': { 'order-id': 5, fields: [] } }, LAST_ORDER], NOW);
  assert.equal(unsorted['default-sort-order-id'], 0);
  assert.equal(unsorted['sort-orders'].length, 2);
  const other = { ...order, fields: [{ ...order.fields[0], direction: 'asc' as const }] };
  assert.deepEqual(applyUpdates(md, [{ action: 'add-sort-order', 'sort-order': other }])['sort-orders'].map((o) => o['order-id']), [0, 1, 2]);
  assertCode(() => applyUpdates(table(), [{ action: 'set-default-sort-order', 'sort-order-id': 4 }]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(table(), [LAST_ORDER]), 'INVALID_ARGUMENT');
  const missing = { 'order-id': 1, fields: [{ ...order.fields[0], 'source-id': 77 }] };
  assertCode(() => applyUpdates(table(), [{ action: 'add-sort-order', 'sort-order': missing }]), 'INVALID_ARGUMENT');
});

test('add-snapshot: sequence numbers must grow from v2 on; last-sequence-number follows', () => {
  const md = applyUpdates(table(), [add(snap(BIG, 1n))], LATER);
  assert.equal(md['last-sequence-number'], 1n);
  assert.equal(md['last-updated-ms'], LATER);
  assert.equal(md.snapshots[0]['snapshot-id'], BIG);
  assert.equal(md['current-snapshot-id'], undefined); // adding is not making current
  const ctx = assertCode(() => applyUpdates(md, [add(snap(2n, 1n))]), 'COMMIT_CONFLICT', true);
  assert.equal(ctx.action, 'add-snapshot');
  assertCode(() => applyUpdates(md, [add(snap(2n, 0n))]), 'COMMIT_CONFLICT', true);
  assertCode(() => applyUpdates(md, [add(snap(BIG, 2n))]), 'INVALID_ARGUMENT');
  // v1 has no sequence numbers.
  const v1 = applyUpdates(table(1), [add(snap(1n, 0n)), add(snap(2n, 0n))]);
  assert.equal(v1.snapshots.length, 2);
  assert.equal(v1['last-sequence-number'], 0n);
});

test('add-snapshot in v3: first-row-id at least next-row-id, which moves past added-rows', () => {
  const md = applyUpdates(table(3), [add(snap(1n, 1n, { 'first-row-id': 0n, 'added-rows': 30n }))], NOW);
  assert.equal(md['next-row-id'], 30n);
  const next = applyUpdates(md, [add(snap(2n, 2n, { 'first-row-id': 30n, 'added-rows': 5n }))], NOW);
  assert.equal(next['next-row-id'], 35n);
  assertCode(
    () => applyUpdates(md, [add(snap(2n, 2n, { 'first-row-id': 10n, 'added-rows': 5n }))]),
    'COMMIT_CONFLICT',
    true,
  );
  assertCode(() => applyUpdates(md, [add(snap(2n, 2n))]), 'INVALID_ARGUMENT');
});

test('set-snapshot-ref on main moves current-snapshot-id and the snapshot log; branches and tags do not', () => {
  const md = tableWithSnapshots();
  assert.equal(md['current-snapshot-id'], 2n);
  assert.deepEqual(md.refs.main, { 'snapshot-id': 2n, type: 'branch' });
  // An added snapshot is logged with its own timestamp.
  assert.deepEqual(md['snapshot-log'], [
    { 'timestamp-ms': NOW + 1n, 'snapshot-id': 1n },
    { 'timestamp-ms': NOW + 2n, 'snapshot-id': 2n },
  ]);
  // A rollback to an older snapshot is logged at commit time.
  const rolled = applyUpdates(md, [mainRef(1n)], LATER);
  assert.equal(rolled['current-snapshot-id'], 1n);
  assert.deepEqual(rolled['snapshot-log'].at(-1), { 'timestamp-ms': LATER, 'snapshot-id': 1n });
  const tagged = applyUpdates(
    md,
    [
      { action: 'set-snapshot-ref', 'ref-name': 'v1', type: 'tag', 'snapshot-id': 1n, 'max-ref-age-ms': 1000n },
      { action: 'set-snapshot-ref', 'ref-name': 'dev', type: 'branch', 'snapshot-id': 1n, 'min-snapshots-to-keep': 2 },
    ],
    NOW,
  );
  assert.equal(tagged['current-snapshot-id'], 2n);
  assert.deepEqual(tagged.refs.v1, { 'snapshot-id': 1n, type: 'tag', 'max-ref-age-ms': 1000n });
  assert.deepEqual(tagged.refs.dev, { 'snapshot-id': 1n, type: 'branch', 'min-snapshots-to-keep': 2 });
  assert.equal(tagged['snapshot-log'].length, 2);
  // Setting main to what it is changes nothing.
  assert.equal(applyUpdatesDetailed(md, [mainRef(2n)]).changed, false);
  assertCode(() => applyUpdates(md, [mainRef(77n)]), 'INVALID_ARGUMENT');
  assertCode(() => applyUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'tag', 'snapshot-id': 1n }]), 'INVALID_ARGUMENT');
  assertCode(
    () => applyUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 't', type: 'tag', 'snapshot-id': 1n, 'min-snapshots-to-keep': 1 }]),
    'INVALID_ARGUMENT',
  );
});

test('main moved through several added snapshots in one commit logs only the last', () => {
  const md = applyUpdates(
    table(),
    [
      add(snap(1n, 1n)),
      mainRef(1n),
      add(snap(2n, 2n, { 'parent-snapshot-id': 1n })),
      mainRef(2n),
    ],
    NOW,
  );
  assert.deepEqual(md['snapshot-log'], [{ 'timestamp-ms': NOW + 2n, 'snapshot-id': 2n }]);
  assert.equal(md['last-sequence-number'], 2n);
});

test('remove-snapshots drops refs, statistics and the snapshot log up to the removed snapshot', () => {
  const stats = (id: bigint): StatisticsFile => ({
    'snapshot-id': id,
    'statistics-path': `mem://s/${id}.puffin`,
    'file-size-in-bytes': 10n,
    'file-footer-size-in-bytes': 5n,
    'blob-metadata': [],
  });
  const base = applyUpdates(
    tableWithSnapshots(),
    [
      add(snap(3n, 3n, { 'parent-snapshot-id': 2n })),
      mainRef(3n),
      { action: 'set-snapshot-ref', 'ref-name': 'old', type: 'tag', 'snapshot-id': 1n },
      { action: 'set-statistics', statistics: stats(1n) },
      { action: 'set-statistics', statistics: stats(3n) },
      { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 1n, 'statistics-path': 'p', 'file-size-in-bytes': 1n } },
    ],
    NOW,
  );
  const md = applyUpdates(base, [{ action: 'remove-snapshots', 'snapshot-ids': [2n, 1n, 404n] }], LATER);
  assert.deepEqual(md.snapshots.map((s) => s['snapshot-id']), [3n]);
  assert.deepEqual(Object.keys(md.refs), ['main']);
  assert.deepEqual(md.statistics.map((s) => s['snapshot-id']), [3n]);
  assert.deepEqual(md['partition-statistics'], []);
  assert.deepEqual(md['snapshot-log'], [{ 'timestamp-ms': NOW + 3n, 'snapshot-id': 3n }]);
  // Removing main's snapshot removes main and the current snapshot with it.
  const gone = applyUpdates(base, [{ action: 'remove-snapshots', 'snapshot-ids': [3n] }], LATER);
  assert.equal(gone['current-snapshot-id'], undefined);
  assert.equal(gone.refs.main, undefined);
  assert.deepEqual(gone['snapshot-log'], []);
  assert.equal(applyUpdatesDetailed(base, [{ action: 'remove-snapshots', 'snapshot-ids': [404n] }]).changed, false);
});

test('remove-snapshot-ref: main clears the current snapshot; an unknown ref changes nothing', () => {
  const md = applyUpdates(tableWithSnapshots(), [{ action: 'remove-snapshot-ref', 'ref-name': 'main' }], NOW);
  assert.equal(md['current-snapshot-id'], undefined);
  assert.deepEqual(md.refs, {});
  assert.equal(md.snapshots.length, 2);
  assert.equal(applyUpdatesDetailed(tableWithSnapshots(), [{ action: 'remove-snapshot-ref', 'ref-name': 'x' }]).changed, false);
});

test('properties, location, statistics and encryption keys', () => {
  const md = applyUpdates(
    table(),
    [
      // Built with fromEntries: a `__proto__` key must stay a plain property, not reach the prototype.
      { action: 'set-properties', updates: Object.fromEntries([['a', '1'], ['b', '2'], ['__proto__', 'p']]) },
      { action: 'remove-properties', removals: ['b', 'missing'] },
      { action: 'set-location', location: 'mem://elsewhere' },
      { action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k1', 'encrypted-key-metadata': 'AA==' } },
      { action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k2', 'encrypted-key-metadata': 'AQ==' } },
      { action: 'remove-encryption-key', 'key-id': 'k1' },
    ],
    NOW,
  );
  assert.equal(md.properties.a, '1');
  assert.equal(Object.hasOwn(md.properties, '__proto__'), true);
  assert.equal(Object.getPrototypeOf(md.properties), Object.prototype);
  assert.equal(Object.hasOwn(md.properties, 'b'), false);
  assert.equal(md.location, 'mem://elsewhere');
  assert.deepEqual(md['encryption-keys'], [{ 'key-id': 'k2', 'encrypted-key-metadata': 'AQ==' }]);
  assertCode(() => applyUpdates(table(), [{ action: 'set-location', location: '' }]), 'INVALID_ARGUMENT');

  const base = tableWithSnapshots();
  const file: StatisticsFile = {
    'snapshot-id': 2n,
    'statistics-path': 'mem://a.puffin',
    'file-size-in-bytes': 1n,
    'file-footer-size-in-bytes': 1n,
    'blob-metadata': [{ type: 'apache-datasketches-theta-v1', 'snapshot-id': 2n, 'sequence-number': 2n, fields: [1] }],
  };
  const one = applyUpdates(base, [{ action: 'set-statistics', statistics: file }], NOW);
  const two = applyUpdates(one, [{ action: 'set-statistics', 'snapshot-id': 2n, statistics: { ...file, 'statistics-path': 'mem://b.puffin' } }], NOW);
  assert.deepEqual(two.statistics.map((s) => s['statistics-path']), ['mem://b.puffin']);
  assert.deepEqual(applyUpdates(two, [{ action: 'remove-statistics', 'snapshot-id': 2n }]).statistics, []);
  assertCode(() => applyUpdates(base, [{ action: 'set-statistics', 'snapshot-id': 1n, statistics: file }]), 'INVALID_ARGUMENT');
  const ps = applyUpdates(base, [{ action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 2n, 'statistics-path': 'p', 'file-size-in-bytes': 3n } }]);
  assert.equal(ps['partition-statistics'].length, 1);
  assert.deepEqual(applyUpdates(ps, [{ action: 'remove-partition-statistics', 'snapshot-id': 2n }])['partition-statistics'], []);
});

test('an unknown action is UNSUPPORTED', () => {
  assertCode(() => applyUpdates(table(), [{ action: 'make-coffee' } as unknown as TableUpdate]), 'UNSUPPORTED');
});

// ---- metadata log and serialization ----

test('appendMetadataLog records the replaced file with the base time and trims to previous-versions-max', () => {
  let md = table();
  for (let i = 0; i < 105; i++) {
    const next = applyUpdates(md, [{ action: 'set-properties', updates: { n: String(i) } }], NOW + BigInt(i + 1));
    md = appendMetadataLog(md, `mem://t/metadata/${i}.metadata.json`, next);
  }
  assert.equal(md['metadata-log'].length, 100);
  assert.deepEqual(md['metadata-log'][0], { 'timestamp-ms': NOW + 5n, 'metadata-file': 'mem://t/metadata/5.metadata.json' });
  assert.deepEqual(md['metadata-log'].at(-1), { 'timestamp-ms': NOW + 104n, 'metadata-file': 'mem://t/metadata/104.metadata.json' });
  const small = applyUpdates(md, [{ action: 'set-properties', updates: { 'write.metadata.previous-versions-max': '2' } }], LATER);
  const trimmed = appendMetadataLog(md, 'mem://t/metadata/last.metadata.json', small);
  assert.deepEqual(trimmed['metadata-log'].map((e) => e['metadata-file']), [
    'mem://t/metadata/104.metadata.json',
    'mem://t/metadata/last.metadata.json',
  ]);
  assert.equal(md['metadata-log'].length, 100); // inputs untouched
});

test('produced metadata survives serialize → parse for every format version', () => {
  for (const v of [1, 2, 3] as const) {
    const v3 = v === 3 ? { 'first-row-id': 0n, 'added-rows': 3n } : {};
    const seq = v === 1 ? 0n : 1n;
    const md = applyUpdates(
      table(v),
      [
        add(snap(BIG, seq, v3)),
        mainRef(BIG),
        { action: 'set-snapshot-ref', 'ref-name': 'tag', type: 'tag', 'snapshot-id': BIG, 'max-ref-age-ms': 5n },
        { action: 'set-properties', updates: { k: 'v' } },
        { action: 'add-spec', spec: { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'b', transform: 'bucket[8]' }] } },
      ],
      NOW,
    );
    const logged = appendMetadataLog(table(v), 'mem://t/metadata/00000-x.metadata.json', md);
    assert.deepEqual(parseTableMetadata(serializeTableMetadata(logged)), logged, `v${v}`);
  }
});
