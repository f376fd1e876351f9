/**
 * Fixtures of the backfill tests: a PostgreSQL schema with an `events` table of N rows (8 columns of mixed types,
 * some NULLs), a fresh SQL catalog on SQLite, and the comparison "target equals source": row count, distinct keys
 * and an order-independent checksum of the whole source (read in one piece, independently of any window) against
 * the whole target table read back with floe's reader.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { buildScanSql } from '../../src/engine/scan-sql.js';
import { duckdbType } from '../../src/engine/sql-literals.js';
import { normalizeFloeConfig, type FloeConfig } from '../../src/config/floe-config.js';
import { openCatalog, parseTableName } from '../../src/iceberg/catalog/open-catalog.js';
import { currentSchema } from '../../src/iceberg/spec/table-metadata.js';
import { tableOf } from '../../src/iceberg/table/commit.js';
import { planScan } from '../../src/iceberg/table/scan-planner.js';
import { openExtractor } from '../../src/sources/extract.js';
import { checksumOf } from '../../src/backfill/checksum.js';
import { PG_URI } from '../helpers/postgres.js';

/** A PostgreSQL schema holding `events`. */
export interface PgEvents {
  schema: string;
  url: string;
  exec(sql: string): Promise<unknown[]>;
  drop(): Promise<void>;
}

/** Creates a schema with `events(id bigint pk, account int, symbol text, qty numeric(12,2), price float8, ts timestamptz, active bool, note text)`. */
export async function createPgEvents(rows: number): Promise<PgEvents> {
  const schema = `floe_bf_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const pg = (await import('pg')).default;
  const exec = async (sql: string): Promise<unknown[]> => {
    const client = new pg.Client({ connectionString: PG_URI });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      const r = await client.query(sql);
      return (Array.isArray(r) ? r[r.length - 1] : r).rows as unknown[];
    } finally {
      await client.end();
    }
  };
  const client = new pg.Client({ connectionString: PG_URI });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
  await exec(
    `CREATE TABLE events (id bigint PRIMARY KEY, account integer NOT NULL, symbol text, qty numeric(12,2), price double precision, ` +
      `ts timestamptz NOT NULL, active boolean, note text);` +
      `INSERT INTO events SELECT i, (i % 977)::int, (ARRAY['AAPL','MSFT','GOOG','AMZN','NVDA'])[1 + i % 5], ` +
      `CASE WHEN i % 13 = 0 THEN NULL ELSE round((i % 1000) * 0.25 + 1, 2) END, (i % 10007) / 7.0, ` +
      `timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 3), i % 2 = 0, ` +
      `CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i END FROM generate_series(1, ${rows}) AS g(i)`,
  );
  const sep = PG_URI.includes('?') ? '&' : '?';
  return {
    schema,
    url: `${PG_URI}${sep}schema=${schema}`,
    exec,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URI });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh SQL catalog on SQLite with its warehouse, in a temp dir. */
export async function tempWarehouse(): Promise<{ dir: string; config: FloeConfig; warehouse: string; drop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bf-'));
  const warehouse = join(dir, 'warehouse');
  const config = normalizeFloeConfig({ catalog: 'sql', catalog_config: { uri: `sqlite:${join(dir, 'catalog.db')}`, warehouse } });
  return { dir, config, warehouse, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** Count, distinct ids and checksum of the source table and of the target table. */
export async function compareSourceAndTarget(sourceUrl: string, table: string, config: FloeConfig, target: string) {
  const engine = await Engine.create();
  const catalog = await openCatalog(config);
  const ex = await openExtractor(sourceUrl);
  try {
    const ct = await catalog.loadTable(parseTableName(target));
    const schema = currentSchema(ct.metadata);
    const columns = schema.fields.map((f) => ({ name: f.name, type: duckdbType(f.type) }));
    await ex.extractInto(engine, { table }, '__whole_source');
    const source = await checksumOf(engine, '__whole_source', columns);
    const t = tableOf(ct);
    const { sql, cleanup } = await buildScanSql(engine, t, await planScan(t));
    try {
      const targetSum = await checksumOf(engine, sql, columns);
      const distinct = (await (await engine.run(`SELECT count(DISTINCT id)::BIGINT FROM ${sql} AS x`)).getRowsJS())[0][0] as bigint;
      return { source, target: targetSum, distinctIds: BigInt(distinct), snapshots: ct.metadata.snapshots };
    } finally {
      await cleanup();
    }
  } finally {
    await ex.close();
    await catalog.close();
    engine.close();
  }
}
