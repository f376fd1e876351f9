import { after, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { isFloeError } from '../../src/errors.js';
import { validateSourceTable } from '../../src/quality/validate-source.js';
import { createDuckdb, createMysql, createPostgres, createSqlite, type TestDatabase } from '../helpers/source-databases.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
  return { code, out, err };
}

const byRule = (report: { rules: ReadonlyArray<{ rule: string; failing: number; status: string; examples: unknown[]; checked: number }> }) => Object.fromEntries(report.rules.map((r) => [r.rule, r])) as Record<string, { failing: number; status: string; examples: unknown[]; checked: number }>;

// Trade rows of the source test schema that satisfy every declared constraint but the foreign keys SQLite does
// not enforce: trade 4 references account 99, which does not exist.
const TRADES = `
INSERT INTO accounts (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', NULL);
INSERT INTO instruments VALUES ('AAPL', 'XNAS'), ('MSFT', 'XNAS'), ('IBM', 'XNYS');
INSERT INTO "trade-log" (id, account_id, ticker, exchange, side, status, qty, price, "Order Date", note) VALUES
  (1, 1, 'AAPL', 'XNAS', 'buy', 'open', 10, 100.5, '2026-01-02', NULL),
  (2, 1, 'MSFT', 'XNAS', 'sell', 'filled', 5, 410.25, '2026-01-03', 'a very long note that breaks the rule'),
  (3, 2, 'IBM', 'XNYS', 'buy', 'cancelled', 7, 220, '2026-01-04', 'short'),
  (4, 99, 'AAPL', 'XNAS', 'buy', 'open', 1, 101, '2026-01-05', NULL);
`;

const RULES_YAML = `
tables:
  trade-log:
    - {name: note_length, type: max_length, column: note, max: 10}
    - {name: enough, type: row_count, min_rows: 3}
`;

