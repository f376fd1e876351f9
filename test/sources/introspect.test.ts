/**
 * One behaviour suite for every source adapter, run on the same logical schema (test/sources/schemas/*.sql) in
 * PostgreSQL, MariaDB, SQLite and DuckDB. Where the databases differ, the expectation says which and why.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import { isFloeError } from '../../src/errors.js';
import { openSource } from '../../src/sources/open-source.js';
import { checkInValues } from '../../src/sources/schema-builder.js';
import type { SourceSchema, SourceTable } from '../../src/sources/source-schema.js';
import { createDuckdb, createMysql, createPostgres, createSqlite, type TestDatabase, type TestDialect } from '../helpers/source-databases.js';

const factories: Record<TestDialect, () => Promise<TestDatabase | string>> = {
  postgresql: createPostgres,
  mysql: createMysql,
  sqlite: createSqlite,
  duckdb: createDuckdb,
};

/** Unknown-to-floe column types, one per dialect, for the warning and fingerprint-change tests. */
const unknownType: Record<TestDialect, string> = { postgresql: 'point', mysql: 'GEOMETRY', sqlite: 'GEOMETRY', duckdb: 'INTEGER[]' };

async function introspect(db: TestDatabase, options?: { tables?: string[]; exactCounts?: boolean }): Promise<SourceSchema> {
  const source = await openSource(db.url);
  try {
    return await source.introspect(options);
  } finally {
    await source.close();
  }
}

