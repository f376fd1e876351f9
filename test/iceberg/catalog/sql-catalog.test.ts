import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isFloeError } from '../../../src/errors.js';
import type { CreateTableRequest, TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import { SqlCatalog } from '../../../src/iceberg/catalog/sql-catalog.js';
import { postgresConnectionString, sqlitePath } from '../../../src/iceberg/catalog/sql-catalog-dialect.js';
import { joinPath } from '../../../src/iceberg/io/file-io.js';
import { updatesForNewTable } from '../../../src/iceberg/spec/apply-updates.js';

const CREATE: CreateTableRequest = {
  schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
};
const T: TableIdentifier = { namespace: ['db'], name: 't' };

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isFloeError(err) && err.code === code);
}

async function withSqlite(fn: (catalog: SqlCatalog, file: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-sql-catalog-'));
  const file = join(dir, 'catalog.db');
  const catalog = await SqlCatalog.open('main_catalog', { uri: `sqlite:${file}`, warehouse: join(dir, 'wh') });
  try {
    await fn(catalog, file, dir);
  } finally {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function withRawDb<T>(file: string, fn: (db: import('better-sqlite3').Database) => T): Promise<T> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file, { timeout: 10_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

test('sql catalog: creates the tables with the JdbcCatalog/pyiceberg layout', async () => {
  await withSqlite(async (catalog, file) => {
    const columns = await withRawDb(file, (db) => ({
      tables: db.prepare('PRAGMA table_info(iceberg_tables)').all(),
      props: db.prepare('PRAGMA table_info(iceberg_namespace_properties)').all(),
      journal: db.pragma('journal_mode', { simple: true }),
    }));
    const shape = (rows: unknown[]) =>
      (rows as Array<{ name: string; type: string; pk: number }>).map((r) => [r.name, r.type, r.pk]);
    assert.deepEqual(shape(columns.tables), [
      ['catalog_name', 'VARCHAR(255)', 1],
      ['table_namespace', 'VARCHAR(255)', 2],
      ['table_name', 'VARCHAR(255)', 3],
      ['metadata_location', 'VARCHAR(1000)', 0],
      ['previous_metadata_location', 'VARCHAR(1000)', 0],
      ['iceberg_type', 'VARCHAR(5)', 0],
    ]);
    assert.deepEqual(shape(columns.props), [
      ['catalog_name', 'VARCHAR(255)', 1],
      ['namespace', 'VARCHAR(255)', 2],
      ['property_key', 'VARCHAR(255)', 3],
      ['property_value', 'VARCHAR(1000)', 0],
    ]);
    assert.equal(columns.journal, 'wal');

    await catalog.createNamespace(['db', 'inner']);
    // Dotted storage; a namespace created without properties records `exists` (pyiceberg, Java).
    assert.deepEqual(await catalog.loadNamespaceProperties(['db', 'inner']), { exists: 'true' });
    assert.equal(await catalog.namespaceExists(['db']), true);
    const created = await catalog.createTable({ namespace: ['db', 'inner'], name: 't' }, CREATE);
    assert.ok(created.metadata.location.endsWith('/wh/db.inner.db/t'));
    const committed = await catalog.commitTable({
      identifier: { namespace: ['db', 'inner'], name: 't' },
      requirements: [],
      updates: [{ action: 'set-properties', updates: { a: 'b' } }],
    });
    const rows = await withRawDb(file, (db) => db.prepare('SELECT * FROM iceberg_tables').all());
    assert.deepEqual(rows, [
      {
        catalog_name: 'main_catalog',
        table_namespace: 'db.inner',
        table_name: 't',
        metadata_location: committed.metadataLocation,
        previous_metadata_location: created.metadataLocation,
        iceberg_type: 'TABLE',
      },
    ]);
    await rejectsWithCode(catalog.createNamespace(['a.b']), 'INVALID_ARGUMENT');
  });
});

test('sql catalog: other catalog names and view rows are invisible', async () => {
  await withSqlite(async (catalog, file) => {
    await catalog.createNamespace(['db']);
    await catalog.createTable(T, CREATE);
    await withRawDb(file, (db) => {
      const insert = db.prepare('INSERT INTO iceberg_tables VALUES (?, ?, ?, ?, NULL, ?)');
      insert.run('main_catalog', 'db', 'v', 'x/v.metadata.json', 'VIEW');
      insert.run('other_catalog', 'elsewhere', 't', 'x/t.metadata.json', 'TABLE');
    });
    assert.deepEqual(await catalog.listTables(['db']), [T]);
    await rejectsWithCode(catalog.loadTable({ namespace: ['db'], name: 'v' }), 'TABLE_NOT_FOUND');
    assert.equal(await catalog.namespaceExists(['elsewhere']), false);
    assert.deepEqual(await catalog.listNamespaces(), [['db']]);
    // The view's name is taken all the same (one primary key for tables and views).
    await rejectsWithCode(catalog.createTable({ namespace: ['db'], name: 'v' }, CREATE), 'TABLE_ALREADY_EXISTS');
  });
});

test('sql catalog: a commit asserting creation creates the table, once', async () => {
  await withSqlite(async (catalog, _file, dir) => {
    await catalog.createNamespace(['db']);
    const location = join(dir, 'wh', 'custom');
    const res = await catalog.commitTable({
      identifier: T,
      requirements: [{ type: 'assert-create' }],
      updates: updatesForNewTable({ ...CREATE, location }),
    });
    assert.equal((await catalog.loadTable(T)).metadataLocation, res.metadataLocation);
    assert.equal(res.metadata.location, location);
    const again = catalog.commitTable({
      identifier: T,
      requirements: [{ type: 'assert-create' }],
      updates: updatesForNewTable({ ...CREATE, location }),
    });
    await rejectsWithCode(again, 'COMMIT_CONFLICT');
  });
});

test('sql catalog: several processes commit to one SQLite file without losing updates', async () => {
  await withSqlite(async (catalog, file, dir) => {
    await catalog.createNamespace(['db']);
    await catalog.createTable(T, CREATE);
    const workers = 4;
    const commits = 8;
    const srcUrl = pathToFileURL(resolve(fileURLToPath(new URL('../../../src/iceberg/catalog/sql-catalog.ts', import.meta.url)))).href;
    const script = `
      const { SqlCatalog } = await import(${JSON.stringify(srcUrl)});
      const [w, n] = process.argv.slice(1).map(Number);
      const c = await SqlCatalog.open('main_catalog', { uri: ${JSON.stringify(`sqlite:${file}`)}, warehouse: ${JSON.stringify(join(dir, 'wh'))} });
      let conflicts = 0;
      for (let k = 0; k < n; k++) {
        for (;;) {
          try {
            await c.commitTable({ identifier: { namespace: ['db'], name: 't' }, requirements: [],
              updates: [{ action: 'set-properties', updates: { ['w' + w + '_' + k]: 'x' } }] });
            break;
          } catch (e) {
            if (e.code !== 'COMMIT_CONFLICT') throw e;
            conflicts++;
          }
        }
      }
      await c.close();
      console.log(JSON.stringify({ conflicts }));
    `;
    const run = (w: number) =>
      new Promise<string>((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(w), String(commits)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`worker ${w} exited ${code}: ${err}`))));
      });
    await Promise.all(Array.from({ length: workers }, (_, w) => run(w)));
    const t = await catalog.loadTable(T);
    for (let w = 0; w < workers; w++) {
      for (let k = 0; k < commits; k++) assert.equal(t.metadata.properties[`w${w}_${k}`], 'x', `w${w}_${k} lost`);
    }
    // Every commit left exactly one metadata file: losers deleted theirs.
    const files = (await t.io.list(joinPath(t.metadata.location, 'metadata'))).filter((n) => n.endsWith('.metadata.json'));
    assert.equal(files.length, 1 + workers * commits);
  });
});

