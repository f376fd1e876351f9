/**
 * Models generated from the real test schema in each database (PostgreSQL, MariaDB, SQLite, DuckDB), compared with
 * committed expected files (rewrite them with UPDATE_EXPECTED=1 and review the diff); JSON Schema validating real
 * rows read from PostgreSQL and rejecting rows that break each constraint; `floe reverse-etl` and `floe generate
 * --check` end to end.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { main } from '../../src/cli/main.js';
import { generateModelFiles, MODEL_FORMATS, SOURCE_SCHEMA_FILE } from '../../src/reverse-etl/model-files.js';
import { openSource } from '../../src/sources/open-source.js';
import type { SourceSchema } from '../../src/sources/source-schema.js';
import { createDuckdb, createMysql, createPostgres, createSqlite, type TestDatabase } from '../helpers/source-databases.js';
import { PG_URI } from '../helpers/postgres.js';

const EXPECTED = fileURLToPath(new URL('./expected/', import.meta.url));

/** Per-run names (schema, database, file) replaced by fixed ones so output is comparable across runs. */
function stable(schema: SourceSchema): SourceSchema {
  return { ...schema, database: 'test', tables: schema.tables.map((t) => ({ ...t, schema: t.schema === undefined ? undefined : 'test' })) };
}

const MAKERS: Array<[string, () => Promise<TestDatabase | string>]> = [
  ['postgresql', createPostgres],
  ['mysql', createMysql],
  ['sqlite', createSqlite],
  ['duckdb', createDuckdb],
];

for (const [dialect, make] of MAKERS) {
  test(`${dialect}: generated models match the committed expected files`, async (t) => {
    const db = await make();
    if (typeof db === 'string') return t.skip(`${dialect} not available: ${db}`);
    try {
      const source = await openSource(db.url);
      let schema: SourceSchema;
      try {
        schema = stable(await source.introspect());
      } finally {
        await source.close();
      }
      const { files } = generateModelFiles(schema, MODEL_FORMATS, { package: 'model::trading' });
      files.delete(SOURCE_SCHEMA_FILE);
      const dir = join(EXPECTED, dialect);
      if (process.env.UPDATE_EXPECTED === '1') {
        for (const [rel, content] of files) {
          mkdirSync(dirname(join(dir, rel)), { recursive: true });
          writeFileSync(join(dir, rel), content);
        }
      }
      assert.ok(existsSync(dir), `expected files missing: run with UPDATE_EXPECTED=1 and review ${dir}`);
      const expected = readdirSync(dir, { recursive: true })
        .map(String)
        .filter((p) => /\.(pure|json)$/.test(p))
        .sort();
      assert.deepEqual([...files.keys()].sort(), expected, 'the same set of files');
      for (const [rel, content] of files) assert.equal(content, readFileSync(join(dir, rel), 'utf8'), rel);
    } finally {
      await db.drop();
    }
  });
}

test('postgresql: JSON Schema accepts the rows in the database and rejects rows breaking each constraint', async (t) => {
  const db = await createPostgres();
  if (typeof db === 'string') return t.skip(`PostgreSQL not available: ${db}`);
  try {
    await db.exec(
      "INSERT INTO accounts (name, email) VALUES ('Ada', 'ada@example.com');\n" +
        "INSERT INTO instruments VALUES ('ACME', 'XNYS');\n" +
        'INSERT INTO "trade-log" (account_id, ticker, exchange, side, qty, price, "Order Date") VALUES (1, \'ACME\', \'XNYS\', \'buy\', 10, 12.50, DATE \'2026-01-02\');',
    );
    const source = await openSource(db.url);
    let schema: SourceSchema;
    try {
      schema = await source.introspect();
    } finally {
      await source.close();
    }
    const { model } = generateModelFiles(schema, ['json-schema']);
    const { modelJsonSchemas } = await import('../../src/models/json-schema.js');
    const jsonSchema = modelJsonSchemas(model).get('trade-log')!;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T/);
    ajv.addFormat('uuid', /^[0-9a-f-]{36}$/i);
    const validate = ajv.compile(jsonSchema);
    // Real rows, as JSON: numbers for numeric columns, ISO text for dates.
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: PG_URI });
    await client.connect();
    const schemaName = new URL(db.url).searchParams.get('schema')!;
    const res = await client.query(
      `SELECT id::int AS id, account_id, ticker, exchange, side::text AS side, status, qty, price::float8 AS price, to_char("Order Date", 'YYYY-MM-DD') AS "Order Date", note FROM "${schemaName}"."trade-log"`,
    );
    await client.end();
    assert.equal(res.rows.length, 1);
    const props = Object.keys((jsonSchema as { properties: Record<string, unknown> }).properties);
    // Map column names to the schema's property names (the generator may use the column names as they are).
    const row = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => props.includes(k)).concat(props.filter((p) => !(p in r)).map((p) => [p, (r as never)[p]])).filter(([, v]) => v !== undefined)) as Record<string, unknown>;
    const good = row(res.rows[0]);
    if (good.note === null) delete good.note;
    assert.ok(validate(good), JSON.stringify(validate.errors));
    const breaking: Array<[string, Record<string, unknown>]> = [
      ['qty > 0', { qty: 0 }],
      ['price range', { price: 2_000_000 }],
      ['status in', { status: 'lost' }],
      ['side enum', { side: 'hold' }],
      ['ticker length', { ticker: 'X'.repeat(13) }],
    ];
    for (const [why, patch] of breaking) {
      assert.equal(validate({ ...good, ...patch }), false, `rejects a row breaking ${why}`);
    }
  } finally {
    await db.drop();
  }
});

