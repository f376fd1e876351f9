/**
 * The behaviour every Catalog implementation must show (src/iceberg/catalog/catalog.ts), as one suite each
 * implementation's test file runs against its own catalog. Assertions are on error codes, never messages.
 */
import { describe, test } from 'node:test';
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { isFloeError } from '../../../src/errors.js';
import type { Catalog, CatalogTable, CreateTableRequest, TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import { writeManifestList } from '../../../src/iceberg/avro/manifest-list.js';
import { writeManifest } from '../../../src/iceberg/avro/manifest.js';
import { joinPath } from '../../../src/iceberg/io/file-io.js';
import { schemaToJson } from '../../../src/iceberg/spec/table-metadata.js';
import type { Schema } from '../../../src/iceberg/spec/schema.js';
import type { TableRequirement, TableUpdate } from '../../../src/iceberg/spec/table-update.js';
import { stringifyJson } from '../../../src/util/json.js';

/** A catalog under test and how to dispose of it. */
export interface CatalogUnderTest {
  catalog: Catalog;
  cleanup(): Promise<void>;
}

/** What an implementation does not support; those operations must then fail with `UNSUPPORTED`. */
export interface CatalogCapabilities {
  /** Namespace properties (hadoop: none). Default true. */
  namespaceProperties?: boolean;
  /** Renaming tables (hadoop: no). Default true. */
  renameTable?: boolean;
  /** Registering a metadata file as a table (hadoop: no). Default true. */
  registerTable?: boolean;
  /** Whether dropping without purge leaves the table's files (hadoop: no, the table is its directory). Default true. */
  dropKeepsFiles?: boolean;
}

const SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  // Ids deliberately not 1..n: a catalog assigns fresh ids on create.
  fields: [
    { id: 5, name: 'id', required: true, type: 'long' },
    { id: 7, name: 'data', required: false, type: 'string' },
  ],
};
const CREATE: CreateTableRequest = { schema: SCHEMA, properties: { owner: 'floe-tests' } };

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** Names of the `*.metadata.json` files in the table's metadata directory. */
async function metadataFiles(t: CatalogTable): Promise<string[]> {
  const names = await t.io.list(joinPath(t.metadata.location, 'metadata'));
  return names.filter((n) => n.endsWith('.metadata.json')).sort();
}

