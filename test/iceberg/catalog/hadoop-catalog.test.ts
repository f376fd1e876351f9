import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFloeError } from '../../../src/errors.js';
import type { CreateTableRequest, TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import { HadoopCatalog } from '../../../src/iceberg/catalog/hadoop-catalog.js';

const CREATE: CreateTableRequest = {
  schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
};
const T: TableIdentifier = { namespace: ['db', 'inner'], name: 't' };

async function withWarehouse(fn: (catalog: HadoopCatalog, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-hadoop-'));
  try {
    await fn(new HadoopCatalog('h', { warehouse: dir }), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const setProperty = (catalog: HadoopCatalog, key: string) =>
  catalog.commitTable({ identifier: T, requirements: [], updates: [{ action: 'set-properties', updates: { [key]: 'x' } }] });

test('hadoop catalog: vN.metadata.json files and version-hint.text under <warehouse>/<ns...>/<table>', async () => {
  await withWarehouse(async (catalog, dir) => {
    await catalog.createNamespace(['db', 'inner']);
    const created = await catalog.createTable(T, CREATE);
    const metaDir = join(dir, 'db', 'inner', 't', 'metadata');
    assert.equal(created.metadata.location, join(dir, 'db', 'inner', 't'));
    assert.equal(created.metadataLocation, join(metaDir, 'v1.metadata.json'));
    assert.equal(await readFile(join(metaDir, 'version-hint.text'), 'utf8'), '1');
    const committed = await setProperty(catalog, 'a');
    assert.equal(committed.metadataLocation, join(metaDir, 'v2.metadata.json'));
    assert.equal(await readFile(join(metaDir, 'version-hint.text'), 'utf8'), '2');
    assert.deepEqual((await readdir(metaDir)).sort(), ['v1.metadata.json', 'v2.metadata.json', 'version-hint.text']);
    // The table directory is not a namespace; its parent is.
    assert.deepEqual(await catalog.listNamespaces(['db']), [['db', 'inner']]);
    assert.deepEqual(await catalog.listNamespaces(['db', 'inner']), []);
    assert.deepEqual(await catalog.loadNamespaceProperties(['db']), { location: join(dir, 'db') });
  });
});

test('hadoop catalog: a stale or missing version hint still finds the newest version', async () => {
  await withWarehouse(async (catalog, dir) => {
    await catalog.createNamespace(['db', 'inner']);
    await catalog.createTable(T, CREATE);
    await setProperty(catalog, 'a');
    await setProperty(catalog, 'b');
    const metaDir = join(dir, 'db', 'inner', 't', 'metadata');
    await writeFile(join(metaDir, 'version-hint.text'), '1');
    let loaded = await catalog.loadTable(T);
    assert.equal(loaded.metadataLocation, join(metaDir, 'v3.metadata.json'));
    // A commit from the stale hint must not overwrite v2 or v3.
    const next = await setProperty(catalog, 'c');
    assert.equal(next.metadataLocation, join(metaDir, 'v4.metadata.json'));
    assert.equal(next.metadata.properties.b, 'x');
    await rm(join(metaDir, 'version-hint.text'));
    loaded = await catalog.loadTable(T);
    assert.equal(loaded.metadataLocation, join(metaDir, 'v4.metadata.json'));
    assert.equal(await catalog.tableExists(T), true);
  });
});

test('hadoop catalog: object-store warehouses and custom locations are UNSUPPORTED', async () => {
  for (const warehouse of ['s3://bucket/wh', 's3a://bucket/wh', 'gs://bucket/wh', 'memory://wh']) {
    assert.throws(
      () => new HadoopCatalog('h', { warehouse }),
      (err: unknown) => isFloeError(err, 'UNSUPPORTED'),
    );
  }
  await withWarehouse(async (catalog, dir) => {
    await catalog.createNamespace(['db', 'inner']);
    await assert.rejects(
      catalog.createTable(T, { ...CREATE, location: join(dir, 'elsewhere') }),
      (err: unknown) => isFloeError(err, 'UNSUPPORTED'),
    );
    // `file:` warehouses work and keep their spelling in metadata.
    const viaUri = new HadoopCatalog('h2', { warehouse: `file://${dir}` });
    const t = await viaUri.createTable(T, CREATE);
    assert.equal(t.metadata.location, `file://${dir}/db/inner/t`);
    assert.equal((await catalog.loadTable(T)).metadata['table-uuid'], t.metadata['table-uuid']);
  });
});