test('postgresql: floe reverse-etl creates the Iceberg table and the model files; generate --check reports drift', async (t) => {
  const db = await createPostgres();
  if (typeof db === 'string') return t.skip(`PostgreSQL not available: ${db}`);
  const dir = mkdtempSync(join(tmpdir(), 'floe-retl-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s) };
    const code = await main(['reverse-etl', '--source', db.url, '--table', 'trade-log', '--model', 'Trade', '--constraints', 'qtyPositive', '--out', join(dir, 'models')], io);
    assert.equal(code, 0, out + err);
    const res = JSON.parse(out);
    assert.equal(res.status, 'success');
    assert.equal(res.model_created, true);
    assert.deepEqual(
      res.results.map((r: { action: string }) => r.action),
      ['analyze', 'generate_model', 'add_constraints', 'check_model', 'create_data_product', 'export_json_schema'],
    );
    assert.ok(existsSync(join(dir, 'models', 'model.pure')));
    assert.match(readFileSync(join(dir, 'models', 'model.pure'), 'utf8'), /Class model::Trade\s*\[/);
    assert.ok(existsSync(join(dir, 'models', 'json-schema', 'trade-log.schema.json')));
    out = '';
    assert.equal(await main(['sql', 'SELECT count(*) FROM reverse_etl."trade-log"', '--format', 'tsv'], io), 0, err);
    assert.equal(out, 'count_star()\n0\n');

    const gen = join(dir, 'gen');
    assert.equal(await main(['generate', db.url, '--format', 'pure', '--out', gen], io), 0, err);
    assert.equal(await main(['generate', db.url, '--out', gen, '--check'], io), 0, 'no drift right after generating');
    await db.exec('ALTER TABLE accounts ADD COLUMN region text;\nALTER TABLE accounts DROP COLUMN email;');
    out = '';
    assert.equal(await main(['generate', db.url, '--out', gen, '--check', '--json'], io), 10);
    const report = JSON.parse(out);
    assert.equal(report.breaking, true);
    assert.ok(report.changes.some((c: { kind: string; column?: string }) => c.kind === 'column-dropped' && c.column === 'email'));
    assert.ok(report.changes.some((c: { kind: string; column?: string; breaking: boolean }) => c.kind === 'column-added' && c.column === 'region' && !c.breaking));
  } finally {
    process.chdir(cwd);
    await db.drop();
  }
});

test('sqlite: floe introspect --table --json prints the table with its columns, counts, keys and indexes', async () => {
  const db = await createSqlite();
  try {
    let out = '';
    let err = '';
    const code = await main(['introspect', db.url, '--table', 'trade-log', '--json'], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    assert.equal(code, 0, err);
    const t = JSON.parse(out);
    for (const key of ['columns', 'row_count', 'primary_keys', 'foreign_keys', 'indexes']) assert.ok(key in t, key);
    assert.equal(t.name, 'trade-log');
    assert.ok(t.foreign_keys.some((f: { onDelete?: string }) => /cascade/i.test(f.onDelete ?? '')));
    out = '';
    assert.equal(await main(['introspect', db.url, '--table', 'nope'], { stdout: (s) => (out += s), stderr: (s) => (err += s) }), 3);
    err = '';
    assert.equal(await main(['generate', db.url, '--table', 'trade-log', '--format', 'pure', '--constraints', 'qtyPositive,validTicker'], { stdout: (s) => (out += s), stderr: (s) => (err += s) }), 0, err);
    err = '';
    const bad = await main(['generate', db.url, '--table', 'accounts', '--format', 'pure', '--constraints', 'qtyPositive'], { stdout: () => undefined, stderr: (s) => (err += s) });
    assert.equal(bad, 2, 'a constraint naming a column the table lacks is INVALID_ARGUMENT');
    assert.match(err, /^floe: INVALID_ARGUMENT/);
  } finally {
    await db.drop();
  }
});