test('sql catalog: unreachable databases are CATALOG_UNAVAILABLE', async () => {
  const port = await new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => res(p));
    });
  });
  await rejectsWithCode(SqlCatalog.open('x', { uri: `postgresql://postgres@127.0.0.1:${port}/test` }), 'CATALOG_UNAVAILABLE');
  await rejectsWithCode(SqlCatalog.open('x', { uri: 'sqlite:/dev/null/not-a-dir/catalog.db' }), 'CATALOG_UNAVAILABLE');
  await rejectsWithCode(SqlCatalog.open('x', { uri: 'mysql://localhost/x' }), 'CONFIG_INVALID');
});

test('sql catalog: URI forms', () => {
  assert.equal(sqlitePath('sqlite:///abs/path/c.db'), '/abs/path/c.db');
  assert.equal(sqlitePath('sqlite:////abs/c.db'), '/abs/c.db');
  assert.equal(sqlitePath('sqlite:rel/c.db'), resolve('rel/c.db'));
  assert.equal(sqlitePath('jdbc:sqlite:/x/c.db'), '/x/c.db');
  assert.equal(sqlitePath('sqlite::memory:'), ':memory:');
  assert.equal(sqlitePath('postgresql://h/db'), undefined);
  assert.equal(postgresConnectionString('postgresql://u:p@h:5432/db'), 'postgresql://u:p@h:5432/db');
  assert.equal(postgresConnectionString('postgres://h/db'), 'postgresql://h/db');
  assert.equal(postgresConnectionString('postgresql+psycopg2://h/db'), 'postgresql://h/db');
  assert.equal(postgresConnectionString('sqlite:x'), undefined);
});
