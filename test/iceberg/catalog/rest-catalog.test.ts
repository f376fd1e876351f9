import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { FloeError } from '../../../src/errors.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { RestCatalog, type RestCatalogOptions } from '../../../src/iceberg/catalog/rest-catalog.js';
import { commitTableRequestToJson, createTableRequestToJson } from '../../../src/iceberg/catalog/rest-json.js';
import { commitTableRequestFromJson, createTableRequestFromJson } from '../../../src/iceberg/catalog/rest-request-json.js';
import type { CreateTableRequest, TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import type { TableMetadata } from '../../../src/iceberg/spec/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../../../src/iceberg/spec/table-update.js';
import { parseJson, stringifyJson } from '../../../src/util/json.js';
import {
  startRestCatalogServer,
  type RestCatalogServerOptions,
  type RestCatalogTestServer,
} from '../../helpers/rest-catalog-server.js';
import { catalogBehaviourSuite } from './catalog-behaviour.js';

const SCHEMA: CreateTableRequest['schema'] = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'ts', required: false, type: 'timestamptz' },
  ],
};
const CREATE: CreateTableRequest = {
  schema: SCHEMA,
  partitionSpec: { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] },
  properties: { owner: 'floe' },
};
const T: TableIdentifier = { namespace: ['db'], name: 't' };
/** Above 2^53: a double would round it. */
const BIG_ID = 9_007_199_254_740_993n + 1_000_000_000n * 7n;

const FAST_RETRY = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 };