function table(schema: SourceSchema, name: string): SourceTable {
  const t = schema.tables.find((x) => x.name === name);
  assert.ok(t, `table ${name} in ${schema.tables.map((x) => x.name).join(', ')}`);
  return t;
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(isFloeError(err), `expected a FloeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

for (const dialect of Object.keys(factories) as TestDialect[]) {
  describe(`${dialect} source introspection`, () => {
    let db: TestDatabase | undefined;
    let unavailable: string | undefined;
    let schema: SourceSchema;

    before(async () => {
      const made = await factories[dialect]();
      if (typeof made === 'string') {
        unavailable = made;
        return;
      }
      db = made;
      const tl = db.q('trade-log');
      const od = db.q('Order Date');
      await db.exec(`INSERT INTO accounts (name, email) VALUES ('Ann', 'ann@example.com');
INSERT INTO accounts (name, email) VALUES ('Bob', 'bob@example.com');
INSERT INTO instruments (ticker, exchange) VALUES ('AAPL', 'XNAS');
INSERT INTO instruments (ticker, exchange) VALUES ('MSFT', 'XNAS');
INSERT INTO ${tl} (account_id, ticker, exchange, side, status, qty, price, ${od}) VALUES (1, 'AAPL', 'XNAS', 'buy', 'open', 10, 187.50, '2024-01-02');
INSERT INTO ${tl} (account_id, ticker, exchange, side, status, qty, price, ${od}) VALUES (1, 'MSFT', 'XNAS', 'sell', 'filled', 5, 410.25, '2024-01-03');
INSERT INTO ${tl} (account_id, ticker, exchange, side, status, qty, price, ${od}) VALUES (2, 'AAPL', 'XNAS', 'buy', 'open', 1, 188.00, '2024-01-04');
`);
      schema = await introspect(db);
    });
    after(async () => {
      await db?.drop();
    });

    /** The database, or a loud skip when its server is not available. */
    const need = (t: TestContext): TestDatabase | undefined => {
      if (db !== undefined) return db;
      const why = `${dialect} not available: ${unavailable ?? 'setup failed'}`;
      console.warn(`\n*** SKIPPED: ${why} ***\n`);
      t.skip(why);
      return undefined;
    };

    test('lists tables and views; never credentials', (t) => {
      if (!need(t)) return;
      assert.equal(schema.dialect, dialect);
      assert.deepEqual(schema.tables.map((x) => x.name).sort(), ['accounts', 'instruments', 'open_trades', 'trade-log']);
      assert.equal(table(schema, 'open_trades').kind, 'view');
      assert.equal(table(schema, 'trade-log').kind, 'table');
      assert.doesNotMatch(schema.database, /:\/\/|@/);
    });

    test('columns: types, length/precision/scale, nullability, defaults, identity, comments', (t) => {
      if (!need(t)) return;
      const tl = table(schema, 'trade-log');
      const col = (n: string) => {
        const c = tl.columns.find((x) => x.name === n);
        assert.ok(c, `column ${n}`);
        return c;
      };
      assert.deepEqual(tl.columns.slice(0, 3).map((c) => [c.name, c.ordinal]), [['id', 1], ['account_id', 2], ['ticker', 3]]);
      assert.equal(col('Order Date').normalized, 'date');
      assert.equal(col('Order Date').nullable, false);
      assert.equal(col('note').nullable, true);
      assert.equal(col('price').normalized, 'decimal');
      assert.equal(col('price').precision, 10);
      assert.equal(col('price').scale, 2);
      assert.equal(col('qty').normalized, dialect === 'sqlite' ? 'bigint' : 'integer'); // SQLite integers are 64-bit
      assert.equal(col('id').identity, true);
      assert.equal(table(schema, 'accounts').columns.find((c) => c.name === 'id')?.identity, true);
      assert.match(col('status').default ?? '', /open/);
      // DuckDB drops VARCHAR lengths: its VARCHAR is unbounded text.
      if (dialect === 'duckdb') assert.equal(col('ticker').normalized, 'text');
      else assert.deepEqual([col('ticker').normalized, col('ticker').length], ['string', 12]);
      if (dialect !== 'sqlite') {
        // SQLite has no comments.
        assert.equal(table(schema, 'accounts').comment, 'Trading accounts');
        assert.equal(table(schema, 'accounts').columns.find((c) => c.name === 'name')?.comment, 'Display name');
        assert.equal(col('Order Date').comment, 'Trade date');
      }
      if (dialect === 'mysql') assert.match(col('ticker_lower').generated ?? '', /lower|lcase/i); // MariaDB prints lower() as lcase()
      assert.equal(schema.warnings.length, 0, JSON.stringify(schema.warnings));
    });

    test('primary keys, including composite ones, and unique constraints', (t) => {
      if (!need(t)) return;
      assert.deepEqual(table(schema, 'instruments').primary_keys, ['ticker', 'exchange']);
      assert.deepEqual(table(schema, 'trade-log').primary_keys, ['id']);
      assert.deepEqual(table(schema, 'accounts').unique_constraints.map((u) => u.columns), [['email']]);
    });

    test('foreign keys with their actions', (t) => {
      if (!need(t)) return;
      const fks = table(schema, 'trade-log').foreign_keys;
      const inst = fks.find((f) => f.referencedTable === 'instruments');
      assert.ok(inst, JSON.stringify(fks));
      assert.deepEqual(inst.columns, ['ticker', 'exchange']);
      assert.deepEqual(inst.referencedColumns, ['ticker', 'exchange']);
      const acct = fks.find((f) => f.referencedTable === 'accounts');
      assert.ok(acct);
      assert.deepEqual([acct.columns, acct.referencedColumns], [['account_id'], ['id']]);
      if (dialect === 'duckdb') {
        // DuckDB rejects CASCADE; NO ACTION is all it has.
        assert.equal(inst.onDelete, 'NO ACTION');
      } else {
        if (dialect !== 'sqlite') assert.equal(inst.name, 'trade_log_instrument_fkey'); // SQLite does not keep FK names
        assert.equal(inst.onDelete, 'CASCADE');
        assert.equal(inst.onUpdate, 'RESTRICT');
        assert.equal(acct.onDelete, 'CASCADE');
      }
    });

    test('CHECK constraints: raw SQL and columns', (t) => {
      if (!need(t)) return;
      const checks = table(schema, 'trade-log').checks;
      const qty = checks.find((c) => /qty\W*\s*>\s*0/.test(c.sql));
      assert.ok(qty, JSON.stringify(checks));
      assert.deepEqual(qty.columns, ['qty']);
      // PostgreSQL prints BETWEEN as (price >= 0) AND (price <= 1000000).
      const price = checks.find((c) => /1000000/.test(c.sql));
      assert.ok(price);
      assert.match(price.sql, /1000000/);
      assert.deepEqual(price.columns, ['price']);
      // DuckDB renames checks (<table>_<column>_check); the others keep the declared name.
      if (dialect !== 'duckdb') assert.ok(checks.some((c) => c.name === 'trade_log_qty_positive'));
      assert.equal(table(schema, 'instruments').checks.length, 1);
      assert.deepEqual(table(schema, 'instruments').checks[0].columns, ['ticker']);
    });

    test('enums: enum types, ENUM columns and CHECK (x IN ...)', (t) => {
      if (!need(t)) return;
      const tl = table(schema, 'trade-log');
      const side = tl.columns.find((c) => c.name === 'side');
      assert.ok(side?.enum);
      const sideEnum = schema.enums.find((e) => e.name === side.enum);
      assert.deepEqual(sideEnum?.values, ['buy', 'sell']);
      const origin = { postgresql: 'enum-type', duckdb: 'enum-type', mysql: 'enum-column', sqlite: 'check-in' }[dialect];
      assert.equal(sideEnum?.origin, origin);
      assert.equal(side.normalized, dialect === 'sqlite' ? 'text' : 'enum');
      const status = tl.columns.find((c) => c.name === 'status');
      const statusEnum = schema.enums.find((e) => e.name === status?.enum);
      assert.deepEqual(statusEnum, { name: 'trade-log_status', values: ['open', 'filled', 'cancelled'], origin: 'check-in' });
    });

    test('partial and expression indexes', (t) => {
      if (!need(t)) return;
      const ix = table(schema, 'trade-log').indexes;
      const lower = ix.find((i) => i.name === 'trade_log_lower_ticker_idx');
      assert.ok(lower, JSON.stringify(ix));
      assert.equal(lower.unique, false);
      if (dialect === 'mysql') {
        // MariaDB has no expression indexes: the schema indexes a generated column instead.
        assert.deepEqual(lower.columns, ['ticker_lower']);
      } else {
        assert.match(lower.expression ?? '', /lower\(\(?ticker\b/i); // PostgreSQL adds a cast: lower((ticker)::text)
      }
      const partial = ix.find((i) => i.name === 'trade_log_open_idx');
      if (dialect === 'postgresql' || dialect === 'sqlite') {
        assert.ok(partial);
        assert.deepEqual(partial.columns, ['account_id']);
        assert.match(partial.where ?? '', /status\W*\s*=\s*'open'/);
      } else {
        // MySQL/MariaDB and DuckDB have no partial indexes; the schema has none there.
        assert.equal(partial, undefined);
      }
    });

    test('row counts (exact for small tables) and sizes', async (t) => {
      const d = need(t);
      if (!d) return;
      assert.deepEqual([table(schema, 'accounts').row_count, table(schema, 'accounts').row_count_exact], [2, true]);
      assert.deepEqual([table(schema, 'trade-log').row_count, table(schema, 'trade-log').row_count_exact], [3, true]);
      const size = table(schema, 'trade-log').size_bytes;
      if (dialect === 'postgresql' || dialect === 'mysql') assert.ok(typeof size === 'number' && size > 0, String(size));
      else assert.equal(size, null);
      const exact = await introspect(d, { exactCounts: true });
      assert.deepEqual([table(exact, 'open_trades').row_count, table(exact, 'open_trades').row_count_exact], [2, true]);
    });

    test('tables filter, and TABLE_NOT_FOUND for a missing table', async (t) => {
      const d = need(t);
      if (!d) return;
      const only = await introspect(d, { tables: ['trade-log'] });
      assert.deepEqual(only.tables.map((x) => x.name), ['trade-log']);
      await rejectsWithCode(introspect(d, { tables: ['trade-log', 'no_such_table'] }), 'TABLE_NOT_FOUND');
    });

    test('fingerprint: stable, unaffected by data, changed by ALTER; unknown types warn and are kept', async (t) => {
      const d = need(t);
      if (!d) return;
      assert.match(schema.fingerprint, /^[0-9a-f]{64}$/);
      await d.exec(`INSERT INTO accounts (name, email) VALUES ('Cy', 'cy@example.com')`);
      const again = await introspect(d);
      assert.equal(again.fingerprint, schema.fingerprint);
      assert.equal(table(again, 'accounts').row_count, 3);
      await d.exec(`ALTER TABLE accounts ADD COLUMN location ${unknownType[dialect]}`);
      const altered = await introspect(d);
      assert.notEqual(altered.fingerprint, schema.fingerprint);
      const loc = table(altered, 'accounts').columns.find((c) => c.name === 'location');
      assert.equal(loc?.normalized, 'unknown');
      assert.ok(altered.warnings.some((w) => w.code === 'UNKNOWN_TYPE' && w.table === 'accounts' && w.column === 'location'), JSON.stringify(altered.warnings));
    });
  });
}

describe('openSource errors', () => {
  test('unknown scheme is INVALID_ARGUMENT', async () => {
    await rejectsWithCode(openSource('oracle://scott:tiger@db/x'), 'INVALID_ARGUMENT');
    await rejectsWithCode(openSource('not a url'), 'INVALID_ARGUMENT');
  });

  test('unreachable servers are SOURCE_UNAVAILABLE (retryable), without the password', async () => {
    for (const url of ['postgresql://postgres:s3cret-pw@127.0.0.1:1/test', 'mysql://root:s3cret-pw@127.0.0.1:1/test']) {
      const err = await rejectsWithCode(openSource(url), 'SOURCE_UNAVAILABLE');
      assert.ok(isFloeError(err) && err.retryable);
      assert.doesNotMatch((err as Error).message, /s3cret/);
    }
  });

  test('missing SQLite / DuckDB files are NOT_FOUND', async () => {
    await rejectsWithCode(openSource('sqlite:/nonexistent/floe/x.db'), 'NOT_FOUND');
    await rejectsWithCode(openSource('duckdb:/nonexistent/floe/x.duckdb'), 'NOT_FOUND');
  });

  test('wrong MariaDB password is AUTH_FAILED, without the password', async (t) => {
    const db = await createMysql();
    if (typeof db === 'string') {
      console.warn(`\n*** SKIPPED: MariaDB not available: ${db} ***\n`);
      t.skip(db);
      return;
    }
    try {
      const url = db.url.replace('://root@', '://root:wr0ng-pw@');
      const err = await rejectsWithCode(openSource(url), 'AUTH_FAILED');
      assert.doesNotMatch((err as Error).message, /wr0ng-pw/);
    } finally {
      await db.drop();
    }
  });

  test('PostgreSQL: an unknown role is AUTH_FAILED (trust auth accepts any password, so no wrong-password case)', async (t) => {
    const db = await createPostgres();
    if (typeof db === 'string') {
      console.warn(`\n*** SKIPPED: PostgreSQL not available: ${db} ***\n`);
      t.skip(db);
      return;
    }
    try {
      const url = db.url.replace(/:\/\/[^@/]*@/, '://floe_no_such_role:pw@');
      await rejectsWithCode(openSource(url), 'AUTH_FAILED');
    } finally {
      await db.drop();
    }
  });
});

test('checkInValues reads every dialect\'s printing of x IN (...)', () => {
  assert.deepEqual(checkInValues(`CHECK ((side = ANY (ARRAY['buy'::text, 'sell'::text])))`), { column: 'side', values: ['buy', 'sell'] });
  assert.deepEqual(checkInValues("`side` in ('buy','it''s')"), { column: 'side', values: ['buy', "it's"] });
  assert.deepEqual(checkInValues(`("Side" IN ('a'))`), { column: 'Side', values: ['a'] });
  assert.equal(checkInValues('qty > 0'), undefined);
  assert.equal(checkInValues(`side IN ('a') OR side IS NULL`), undefined);
});
