/**
 * requireColumns: a column becomes required only when no branch holds a null in it (nested struct fields count
 * only under a non-null struct; files without the column read null); a write committed between the check and the
 * commit makes it check again; later writes of nulls are refused; identifier fields can then be set.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { requireColumns } from '../../src/engine/require-columns.js';
import { isFloeError } from '../../src/errors.js';
import type { Catalog } from '../../src/iceberg/catalog/catalog.js';
import { MemoryCatalog } from '../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../src/iceberg/io/local-file-io.js';
import { currentSchema } from '../../src/iceberg/spec/table-metadata.js';
import { alterTable } from '../../src/iceberg/table/alter-table.js';
import { createRef } from '../../src/iceberg/table/refs.js';
import { writeIceberg } from '../../src/warehouses/iceberg/iceberg-writer.js';

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-require-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = (sql: string, branch?: string, on: Catalog = catalog) =>
    writeIceberg({ table: 'db.t', ...(branch ? { branch } : {}) }, { sql }, {}, { catalog: on, engine });
  const field = async (name: string) => currentSchema((await catalog.loadTable(id)).metadata).fields.find((f) => f.name === name)!;
  const location = async () => (await catalog.loadTable(id)).metadataLocation;
  return { catalog, engine, id, write, field, location };
}

const invalid = (e: unknown) => isFloeError(e, 'INVALID_ARGUMENT');

/** The fixture's catalog, except that `first` runs (on the real catalog) just before its first commit. */
function racing(s: Awaited<ReturnType<typeof setup>>, first: () => Promise<unknown>): { catalog: Catalog; raced: () => boolean } {
  let raced = false;
  const catalog = Object.create(s.catalog) as Catalog;
  catalog.commitTable = async (req) => {
    if (!raced) {
      raced = true;
      await first();
    }
    return s.catalog.commitTable(req);
  };
  return { catalog, raced: () => raced };
}

/** A racing catalog whose first commit is preceded by another writer appending a null id. */
const racingNull = (s: Awaited<ReturnType<typeof setup>>) => racing(s, () => s.write('SELECT NULL::BIGINT AS id'));

test('a column without nulls becomes required (metrics prove most files), then identifier fields can be set', async () => {
  const s = await setup();
  try {
    await s.write("SELECT range AS id, CASE WHEN range % 2 = 0 THEN 'x' END AS v FROM range(10)");
    await s.write("SELECT 10 + range AS id, 'y' AS v FROM range(5)");
    assert.equal((await s.field('id')).required, false);
    await assert.rejects(alterTable(s.catalog, s.id, (u) => u.setIdentifierFields(['id'])), invalid);
    const res = await requireColumns(s.catalog, s.id, ['id'], { engine: s.engine });
    assert.deepEqual(res.branches, ['main']);
    assert.equal(res.filesRead, 0, 'both files have a null count of 0 for id');
    assert.equal(res.filesSkipped, 2);
    assert.equal((await s.field('id')).required, true);
    await alterTable(s.catalog, s.id, (u) => u.setIdentifierFields(['id']));
    // Nulls are refused from now on.
    await assert.rejects(s.write("SELECT NULL::BIGINT AS id, 'z' AS v"), (e) => isFloeError(e, 'SCHEMA_MISMATCH'));
    // A column with nulls is refused and the table is untouched.
    const before = await s.location();
    await assert.rejects(requireColumns(s.catalog, s.id, ['v'], { engine: s.engine }), (e) => invalid(e) && (e as { context?: Record<string, unknown> }).context?.nulls === '5');
    await assert.rejects(requireColumns(s.catalog, s.id, ['nope'], { engine: s.engine }), invalid);
    await assert.rejects(requireColumns(s.catalog, s.id, [], { engine: s.engine }), invalid);
    assert.equal(await s.location(), before);
  } finally {
    s.engine.close();
  }
});