async function withCatalog(
  serverOptions: RestCatalogServerOptions,
  clientOptions: Partial<RestCatalogOptions>,
  fn: (catalog: RestCatalog, server: RestCatalogTestServer) => Promise<void>,
): Promise<void> {
  const server = await startRestCatalogServer(serverOptions);
  const catalog = new RestCatalog({ name: 'rest', uri: server.uri, retry: FAST_RETRY, ...clientOptions });
  try {
    await fn(catalog, server);
  } finally {
    await catalog.close();
    await server.stop();
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<FloeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FloeError, `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

function appendSnapshot(md: TableMetadata, id: bigint): { updates: TableUpdate[]; requirements: TableRequirement[] } {
  return {
    requirements: [
      { type: 'assert-table-uuid', uuid: md['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': md['current-snapshot-id'] ?? null },
    ],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': id,
          'sequence-number': md['last-sequence-number'] + 1n,
          'timestamp-ms': BigInt(Date.now()),
          'manifest-list': `${md.location}/metadata/snap-${id}.avro`,
          summary: { operation: 'append' },
          'schema-id': md['current-schema-id'],
          ...(md['current-snapshot-id'] === undefined ? {} : { 'parent-snapshot-id': md['current-snapshot-id'] }),
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  };
}

test('config: defaults, client configuration and overrides merge in that order; prefix is used', async () => {
  await withCatalog(
    { prefix: 'cat1', defaults: { a: 'default', b: 'default' }, overrides: { c: 'override' } },
    { warehouse: 'wh1', prefix: 'client-prefix', properties: { b: 'client', c: 'client' } },
    async (catalog, server) => {
      await catalog.initialize();
      assert.equal(catalog.properties.a, 'default');
      assert.equal(catalog.properties.b, 'client');
      assert.equal(catalog.properties.c, 'override');
      assert.equal(catalog.properties.prefix, 'cat1');
      assert.equal(server.requests[0].path, '/v1/config');
      assert.equal(server.requests[0].query.warehouse, 'wh1');
      await catalog.listNamespaces();
      assert.equal(server.requests.at(-1)!.path, '/v1/cat1/namespaces');
    },
  );
});

test('config: no prefix gives /v1/namespaces', async () => {
  await withCatalog({ prefix: '' }, {}, async (catalog, server) => {
    await catalog.createNamespace(['x']);
    assert.equal(server.requests.at(-1)!.path, '/v1/namespaces');
  });
});

test('namespaces: nested levels travel joined by %1F; listing pages through next-page-token', async () => {
  await withCatalog({ pageSize: 2 }, {}, async (catalog, server) => {
    for (const ns of [['a'], ['a', 'b'], ['a', 'c'], ['a', 'b', 'z'], ['d'], ['e'], ['f g']]) {
      await catalog.createNamespace(ns, { k: ns.join('.') });
    }
    const top = await catalog.listNamespaces();
    assert.deepEqual(top, [['a'], ['d'], ['e'], ['f g']]);
    const lists = server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/namespaces'));
    assert.deepEqual(lists.map((r) => r.query.pageToken === ''), [true, false]);
    assert.deepEqual(await catalog.listNamespaces(['a']), [['a', 'b'], ['a', 'c']]);
    assert.equal(server.requests.at(-1)!.query.parent, 'a');
    assert.deepEqual(await catalog.listNamespaces(['a', 'b']), [['a', 'b', 'z']]);
    assert.equal(server.requests.at(-1)!.query.parent, 'a\x1fb');

    assert.deepEqual(await catalog.loadNamespaceProperties(['a', 'b']), { k: 'a.b' });
    assert.equal(server.requests.at(-1)!.path, '/v1/floe/namespaces/a%1Fb');
    assert.deepEqual(await catalog.loadNamespaceProperties(['f g']), { k: 'f g' });

    assert.equal(await catalog.namespaceExists(['a', 'b']), true);
    assert.equal(server.requests.at(-1)!.method, 'HEAD');
    assert.equal(await catalog.namespaceExists(['a', 'zz']), false);

    await catalog.updateNamespaceProperties(['a'], ['k'], { owner: 'me' });
    assert.deepEqual(await catalog.loadNamespaceProperties(['a']), { owner: 'me' });
    await rejectsWith(catalog.updateNamespaceProperties(['a'], ['x'], { x: '1' }), 'INVALID_ARGUMENT');

    await rejectsWith(catalog.createNamespace(['a']), 'NAMESPACE_ALREADY_EXISTS');
    await rejectsWith(catalog.dropNamespace(['a']), 'NAMESPACE_NOT_EMPTY');
    await rejectsWith(catalog.dropNamespace(['nope']), 'NAMESPACE_NOT_FOUND');
    await rejectsWith(catalog.loadNamespaceProperties(['nope']), 'NAMESPACE_NOT_FOUND');
    await rejectsWith(catalog.listNamespaces(['nope']), 'NAMESPACE_NOT_FOUND');
    await rejectsWith(catalog.createNamespace([]), 'INVALID_ARGUMENT');
    await rejectsWith(catalog.createNamespace(['a\x1fb']), 'INVALID_ARGUMENT');

    await catalog.dropNamespace(['a', 'b', 'z']);
    await catalog.dropNamespace(['a', 'b']);
    await catalog.dropNamespace(['a', 'c']);
    await catalog.dropNamespace(['a']);
    assert.equal(await catalog.namespaceExists(['a']), false);
  });
});

test('namespaces: an advertised namespace-separator is used; exists falls back to GET without endpoints', async () => {
  await withCatalog(
    { overrides: { 'namespace-separator': '%2E' }, advertiseEndpoints: false },
    {},
    async (catalog, server) => {
      await catalog.createNamespace(['p', 'q']);
      assert.deepEqual(await catalog.loadNamespaceProperties(['p', 'q']), {});
      assert.equal(server.requests.at(-1)!.path, '/v1/floe/namespaces/p%2Eq');
      assert.equal(await catalog.namespaceExists(['p', 'q']), true);
      assert.equal(server.requests.at(-1)!.method, 'GET');
      assert.equal(await catalog.namespaceExists(['p', 'x']), false);
      await catalog.createTable({ namespace: ['p', 'q'], name: 't' }, CREATE);
      assert.equal(await catalog.tableExists({ namespace: ['p', 'q'], name: 't' }), true);
      assert.equal(server.requests.at(-1)!.method, 'GET');
      assert.equal(await catalog.tableExists({ namespace: ['p', 'q'], name: 'u' }), false);
      await rejectsWith(catalog.createNamespace(['a.b']), 'INVALID_ARGUMENT');
    },
  );
});

test('tables: create, load, exists, list (paged), rename, drop, register, purge', async () => {
  await withCatalog({ pageSize: 1 }, {}, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    await catalog.createNamespace(['other']);
    const created = await catalog.createTable(T, { ...CREATE, formatVersion: 3 });
    assert.equal(created.metadata['format-version'], 3);
    assert.equal(created.metadata.properties.owner, 'floe');
    assert.equal(created.metadata.properties['format-version'], undefined);
    assert.equal(created.metadata['partition-specs'][0].fields[0].transform, 'day');
    assert.ok(created.metadataLocation.startsWith(server.warehouse));
    assert.equal(await created.io.exists(created.metadataLocation), true);
    await rejectsWith(catalog.createTable(T, CREATE), 'TABLE_ALREADY_EXISTS');
    await rejectsWith(catalog.createTable({ namespace: ['nope'], name: 't' }, CREATE), 'NAMESPACE_NOT_FOUND');
    await rejectsWith(catalog.createTable({ namespace: ['db'], name: '' }, CREATE), 'INVALID_ARGUMENT');

    const loaded = await catalog.loadTable(T);
    assert.equal(loaded.metadataLocation, created.metadataLocation);
    assert.equal(loaded.metadata['table-uuid'], created.metadata['table-uuid']);
    assert.equal(await catalog.tableExists(T), true);
    assert.equal(server.requests.at(-1)!.method, 'HEAD');
    assert.equal(await catalog.tableExists({ namespace: ['db'], name: 'nope' }), false);
    await rejectsWith(catalog.loadTable({ namespace: ['db'], name: 'nope' }), 'TABLE_NOT_FOUND');

    await catalog.createTable({ namespace: ['db'], name: 'u' }, CREATE);
    assert.deepEqual(
      (await catalog.listTables(['db'])).map((t) => t.name),
      ['t', 'u'],
    );
    await rejectsWith(catalog.listTables(['nope']), 'NAMESPACE_NOT_FOUND');

    const moved: TableIdentifier = { namespace: ['other'], name: 't2' };
    await rejectsWith(catalog.renameTable(T, { namespace: ['db'], name: 'u' }), 'TABLE_ALREADY_EXISTS');
    await rejectsWith(catalog.renameTable({ namespace: ['db'], name: 'nope' }, moved), 'TABLE_NOT_FOUND');
    await rejectsWith(catalog.renameTable(T, { namespace: ['nope'], name: 'x' }), 'NAMESPACE_NOT_FOUND');
    await catalog.renameTable(T, moved);
    assert.equal(server.requests.at(-1)!.path, '/v1/floe/tables/rename');
    assert.equal(await catalog.tableExists(T), false);
    assert.equal((await catalog.loadTable(moved)).metadataLocation, created.metadataLocation);

    await catalog.dropTable(moved);
    assert.equal(await catalog.tableExists(moved), false);
    assert.ok(existsSync(created.metadataLocation), 'drop without purge keeps files');
    await rejectsWith(catalog.dropTable(moved), 'TABLE_NOT_FOUND');

    const registered = await catalog.registerTable(T, created.metadataLocation);
    assert.equal(registered.metadata['table-uuid'], created.metadata['table-uuid']);
    await rejectsWith(catalog.registerTable(T, created.metadataLocation), 'TABLE_ALREADY_EXISTS');
    await rejectsWith(catalog.registerTable({ namespace: ['db'], name: 'r' }, `${server.warehouse}/none.metadata.json`), 'NOT_FOUND');
    await rejectsWith(catalog.registerTable({ namespace: ['nope'], name: 'r' }, created.metadataLocation), 'NAMESPACE_NOT_FOUND');

    await catalog.dropTable(T, true);
    assert.equal(server.requests.at(-1)!.query.purgeRequested, 'true');
    assert.equal(existsSync(created.metadataLocation), false, 'purge deletes the metadata file');
  });
});

test('commit: requirements checked, bigint snapshot ids round-trip exactly', async () => {
  await withCatalog({}, {}, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    const table = await catalog.createTable(T, CREATE);
    const first = await catalog.commitTable({ identifier: T, ...appendSnapshot(table.metadata, BIG_ID) });
    assert.equal(first.metadata['current-snapshot-id'], BIG_ID);
    assert.equal(first.metadata.refs.main['snapshot-id'], BIG_ID);
    assert.notEqual(first.metadataLocation, table.metadataLocation);
    const onDisk = await readFile(first.metadataLocation, 'utf8');
    assert.ok(onDisk.includes(`"current-snapshot-id":${BIG_ID}`) || onDisk.includes(`"current-snapshot-id": ${BIG_ID}`));
    const reloaded = await catalog.loadTable(T);
    assert.equal(reloaded.metadata['current-snapshot-id'], BIG_ID);
    assert.equal(reloaded.metadataLocation, first.metadataLocation);

    // The request body carried the id as a JSON integer, not a string or a rounded double.
    const stale = appendSnapshot(table.metadata, BIG_ID + 1n);
    const err = await rejectsWith(catalog.commitTable({ identifier: T, ...stale }), 'COMMIT_CONFLICT');
    assert.equal(err.retryable, true);
    await rejectsWith(
      catalog.commitTable({ identifier: T, requirements: [{ type: 'assert-table-uuid', uuid: 'other' }], updates: [] }),
      'COMMIT_CONFLICT',
    );
    const second = await catalog.commitTable({
      identifier: T,
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': reloaded.metadata['current-schema-id'] }],
      updates: [{ action: 'set-properties', updates: { k: 'v' } }],
    });
    assert.equal(second.metadata.properties.k, 'v');
    assert.equal(second.metadata['current-snapshot-id'], BIG_ID);
    await rejectsWith(
      catalog.commitTable({ identifier: { namespace: ['db'], name: 'nope' }, requirements: [], updates: [] }),
      'TABLE_NOT_FOUND',
    );
    assert.equal(server.tables.size, 1);
  });
});

test('commit: 409 is COMMIT_CONFLICT and is not retried by the client', async () => {
  await withCatalog({}, {}, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    const table = await catalog.createTable(T, CREATE);
    server.failNext({ status: 409, route: 'commit' });
    const before = server.requests.length;
    const err = await rejectsWith(catalog.commitTable({ identifier: T, ...appendSnapshot(table.metadata, 1n) }), 'COMMIT_CONFLICT');
    assert.equal(err.retryable, true);
    assert.equal(server.requests.length - before, 1);
    assert.equal((await catalog.loadTable(T)).metadataLocation, table.metadataLocation);
  });
});

test('commit: 5xx is COMMIT_STATE_UNKNOWN and never retried, even when the commit landed', async () => {
  await withCatalog({}, {}, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    let md = (await catalog.createTable(T, CREATE)).metadata;
    let id = 10n;
    for (const status of [500, 502, 503, 504]) {
      server.failNext({ status, route: 'commit', afterCommit: true, retryAfter: '0' });
      const before = server.requests.length;
      const err = await rejectsWith(catalog.commitTable({ identifier: T, ...appendSnapshot(md, id) }), 'COMMIT_STATE_UNKNOWN');
      assert.equal(err.retryable, false);
      assert.equal(server.requests.length - before, 1, `HTTP ${status} on commit must not be retried`);
      md = (await catalog.loadTable(T)).metadata;
      assert.equal(md['current-snapshot-id'], id, 'the commit had landed');
      id++;
    }
    server.failNext({ status: 500, route: 'commit', afterCommit: true, dropConnection: true });
    await rejectsWith(catalog.commitTable({ identifier: T, ...appendSnapshot(md, id) }), 'COMMIT_STATE_UNKNOWN');
  });
});

test('reads retry transient 5xx with backoff, then give up with retryable CATALOG_UNAVAILABLE', async () => {
  await withCatalog({}, {}, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    await catalog.createTable(T, CREATE);
    server.failNext({ status: 503, count: 2 });
    assert.equal((await catalog.loadTable(T)).identifier.name, 't');
    server.failNext({ status: 500, count: 10 });
    const before = server.requests.length;
    const err = await rejectsWith(catalog.loadTable(T), 'CATALOG_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.equal(server.requests.length - before, FAST_RETRY.maxRetries + 1);
    server.failNext({ status: 500, count: 10 });
    // A create is not idempotent: one attempt only.
    const beforeCreate = server.requests.length;
    await rejectsWith(catalog.createNamespace(['x']), 'CATALOG_UNAVAILABLE');
    assert.equal(server.requests.length - beforeCreate, 1);
  });
});

test('bearer token is sent; missing or wrong token is AUTH_FAILED', async () => {
  await withCatalog({ requireAuth: true, staticTokens: ['s3cret'] }, { token: 's3cret' }, async (catalog, server) => {
    await catalog.createNamespace(['db']);
    assert.ok(server.requests.every((r) => r.authorization === 'Bearer s3cret'));
    const anonymous = new RestCatalog({ name: 'anon', uri: server.uri, retry: FAST_RETRY });
    await rejectsWith(anonymous.listNamespaces(), 'AUTH_FAILED');
    const wrong = new RestCatalog({ name: 'wrong', uri: server.uri, token: 'nope', retry: FAST_RETRY });
    await rejectsWith(wrong.listNamespaces(), 'AUTH_FAILED');
    server.failNext({ status: 403 });
    await rejectsWith(catalog.listNamespaces(), 'AUTH_FAILED');
  });
});

test('OAuth2 client credentials: token fetched, sent, refreshed after a 401 and before expiry', async () => {
  await withCatalog(
    { requireAuth: true, clientId: 'floe', clientSecret: 'pw', tokenLifetimeSeconds: 1 },
    { credential: 'floe:pw' },
    async (catalog, server) => {
      await catalog.createNamespace(['db']);
      assert.equal(server.requests[0].path, '/v1/oauth/tokens');
      assert.equal(server.requests[1].path, '/v1/config');
      assert.equal(server.tokensIssued, 1);
      const token = server.requests[1].authorization;
      assert.match(token ?? '', /^Bearer tok-/);
      assert.ok(server.requests.slice(1).every((r) => r.authorization === token));

      // Revoked on the server: the 401 makes the client fetch a new token and retry once.
      server.expireTokens();
      assert.deepEqual(await catalog.listNamespaces(), [['db']]);
      assert.equal(server.tokensIssued, 2);
      assert.deepEqual(
        server.requests.slice(-3).map((r) => [r.path, r.status]),
        [['/v1/floe/namespaces', 401], ['/v1/oauth/tokens', 200], ['/v1/floe/namespaces', 200]],
      );

      // Expiring by its lifetime: the client refreshes before sending, so the server never answers 401.
      await new Promise((r) => setTimeout(r, 1000));
      const before = server.requests.length;
      assert.equal(await catalog.namespaceExists(['db']), true);
      assert.equal(server.tokensIssued, 3);
      assert.deepEqual(server.requests.slice(before).map((r) => r.status), [200, 204]);
    },
  );
});

test('OAuth2: a rejected credential is AUTH_FAILED; a token that keeps failing is AUTH_FAILED after one refresh', async () => {
  await withCatalog({ requireAuth: true, clientId: 'floe', clientSecret: 'pw' }, { credential: 'floe:wrong' }, async (catalog) => {
    await rejectsWith(catalog.listNamespaces(), 'AUTH_FAILED');
  });
  await withCatalog({ requireAuth: true, clientId: 'floe', clientSecret: 'pw' }, { credential: 'floe:pw' }, async (catalog, server) => {
    await catalog.initialize();
    server.failNext({ status: 401, count: 5 });
    await rejectsWith(catalog.listNamespaces(), 'AUTH_FAILED');
    assert.equal(server.tokensIssued, 2);
  });
});

test('an unreachable server is CATALOG_UNAVAILABLE', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const catalog = new RestCatalog({ name: 'down', uri: `http://127.0.0.1:${port}`, retry: FAST_RETRY });
  const err = await rejectsWith(catalog.listNamespaces(), 'CATALOG_UNAVAILABLE');
  assert.equal(err.retryable, true);
  await rejectsWith(catalog.commitTable({ identifier: T, requirements: [], updates: [] }), 'CATALOG_UNAVAILABLE');
  assert.throws(() => new RestCatalog({ name: 'bad', uri: 'localhost:1' }), (e: unknown) => e instanceof FloeError && e.code === 'CONFIG_INVALID');
});