describe('floe validate', () => {
  let dir: string;
  let lite: TestDatabase;
  let pg: TestDatabase | string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floe-validate-'));
    lite = await createSqlite();
    // SQLite leaves foreign keys unchecked unless asked (better-sqlite3 asks): that is how the orphan trade gets in.
    await lite.exec(`PRAGMA foreign_keys = OFF;\n${TRADES}`);
    pg = await createPostgres();
    if (typeof pg !== 'string') await pg.exec(TRADES.replace('(id, name, email) VALUES', '(id, name, email) OVERRIDING SYSTEM VALUE VALUES').replace(/\(4, 99,/, '(4, 2,'));
    writeFileSync(join(dir, 'rules.yaml'), RULES_YAML);
  });
  after(async () => {
    await lite.drop();
    if (typeof pg !== 'string') await pg.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a SQLite file: rules from the constraints and the YAML file, JSON output, exit 11', async () => {
    const { code, out, err } = await run(['validate', lite.url, '--table', 'trade-log', '--rules', join(dir, 'rules.yaml'), '--json']);
    assert.equal(code, 11, err);
    assert.match(err, /VALIDATION_FAILED/);
    const report = JSON.parse(out);
    assert.equal(report.sample_size, 4);
    assert.equal(report.sample_method, 'all');
    assert.equal(report.table_rows, 4);
    assert.equal(report.invalid_records, 2);
    assert.equal(report.valid_records, 2);
    assert.equal(report.validation_score, 0.5);
    assert.deepEqual(report.rules_from, { constraints: 16, given: 2 });
    const r = byRule(report);
    assert.equal(r['trade-log_account_id_fkey'].failing, 1);
    assert.deepEqual(r['trade-log_account_id_fkey'].examples, [{ id: 4, account_id: 99 }]);
    assert.equal(r['trade-log_ticker_exchange_fkey'].failing, 0);
    assert.equal(r['trade-log_ticker_exchange_fkey'].checked, 4);
    assert.equal(r.note_length.failing, 1);
    assert.deepEqual(r.note_length.examples, [{ id: 2, note: 'a very long note that breaks the rule' }]);
    assert.equal(r.enough.status, 'pass');
    assert.equal(report.rules.filter((x: { status: string }) => x.status === 'fail').length, 2);
  });

  it('passes with exit 0 when every failing rule is a warning, and prints a table by default', async () => {
    writeFileSync(join(dir, 'warn.yaml'), `rules:\n  - {name: trade-log_account_id_fkey, type: relationship, column: account_id, to: {table: accounts, column: id}, severity: warn}\n`);
    const { code, out } = await run(['validate', lite.url, '--table', 'trade-log', '--rules', join(dir, 'warn.yaml')]);
    assert.equal(code, 0);
    assert.match(out, /trade-log_account_id_fkey\s+relationship\s+account_id\s+warn\s+4\s+1\s+25%\s+WARN/);
    assert.match(out, /sample_size 4 {2}valid_records 4 {2}invalid_records 0 {2}validation_score 1\.0000 {2}status WARN/);
  });

  it('on a Parquet file: a random sample, YAML rules, JSON output', async () => {
    const file = join(dir, 'trades.parquet');
    const engine = await Engine.create();
    try {
      await engine.run(`COPY (SELECT i AS id, CASE WHEN i % 10 = 0 THEN -1 ELSE i END AS qty, CASE WHEN i % 25 = 0 THEN NULL ELSE 'T' || i END AS ticker FROM range(1, 1001) r(i)) TO '${file}' (FORMAT parquet)`);
    } finally {
      engine.close();
    }
    writeFileSync(join(dir, 'parquet.yaml'), `
- {name: qty_positive, type: range, column: qty, min: 1}
- {name: ticker_present, type: not_null, column: ticker, error_if: {percent: 10}}
- {name: enough, type: row_count, min_rows: 1000}
`);
    const all = await run(['validate', file, '--rules', join(dir, 'parquet.yaml'), '--sample', '5000', '--json']);
    assert.equal(all.code, 11);
    const report = JSON.parse(all.out);
    assert.equal(report.sample_method, 'all');
    assert.equal(report.sample_size, 1000);
    const r = byRule(report);
    assert.equal(r.qty_positive.failing, 100);
    assert.equal(r.qty_positive.status, 'fail');
    assert.equal(r.ticker_present.failing, 40);
    assert.equal(r.ticker_present.status, 'warn');
    assert.equal(r.enough.status, 'pass');
    // Rows failing qty (every 10th) or ticker (every 25th): 100 + 40 - 20 overlap.
    assert.equal(report.invalid_records, 120);
    assert.equal(report.validation_score, 0.88);

    const sampled = JSON.parse((await run(['validate', file, '--rules', join(dir, 'parquet.yaml'), '--sample', '200', '--json'])).out);
    assert.equal(sampled.sample_method, 'random');
    assert.equal(sampled.sample_size, 200);
    assert.equal(sampled.table_rows, 1000);
    // row_count sees the whole file, not the sample.
    assert.equal(byRule(sampled).enough.status, 'pass');
  });

  it('PostgreSQL: samples, looks foreign keys up in the source, and reports', async (t) => {
    if (typeof pg === 'string') return t.skip(pg);
    const report = await validateSourceTable(pg.url, 'trade-log', {
      sample: 3,
      rules: [
        { name: 'note_length', type: 'max_length', column: 'note', max: 10, severity: 'error' },
        // Quantities looked up among account ids: 10, 5, 7, 1 → only 1 exists.
        { name: 'qty_is_account', type: 'relationship', column: 'qty', to: { table: 'accounts', column: 'id' }, severity: 'warn' },
        { name: 'enough', type: 'row_count', min_rows: 5, severity: 'error' },
      ],
    });
    assert.equal(report.sample_size, 3);
    assert.equal(report.sample_method, 'random');
    assert.equal(report.table_rows, 4);
    const r = byRule(report);
    assert.equal(r['trade-log_account_id_fkey'].failing, 0);
    assert.equal(r.trade_log_instrument_fkey.failing, 0);
    assert.equal(r.trade_log_qty_positive.failing, 0);
    assert.equal(r.enough.status, 'fail');
    const full = await validateSourceTable(pg.url, 'trade-log', {
      rules: [{ name: 'qty_is_account', type: 'relationship', column: 'qty', to: { table: 'accounts', column: 'id' }, severity: 'warn' }],
    });
    assert.equal(full.sample_method, 'all');
    assert.equal(byRule(full).qty_is_account.failing, 3);
    assert.deepEqual(new Set(byRule(full).qty_is_account.examples), new Set([{ id: 1, qty: 10 }, { id: 2, qty: 5 }, { id: 3, qty: 7 }]));
    assert.equal(full.status, 'warn');
  });

  for (const make of [createMysql, createDuckdb]) {
    it(`${make.name.replace('create', '')}: samples and resolves foreign keys, freshness and row_count in the source`, async (t) => {
      const db = await make();
      if (typeof db === 'string') return t.skip(db);
      try {
        const q = db.q;
        await db.exec(`INSERT INTO accounts (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', NULL);
INSERT INTO instruments VALUES ('AAPL', 'XNAS'), ('MSFT', 'XNAS'), ('IBM', 'XNYS');
INSERT INTO ${q('trade-log')} (id, account_id, ticker, exchange, side, status, qty, price, ${q('Order Date')}, note) VALUES
  (1, 1, 'AAPL', 'XNAS', 'buy', 'open', 10, 100.5, '2026-01-02', NULL),
  (2, 1, 'MSFT', 'XNAS', 'sell', 'filled', 5, 410.25, '2026-01-03', NULL),
  (3, 2, 'IBM', 'XNYS', 'buy', 'cancelled', 1, 220, '2026-01-04', NULL);
`);
        const report = await validateSourceTable(db.url, 'trade-log', {
          sample: 2,
          rules: [
            { name: 'qty_is_account', type: 'relationship', column: 'qty', to: { table: 'accounts', column: 'id' }, severity: 'warn' },
            { name: 'fresh', type: 'freshness', column: 'Order Date', max_age: '1d', severity: 'warn' },
            { name: 'enough', type: 'row_count', min_rows: 4, severity: 'error' },
          ],
        });
        assert.equal(report.sample_size, 2);
        assert.equal(report.sample_method, 'random');
        assert.equal(report.table_rows, 3);
        const r = byRule(report);
        assert.ok(r.qty_is_account.failing >= 1 && r.qty_is_account.failing <= 2);
        assert.deepEqual(r.fresh.examples[0], { 'Order Date': '2026-01-04', age_seconds: (r.fresh.examples[0] as { age_seconds: number }).age_seconds });
        assert.deepEqual(r.enough.examples, [{ row_count: 3 }]);
        assert.equal(report.rules.filter((x) => x.status === 'fail').map((x) => x.rule).join(), 'enough');
        const all = await validateSourceTable(db.url, 'trade-log', { rules: [{ name: 'qty_is_account', type: 'relationship', column: 'qty', to: { table: 'accounts', column: 'id' }, severity: 'error' }] });
        const examples = [...(byRule(all).qty_is_account.examples as Array<{ id: number }>)].sort((a, b) => a.id - b.id);
        assert.deepEqual(examples, [{ id: 1, qty: 10 }, { id: 2, qty: 5 }]);
        assert.equal(byRule(all).qty_is_account.failing, 2);
        assert.equal(all.invalid_records, 2);
      } finally {
        await db.drop();
      }
    });
  }

  it('on an Iceberg table named in the catalog', async () => {
    writeFileSync(join(dir, 'floe.yaml'), `catalog: sql\ncatalog_config: {uri: "sqlite:${join(dir, 'catalog.db')}", warehouse: "${join(dir, 'wh')}"}\n`);
    const write = await run(['write', 'db.orders', '--from', 'SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE i * 1.5 END AS amount FROM range(1, 41) r(i)', '--config', join(dir, 'floe.yaml')]);
    assert.equal(write.code, 0, write.err);
    writeFileSync(join(dir, 'orders.yaml'), '- {name: amount_present, type: not_null, column: amount}\n- {name: id_unique, type: unique, column: id}\n');
    const { code, out } = await run(['validate', 'db.orders', '--rules', join(dir, 'orders.yaml'), '--config', join(dir, 'floe.yaml'), '--json']);
    assert.equal(code, 11);
    const report = JSON.parse(out);
    assert.equal(report.sample_size, 40);
    assert.equal(report.invalid_records, 10);
    assert.equal(byRule(report).amount_present.failing, 10);
    assert.equal(byRule(report).id_unique.failing, 0);
  });

  it('bad input: unknown table, unknown rule column, missing --table, bad sample size', async () => {
    await assert.rejects(validateSourceTable(lite.url, 'nope'), (e) => isFloeError(e, 'TABLE_NOT_FOUND'));
    await assert.rejects(
      validateSourceTable(lite.url, 'trade-log', { rules: [{ name: 'x', type: 'not_null', column: 'nope', severity: 'error' }] }),
      (e) => isFloeError(e, 'INVALID_ARGUMENT'),
    );
    assert.equal((await run(['validate', lite.url])).code, 2);
    assert.equal((await run(['validate', lite.url, '--table', 'trade-log', '--sample', '0'])).code, 2);
    writeFileSync(join(dir, 'bad.yaml'), 'rules: [{type: range, column: qty}]');
    const bad = await run(['validate', lite.url, '--table', 'trade-log', '--rules', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /CONFIG_INVALID/);
  });
});
