import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFloeError } from '../../../src/errors.js';
import { createCatalog } from '../../../src/iceberg/catalog/create-catalog.js';
import { HadoopCatalog } from '../../../src/iceberg/catalog/hadoop-catalog.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import { SqlCatalog } from '../../../src/iceberg/catalog/sql-catalog.js';

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isFloeError(err) && err.code === code);
}

test('createCatalog: sql, memory and hadoop by type', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-create-catalog-'));
  try {
    const sql = await createCatalog('local', { type: 'sql', uri: `sqlite:${join(dir, 'c.db')}`, warehouse: join(dir, 'wh') });
    assert.ok(sql instanceof SqlCatalog);
    assert.equal(sql.name, 'local');
    await sql.createNamespace(['db']);
    assert.deepEqual(await sql.listNamespaces(), [['db']]);
    await sql.close();

    const mem = await createCatalog('m', { type: 'memory' });
    assert.ok(mem instanceof MemoryCatalog);
    const memLocal = await createCatalog('m2', { type: 'memory', warehouse: join(dir, 'memwh') });
    await memLocal.createNamespace(['db']);
    const t = await memLocal.createTable(
      { namespace: ['db'], name: 't' },
      { schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } },
    );
    assert.ok(t.metadataLocation.startsWith(join(dir, 'memwh')));

    const hadoop = await createCatalog('h', { type: 'HADOOP', warehouse: join(dir, 'hwh') });
    assert.ok(hadoop instanceof HadoopCatalog);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('createCatalog: rest is wired to RestCatalog', async () => {
  // An unreachable server: RestCatalog.create asks it for its configuration (GET /v1/config) and cannot.
  await rejectsWithCode(createCatalog('r', { type: 'rest', uri: 'http://127.0.0.1:1' }), 'CATALOG_UNAVAILABLE');
  // A non-http uri is refused by RestCatalog itself, which shows the config reached it.
  await rejectsWithCode(createCatalog('r', { type: 'rest', uri: 'ftp://x' }), 'CONFIG_INVALID');
});

test('createCatalog: bad or unsupported configurations', async () => {
  await rejectsWithCode(createCatalog('x', { type: 'sql' }), 'CONFIG_INVALID');
  await rejectsWithCode(createCatalog('x', { type: 'rest' }), 'CONFIG_INVALID');
  await rejectsWithCode(createCatalog('x', { type: 'hadoop' }), 'CONFIG_INVALID');
  await rejectsWithCode(createCatalog('x', { type: 'hadoop', warehouse: 's3://bucket/wh' }), 'UNSUPPORTED');
  await rejectsWithCode(createCatalog('x', { type: 'glue' }), 'UNSUPPORTED');
  await rejectsWithCode(createCatalog('x', { type: 'hive', uri: 'thrift://h:9083' }), 'UNSUPPORTED');
  await rejectsWithCode(createCatalog('x', { type: 'nessie' }), 'CONFIG_INVALID');
});