test('table config S3 settings reach the FileIO factory', async () => {
  const seen: Array<Record<string, string>> = [];
  await withCatalog(
    { tableConfig: { 's3.endpoint': 'http://minio:9000', 's3.path-style-access': 'true' } },
    {
      io: (_location, config) => {
        seen.push(config);
        return new LocalFileIO();
      },
    },
    async (catalog) => {
      await catalog.createNamespace(['db']);
      await catalog.createTable(T, CREATE);
      assert.equal(seen[0]['s3.endpoint'], 'http://minio:9000');
      assert.equal(seen[0]['s3.path-style-access'], 'true');
    },
  );
});

test('REST JSON: commit and create requests round-trip with the spec keys and exact bigints', () => {
  const updates: TableUpdate[] = [
    { action: 'assign-uuid', uuid: 'u' },
    { action: 'upgrade-format-version', 'format-version': 3 },
    { action: 'add-schema', schema: SCHEMA, 'last-column-id': 2 },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: CREATE.partitionSpec! },
    { action: 'set-default-spec', 'spec-id': -1 },
    {
      action: 'add-sort-order',
      'sort-order': { 'order-id': 1, fields: [{ transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }] },
    },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    {
      action: 'add-snapshot',
      snapshot: { 'snapshot-id': BIG_ID, 'sequence-number': 1n, 'timestamp-ms': 5n, 'manifest-list': 'm', summary: { operation: 'append' } },
    },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': BIG_ID, 'max-ref-age-ms': 10n },
    { action: 'remove-snapshots', 'snapshot-ids': [BIG_ID, 1n] },
    { action: 'remove-snapshot-ref', 'ref-name': 'tag' },
    { action: 'set-location', location: '/x' },
    { action: 'set-properties', updates: { a: 'b' } },
    { action: 'remove-properties', removals: ['c'] },
    {
      action: 'set-statistics',
      statistics: {
        'snapshot-id': BIG_ID,
        'statistics-path': 's',
        'file-size-in-bytes': 10n,
        'file-footer-size-in-bytes': 2n,
        'blob-metadata': [{ type: 'apache-datasketches-theta-v1', 'snapshot-id': BIG_ID, 'sequence-number': 1n, fields: [1] }],
      },
    },
    { action: 'remove-statistics', 'snapshot-id': BIG_ID },
    { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': BIG_ID, 'statistics-path': 'p', 'file-size-in-bytes': 3n } },
    { action: 'remove-partition-statistics', 'snapshot-id': BIG_ID },
    { action: 'remove-partition-specs', 'spec-ids': [1] },
    { action: 'remove-schemas', 'schema-ids': [1] },
    { action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k', 'encrypted-key-metadata': 'AA==' } },
    { action: 'remove-encryption-key', 'key-id': 'k' },
  ];
  const requirements: TableRequirement[] = [
    { type: 'assert-create' },
    { type: 'assert-table-uuid', uuid: 'u' },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': BIG_ID },
    { type: 'assert-ref-snapshot-id', ref: 'b', 'snapshot-id': null },
    { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 },
    { type: 'assert-current-schema-id', 'current-schema-id': 0 },
    { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 },
    { type: 'assert-default-spec-id', 'default-spec-id': 0 },
    { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 },
  ];
  const text = stringifyJson(commitTableRequestToJson({ identifier: T, requirements, updates }));
  assert.ok(text.includes(`"snapshot-id":${BIG_ID}`));
  assert.ok(text.includes('"snapshot-id":null'));
  const back = commitTableRequestFromJson(parseJson(text));
  assert.deepEqual(back, { identifier: T, requirements, updates });

  const create = createTableRequestFromJson(parseJson(stringifyJson(createTableRequestToJson('t', { ...CREATE, formatVersion: 1 }))));
  assert.equal(create.name, 't');
  assert.equal(create.request.formatVersion, 1);
  assert.deepEqual(create.request.properties, { owner: 'floe' });
  assert.deepEqual(create.request.partitionSpec, CREATE.partitionSpec);

  assert.throws(
    () => commitTableRequestFromJson({ requirements: [], updates: [{ action: 'explode' }] }),
    (e: unknown) => e instanceof FloeError && e.code === 'INVALID_ARGUMENT',
  );
  assert.throws(
    () => commitTableRequestFromJson({ requirements: [{ type: 'assert-nothing' }], updates: [] }),
    (e: unknown) => e instanceof FloeError && e.code === 'INVALID_ARGUMENT',
  );
});

catalogBehaviourSuite('rest', async () => {
  const server = await startRestCatalogServer();
  const catalog = await RestCatalog.create({ name: 'rest', uri: server.uri, retry: FAST_RETRY });
  return {
    catalog,
    cleanup: async () => {
      await catalog.close();
      await server.stop();
    },
  };
});