test('nested struct fields count nulls only under a non-null struct; files without the column read null', async () => {
  const s = await setup();
  try {
    await s.write("SELECT range AS id, CASE WHEN range < 3 THEN NULL ELSE {'a': range, 'b': CASE WHEN range = 5 THEN NULL ELSE 1 END} END AS st FROM range(8)");
    await requireColumns(s.catalog, s.id, ['st.a'], { engine: s.engine });
    const st = await s.field('st');
    assert.equal((st.type as { fields: Array<{ name: string; required: boolean }> }).fields.find((f) => f.name === 'a')!.required, true);
    assert.equal(st.required, false, 'the struct itself stays optional');
    await assert.rejects(requireColumns(s.catalog, s.id, ['st.b'], { engine: s.engine }), invalid);
    // A column added later: rows written before it read null.
    await alterTable(s.catalog, s.id, (u) => u.addColumn('late', 'string'));
    await s.write("SELECT 100 AS id, {'a': 1, 'b': 1} AS st, 'here' AS late");
    await assert.rejects(requireColumns(s.catalog, s.id, ['late'], { engine: s.engine }), invalid);
  } finally {
    s.engine.close();
  }
});

test('every branch is checked, and a write committed between the check and the commit is checked too', async () => {
  const s = await setup();
  try {
    await s.write('SELECT range AS id FROM range(5)');
    await createRef(s.catalog, s.id, 'dev', 'branch');
    await s.write('SELECT NULL::BIGINT AS id', 'dev');
    await assert.rejects(
      requireColumns(s.catalog, s.id, ['id'], { engine: s.engine }),
      (e) => invalid(e) && (e as { context?: Record<string, unknown> }).context?.branch === 'dev',
    );

    // A catalog whose first commit races an append of a null to main: the branch-head requirement fails, the retry
    // checks the new head and finds the null.
    const t = await setup();
    await t.write('SELECT range AS id FROM range(5)');
    const racing = racingNull(t);
    await assert.rejects(requireColumns(racing.catalog, t.id, ['id'], { engine: t.engine }), invalid);
    assert.equal(racing.raced(), true);
    assert.equal((await t.field('id')).required, false);
    t.engine.close();
  } finally {
    s.engine.close();
  }
});

test('a table without snapshots: nothing to check, and a first write racing the change is checked', async () => {
  const s = await setup();
  try {
    await s.catalog.createNamespace(['db']);
    await s.catalog.createTable(s.id, { schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] } as never });
    const racing = racingNull(s);
    await assert.rejects(requireColumns(racing.catalog, s.id, ['id'], { engine: s.engine }), invalid);
    assert.equal(racing.raced(), true);
    assert.equal((await s.field('id')).required, false);
  } finally {
    s.engine.close();
  }
});

test('rows written before a column became required, committed after, are refused and their files removed', async () => {
  const s = await setup();
  try {
    await s.write('SELECT range AS id FROM range(5)');
    // The writer's first commit attempt: just before it, the column becomes required (the table has no null yet).
    const race = racing(s, () => requireColumns(s.catalog, s.id, ['id'], { engine: s.engine }));
    const before = await s.location();
    const dataDir = join((await s.catalog.loadTable(s.id)).metadata.location, 'data');
    const filesBefore = readdirSync(dataDir, { recursive: true }).sort();
    await assert.rejects(s.write('SELECT NULL::BIGINT AS id', undefined, race.catalog), (e) => isFloeError(e, 'SCHEMA_MISMATCH'));
    assert.deepEqual(readdirSync(dataDir, { recursive: true }).sort(), filesBefore, 'the refused files were removed');
    assert.equal(race.raced(), true);
    assert.equal((await s.field('id')).required, true);
    const md = (await s.catalog.loadTable(s.id)).metadata;
    assert.equal(md.snapshots.length, 1, 'the racing append did not land');
    assert.notEqual(await s.location(), before, 'only the schema change landed');
    // A schema change that does not concern the new rows only makes the append retry.
    const other = racing(s, () => alterTable(s.catalog, s.id, (u) => u.addColumn('note', 'string')));
    await s.write('SELECT 7::BIGINT AS id', undefined, other.catalog);
    assert.equal(other.raced(), true);
    assert.equal((await s.catalog.loadTable(s.id)).metadata.snapshots.length, 2);
  } finally {
    s.engine.close();
  }
});
