/**
 * The catalog behaviour suite against every catalog built here: memory, SQL on SQLite and on PostgreSQL, hadoop.
 * PostgreSQL is the server at 127.0.0.1:5432 (database `test`, trust auth; `FLOE_TEST_PG_URI` overrides); each
 * catalog under test gets its own `catalog_name`, so parallel runs share the database without colliding. Last, the
 * SQL catalog reads a SQLite catalog database pyiceberg wrote (shared fixtures, on a copy).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HadoopCatalog } from '../../../src/iceberg/catalog/hadoop-catalog.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import { SqlCatalog } from '../../../src/iceberg/catalog/sql-catalog.js';
import type { TableIdentifier } from '../../../src/iceberg/catalog/catalog.js';
import type { FileIO } from '../../../src/iceberg/io/file-io.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { duckdbIcebergWorkdir, icebergFixtures } from '../../../test-fixtures/fixture-env.js';
import { PG_URI, postgresUnavailable, skipWithoutPostgres } from '../../helpers/postgres.js';
import { catalogBehaviourSuite } from './catalog-behaviour.js';

catalogBehaviourSuite('memory', async () => ({ catalog: new MemoryCatalog('mem'), cleanup: async () => {} }));

catalogBehaviourSuite('sql (SQLite)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-sqlite-catalog-'));
  const catalog = await SqlCatalog.open('sqlite_test', { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse: join(dir, 'wh') });
  return {
    catalog,
    cleanup: async () => {
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

catalogBehaviourSuite(
  'hadoop',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-hadoop-catalog-'));
    return { catalog: new HadoopCatalog('hadoop', { warehouse: dir }), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  { namespaceProperties: false, renameTable: false, registerTable: false, dropKeepsFiles: false },
);

const pgProblem = await postgresUnavailable();
if (pgProblem !== undefined) {
  test('catalog behaviour: sql (PostgreSQL)', (t) => skipWithoutPostgres(t, pgProblem));
} else {
  catalogBehaviourSuite('sql (PostgreSQL)', async () => {
    const name = `floe_test_${randomUUID().replace(/-/g, '')}`;
    const dir = await mkdtemp(join(tmpdir(), 'floe-pg-catalog-'));
    const catalog = await SqlCatalog.open(name, { uri: PG_URI, warehouse: join(dir, 'wh') });
    return {
      catalog,
      cleanup: async () => {
        await catalog.close();
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: PG_URI });
        await client.connect();
        try {
          await client.query('DELETE FROM iceberg_tables WHERE catalog_name = $1', [name]);
          await client.query('DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1', [name]);
        } finally {
          await client.end();
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

test('sql catalog (SQLite) reads a catalog database written by pyiceberg', async (t) => {
  const fixtures = icebergFixtures();
  const dbs = fixtures === undefined ? [] : pyicebergCatalogs(join(fixtures, 'duckdb-iceberg'));
  if (fixtures === undefined || dbs.length === 0) {
    const why = `Iceberg fixtures not found (${fixtures ?? 'shared/fixtures/iceberg missing; set FLOE_FIXTURES'})`;
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const source = dbs.find((d) => d.includes('/partition_time/')) ?? dbs[0];
  const dir = await mkdtemp(join(tmpdir(), 'floe-pyiceberg-db-'));
  // The fixture is read-only: work on a copy (opening it also switches the copy to WAL mode).
  const copy = join(dir, 'pyiceberg_catalog.db');
  await copyFile(source, copy);
  const workdir = duckdbIcebergWorkdir(fixtures);
  // pyiceberg recorded paths relative to DuckDB's repository root (`data/persistent/...`): resolve them there.
  const local = new LocalFileIO();
  const io: FileIO = {
    read: (p) => local.read(rebase(workdir, p)),
    readRange: (p, o, l) => local.readRange(rebase(workdir, p), o, l),
    size: (p) => local.size(rebase(workdir, p)),
    exists: (p) => local.exists(rebase(workdir, p)),
    list: (p) => local.list(rebase(workdir, p)),
    write: () => Promise.reject(new Error('read-only fixture')),
    writeIfAbsent: () => Promise.reject(new Error('read-only fixture')),
    delete: () => Promise.reject(new Error('read-only fixture')),
  };
  const catalog = await SqlCatalog.open('default', { uri: `sqlite:${copy}`, io });
  try {
    const rows = await sqliteRows(copy, 'SELECT table_namespace, table_name, metadata_location FROM iceberg_tables');
    assert.ok(rows.length > 0);
    const expected = rows.map((r) => ({ namespace: String(r.table_namespace).split('.'), name: String(r.table_name) }));
    const namespaces = await catalog.listNamespaces();
    assert.ok(namespaces.length > 0);
    const listed = (await Promise.all(namespaces.map((ns) => catalog.listTables(ns)))).flat();
    assert.deepEqual(sortIds(listed), sortIds(expected));
    const table = await catalog.loadTable(listed[0]);
    assert.equal(table.metadataLocation, rows.find((r) => r.table_name === listed[0].name)!.metadata_location);
    assert.ok(table.metadata.schemas.length > 0);
    assert.equal(await catalog.namespaceExists(['no_such_namespace']), false);
    // pyiceberg wrote the older schema without `iceberg_type`; opening must not alter it.
    const columns = await sqliteRows(copy, 'PRAGMA table_info(iceberg_tables)');
    assert.equal(columns.some((c) => c.name === 'iceberg_type'), false);
  } finally {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
    await rm(workdir, { recursive: true, force: true });
  }
});

function rebase(workdir: string, p: string): string {
  return p.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(p) ? p : join(workdir, p);
}

function sortIds(ids: TableIdentifier[]): string[] {
  return ids.map((i) => [...i.namespace, i.name].join('.')).sort();
}

function pyicebergCatalogs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => join(root, d, 'pyiceberg_catalog.db'))
    .filter((p) => existsSync(p))
    .sort();
}

async function sqliteRows(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}