/** Adds a column `name` as the new current schema, requiring the table's schema to still be `schemaId`. */
function addColumnChange(t: CatalogTable, name: string): { requirements: TableRequirement[]; updates: TableUpdate[] } {
  const current = t.metadata.schemas.find((s) => s['schema-id'] === t.metadata['current-schema-id'])!;
  const lastId = t.metadata['last-column-id'];
  return {
    requirements: [
      { type: 'assert-current-schema-id', 'current-schema-id': t.metadata['current-schema-id'] },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': lastId },
    ],
    updates: [
      {
        action: 'add-schema',
        schema: { ...current, fields: [...current.fields, { id: lastId + 1, name, required: false, type: 'int' }] },
        'last-column-id': lastId + 1,
      },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
  };
}

/**
 * Writes a data file (fake bytes), a manifest naming it and a manifest list, and commits a snapshot of them to
 * `main`, requiring `main` not to exist yet. Returns the paths written.
 */
async function appendFakeSnapshot(catalog: Catalog, t: CatalogTable): Promise<string[]> {
  const md = t.metadata;
  const location = md.location;
  const snapshotId = BigInt(Math.floor(Math.random() * 2 ** 48)) + 1n;
  const dataPath = joinPath(location, 'data', `${randomUUID()}.parquet`);
  await t.io.write(dataPath, new TextEncoder().encode('not really parquet'));
  const schema = md.schemas.find((s) => s['schema-id'] === md['current-schema-id'])!;
  const manifest = writeManifest(
    [
      {
        status: 1,
        snapshot_id: snapshotId,
        sequence_number: null,
        file_sequence_number: null,
        data_file: {
          content: 0,
          file_path: dataPath,
          file_format: 'PARQUET',
          partition: new Map(),
          record_count: 1n,
          file_size_in_bytes: 18n,
        },
      },
    ],
    {
      formatVersion: 2,
      schemaJson: stringifyJson(schemaToJson(schema)),
      specId: 0,
      specFieldsJson: '[]',
      partitionFields: [],
      content: 'data',
    },
  );
  const manifestPath = joinPath(location, 'metadata', `${randomUUID()}-m0.avro`);
  await t.io.write(manifestPath, manifest);
  const seq = md['last-sequence-number'] + 1n;
  const listPath = joinPath(location, 'metadata', `snap-${snapshotId}-${randomUUID()}.avro`);
  const list = writeManifestList(
    [
      {
        manifest_path: manifestPath,
        manifest_length: BigInt(manifest.length),
        partition_spec_id: 0,
        content: 0,
        sequence_number: seq,
        min_sequence_number: seq,
        added_snapshot_id: snapshotId,
        added_files_count: 1,
        existing_files_count: 0,
        deleted_files_count: 0,
        added_rows_count: 1n,
        existing_rows_count: 0n,
        deleted_rows_count: 0n,
      },
    ],
    { 'snapshot-id': snapshotId, 'sequence-number': seq, 'format-version': 2 },
  );
  await t.io.write(listPath, list);
  await catalog.commitTable({
    identifier: t.identifier,
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': snapshotId,
          'sequence-number': seq,
          'timestamp-ms': BigInt(Date.now()),
          'manifest-list': listPath,
          summary: { operation: 'append' },
          'schema-id': md['current-schema-id'],
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  });
  return [dataPath, manifestPath, listPath];
}

/**
 * Registers the behaviour tests for one catalog implementation. `make` returns a fresh, empty catalog for each test
 * (tests may run in any order); `cleanup` releases it.
 */
export function catalogBehaviourSuite(
  name: string,
  make: () => Promise<CatalogUnderTest>,
  capabilities: CatalogCapabilities = {},
): void {
  const caps = { namespaceProperties: true, renameTable: true, registerTable: true, dropKeepsFiles: true, ...capabilities };

  const withCatalog = (title: string, fn: (catalog: Catalog) => Promise<void>): void => {
    test(title, async () => {
      const { catalog, cleanup } = await make();
      try {
        await fn(catalog);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`catalog behaviour: ${name}`, () => {
    withCatalog('namespaces: create, exists, list (nested), drop', async (c) => {
      assert.deepEqual(await c.listNamespaces(), []);
      await c.createNamespace(['a']);
      await c.createNamespace(['a', 'b']);
      await c.createNamespace(['z']);
      assert.equal(await c.namespaceExists(['a']), true);
      assert.equal(await c.namespaceExists(['a', 'b']), true);
      assert.equal(await c.namespaceExists(['nope']), false);
      assert.deepEqual(await c.listNamespaces(), [['a'], ['z']]);
      assert.deepEqual(await c.listNamespaces(['a']), [['a', 'b']]);
      assert.deepEqual(await c.listNamespaces(['a', 'b']), []);
      await rejectsWithCode(c.createNamespace(['a']), 'NAMESPACE_ALREADY_EXISTS');
      await rejectsWithCode(c.listNamespaces(['nope']), 'NAMESPACE_NOT_FOUND');
      await rejectsWithCode(c.dropNamespace(['nope']), 'NAMESPACE_NOT_FOUND');
      // `a` still holds `a.b`.
      await rejectsWithCode(c.dropNamespace(['a']), 'NAMESPACE_NOT_EMPTY');
      await c.dropNamespace(['a', 'b']);
      await c.dropNamespace(['a']);
      assert.equal(await c.namespaceExists(['a']), false);
      assert.deepEqual(await c.listNamespaces(), [['z']]);
    });

    withCatalog('names: empty namespaces and names are INVALID_ARGUMENT', async (c) => {
      await rejectsWithCode(c.createNamespace([]), 'INVALID_ARGUMENT');
      await rejectsWithCode(c.createNamespace(['']), 'INVALID_ARGUMENT');
      await c.createNamespace(['db']);
      await rejectsWithCode(c.createTable({ namespace: ['db'], name: '' }, CREATE), 'INVALID_ARGUMENT');
      await rejectsWithCode(c.loadTable({ namespace: [], name: 't' }), 'INVALID_ARGUMENT');
    });

    withCatalog('namespace properties: create with, load, update, remove', async (c) => {
      if (!caps.namespaceProperties) {
        await rejectsWithCode(c.createNamespace(['p'], { owner: 'alice' }), 'UNSUPPORTED');
        await c.createNamespace(['p']);
        await rejectsWithCode(c.updateNamespaceProperties(['p'], [], { owner: 'bob' }), 'UNSUPPORTED');
        assert.equal(typeof (await c.loadNamespaceProperties(['p'])), 'object');
        await rejectsWithCode(c.loadNamespaceProperties(['nope']), 'NAMESPACE_NOT_FOUND');
        return;
      }
      await c.createNamespace(['p'], { owner: 'alice', keep: 'k', gone: 'g' });
      const props = await c.loadNamespaceProperties(['p']);
      assert.equal(props.owner, 'alice');
      assert.equal(props.gone, 'g');
      await c.updateNamespaceProperties(['p'], ['gone'], { owner: 'bob', added: 'x' });
      const after = await c.loadNamespaceProperties(['p']);
      assert.equal(after.owner, 'bob');
      assert.equal(after.added, 'x');
      assert.equal(after.keep, 'k');
      assert.equal(Object.hasOwn(after, 'gone'), false);
      await rejectsWithCode(c.loadNamespaceProperties(['nope']), 'NAMESPACE_NOT_FOUND');
      await rejectsWithCode(c.updateNamespaceProperties(['nope'], [], { a: 'b' }), 'NAMESPACE_NOT_FOUND');
    });

    withCatalog('tables: create, load, list, exists; duplicates and unknown names', async (c) => {
      await c.createNamespace(['db']);
      const id: TableIdentifier = { namespace: ['db'], name: 't' };
      const created = await c.createTable(id, CREATE);
      assert.deepEqual(created.identifier, id);
      assert.equal(created.metadata['format-version'], 2);
      assert.deepEqual(
        created.metadata.schemas[0].fields.map((f) => [f.id, f.name]),
        [
          [1, 'id'],
          [2, 'data'],
        ],
      );
      assert.equal(created.metadata.properties.owner, 'floe-tests');
      assert.equal(await created.io.exists(created.metadataLocation), true);

      const loaded = await c.loadTable(id);
      assert.equal(loaded.metadataLocation, created.metadataLocation);
      assert.equal(loaded.metadata['table-uuid'], created.metadata['table-uuid']);
      assert.deepEqual(await c.listTables(['db']), [id]);
      assert.equal(await c.tableExists(id), true);
      assert.equal(await c.tableExists({ namespace: ['db'], name: 'other' }), false);

      await rejectsWithCode(c.createTable(id, CREATE), 'TABLE_ALREADY_EXISTS');
      await rejectsWithCode(c.createTable({ namespace: ['nope'], name: 't' }, CREATE), 'NAMESPACE_NOT_FOUND');
      await rejectsWithCode(c.loadTable({ namespace: ['db'], name: 'other' }), 'TABLE_NOT_FOUND');
      await rejectsWithCode(c.listTables(['nope']), 'NAMESPACE_NOT_FOUND');
      await rejectsWithCode(c.dropNamespace(['db']), 'NAMESPACE_NOT_EMPTY');
      // A table is not a namespace.
      assert.equal(await c.namespaceExists(['db', 't']), false);
    });

    withCatalog('tables: rename', async (c) => {
      await c.createNamespace(['db']);
      await c.createNamespace(['db2']);
      const from: TableIdentifier = { namespace: ['db'], name: 't' };
      const to: TableIdentifier = { namespace: ['db2'], name: 'renamed' };
      const created = await c.createTable(from, CREATE);
      if (!caps.renameTable) {
        await rejectsWithCode(c.renameTable(from, to), 'UNSUPPORTED');
        assert.equal(await c.tableExists(from), true);
        return;
      }
      await c.renameTable(from, to);
      assert.equal(await c.tableExists(from), false);
      const loaded = await c.loadTable(to);
      assert.equal(loaded.metadata['table-uuid'], created.metadata['table-uuid']);
      assert.deepEqual(await c.listTables(['db']), []);
      assert.deepEqual(await c.listTables(['db2']), [to]);

      await rejectsWithCode(c.renameTable(from, { namespace: ['db'], name: 'x' }), 'TABLE_NOT_FOUND');
      await c.createTable(from, CREATE);
      await rejectsWithCode(c.renameTable(from, to), 'TABLE_ALREADY_EXISTS');
      await rejectsWithCode(c.renameTable(from, { namespace: ['nope'], name: 'x' }), 'NAMESPACE_NOT_FOUND');
      assert.equal(await c.tableExists(from), true);
    });

    withCatalog('tables: drop (with and without purge)', async (c) => {
      await c.createNamespace(['db']);
      const keep: TableIdentifier = { namespace: ['db'], name: 'keep' };
      const t = await c.createTable(keep, CREATE);
      await c.dropTable(keep);
      assert.equal(await c.tableExists(keep), false);
      await rejectsWithCode(c.loadTable(keep), 'TABLE_NOT_FOUND');
      await rejectsWithCode(c.dropTable(keep), 'TABLE_NOT_FOUND');
      assert.equal(await t.io.exists(t.metadataLocation), caps.dropKeepsFiles);

      const purged: TableIdentifier = { namespace: ['db'], name: 'purged' };
      await c.createTable(purged, CREATE);
      const written = await appendFakeSnapshot(c, await c.loadTable(purged));
      const before = await c.loadTable(purged);
      assert.equal(before.metadata.snapshots.length, 1);
      const metadataFilesBefore = [before.metadataLocation, ...before.metadata['metadata-log'].map((e) => e['metadata-file'])];
      assert.ok(metadataFilesBefore.length >= 2);
      for (const p of [...written, ...metadataFilesBefore]) assert.equal(await before.io.exists(p), true, p);
      await c.dropTable(purged, true);
      assert.equal(await c.tableExists(purged), false);
      for (const p of [...written, ...metadataFilesBefore]) assert.equal(await before.io.exists(p), false, p);
      await c.dropNamespace(['db']);
    });

    withCatalog('commits: requirements hold → new metadata; a failed one → COMMIT_CONFLICT, nothing changes', async (c) => {
      await c.createNamespace(['db']);
      const id: TableIdentifier = { namespace: ['db'], name: 't' };
      const t = await c.createTable(id, CREATE);
      const res = await c.commitTable({
        identifier: id,
        requirements: [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }],
        updates: [{ action: 'set-properties', updates: { color: 'blue' } }],
      });
      assert.notEqual(res.metadataLocation, t.metadataLocation);
      assert.equal(res.metadata.properties.color, 'blue');
      assert.deepEqual(
        res.metadata['metadata-log'].map((e) => e['metadata-file']),
        [t.metadataLocation],
      );
      const loaded = await c.loadTable(id);
      assert.equal(loaded.metadataLocation, res.metadataLocation);
      assert.equal(loaded.metadata.properties.color, 'blue');
      const evolved = await c.commitTable({ identifier: id, ...addColumnChange(loaded, 'first') });

      const files = await metadataFiles(loaded);
      await rejectsWithCode(
        c.commitTable({
          identifier: id,
          requirements: [{ type: 'assert-table-uuid', uuid: randomUUID() }],
          updates: [{ action: 'set-properties', updates: { color: 'red' } }],
        }),
        'COMMIT_CONFLICT',
      );
      const stale = c.commitTable({ identifier: id, ...addColumnChange(t, 'late') });
      await assert.rejects(stale, (err: unknown) => isFloeError(err, 'COMMIT_CONFLICT') && err.retryable);
      const after = await c.loadTable(id);
      assert.equal(after.metadataLocation, evolved.metadataLocation);
      assert.equal(after.metadata.properties.color, 'blue');
      assert.equal(after.metadata['current-schema-id'], evolved.metadata['current-schema-id']);
      assert.deepEqual(await metadataFiles(after), files);

      // Snapshots: `main` must not exist yet for the first append, so a second one planned alike conflicts.
      await appendFakeSnapshot(c, after);
      await rejectsWithCode(appendFakeSnapshot(c, after), 'COMMIT_CONFLICT');
      assert.equal((await c.loadTable(id)).metadata.snapshots.length, 1);

      await rejectsWithCode(
        c.commitTable({ identifier: { namespace: ['db'], name: 'nope' }, requirements: [], updates: [] }),
        'TABLE_NOT_FOUND',
      );
    });

    withCatalog('commits: racing writers on one base → exactly one wins, no orphaned metadata file', async (c) => {
      await c.createNamespace(['db']);
      const id: TableIdentifier = { namespace: ['db'], name: 't' };
      const base = await c.createTable(id, CREATE);
      const before = await metadataFiles(base);
      const racers = 6;
      const results = await Promise.allSettled(
        Array.from({ length: racers }, (_, i) => c.commitTable({ identifier: id, ...addColumnChange(base, `c${i}`) })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `expected one winner, got ${won.length}`);
      for (const r of lost) {
        assert.ok(isFloeError(r.reason, 'COMMIT_CONFLICT'), `expected COMMIT_CONFLICT, got ${String(r.reason)}`);
        assert.equal(r.reason.retryable, true);
      }
      const after = await c.loadTable(id);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const schema = after.metadata.schemas.find((s) => s['schema-id'] === after.metadata['current-schema-id'])!;
      assert.deepEqual(schema.fields.map((f) => f.name), ['id', 'data', `c${winner}`]);
      const files = await metadataFiles(after);
      assert.equal(files.length, before.length + 1, `metadata files: ${files.join(', ')}`);
    });

    withCatalog('register table', async (c) => {
      await c.createNamespace(['db']);
      const id: TableIdentifier = { namespace: ['db'], name: 't' };
      const t = await c.createTable(id, CREATE);
      const reg: TableIdentifier = { namespace: ['db'], name: 'registered' };
      if (!caps.registerTable) {
        await rejectsWithCode(c.registerTable(reg, t.metadataLocation), 'UNSUPPORTED');
        return;
      }
      const registered = await c.registerTable(reg, t.metadataLocation);
      assert.equal(registered.metadataLocation, t.metadataLocation);
      assert.equal(registered.metadata['table-uuid'], t.metadata['table-uuid']);
      const loaded = await c.loadTable(reg);
      assert.equal(loaded.metadataLocation, t.metadataLocation);
      assert.deepEqual(
        (await c.listTables(['db'])).map((x) => x.name).sort(),
        ['registered', 't'],
      );
      await rejectsWithCode(c.registerTable(reg, t.metadataLocation), 'TABLE_ALREADY_EXISTS');
      await rejectsWithCode(c.registerTable({ namespace: ['nope'], name: 'x' }, t.metadataLocation), 'NAMESPACE_NOT_FOUND');
      const missing = joinPath(t.metadata.location, 'metadata', 'missing.metadata.json');
      await rejectsWithCode(c.registerTable({ namespace: ['db'], name: 'y' }, missing), 'NOT_FOUND');
      assert.equal(await c.tableExists({ namespace: ['db'], name: 'y' }), false);
    });
  });
}
