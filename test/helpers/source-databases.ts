/**
 * Fresh databases holding the source-introspection test schema (test/sources/schemas/<dialect>.sql), one per
 * dialect: a unique PostgreSQL schema, a unique MariaDB database, SQLite and DuckDB files in temp dirs. Each comes
 * with `exec` (run more SQL) and `drop`. Servers that cannot be reached yield a reason to skip instead.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Engine } from '../../src/engine/duckdb-engine.js';
import { PG_URI, postgresUnavailable } from './postgres.js';

/** The MariaDB / MySQL server the tests use (`FLOE_TEST_MYSQL_URI` overrides; root with an empty password). */
export const MYSQL_URI = process.env.FLOE_TEST_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306';

/** The dialects of the test schema. */
export type TestDialect = 'postgresql' | 'mysql' | 'sqlite' | 'duckdb';

/** A database with the test schema. */
export interface TestDatabase {
  dialect: TestDialect;
  /** Source URL for `openSource`. */
  url: string;
  /** Quotes an identifier the dialect's way. */
  q(name: string): string;
  /** Runs statements separated by `;` at line ends. */
  exec(sql: string): Promise<void>;
  /** Drops the database (schema / files). */
  drop(): Promise<void>;
}

/** The test schema's DDL for `dialect`. */
export function schemaSql(dialect: TestDialect): string {
  return readFileSync(new URL(`../sources/schemas/${dialect}.sql`, import.meta.url), 'utf8');
}

/** Splits a script into statements: `;` at the end of a line ends one; `--` comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const unique = (): string => `floe_src_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const dq = (n: string): string => `"${n.replace(/"/g, '""')}"`;

/** A fresh PostgreSQL schema with the test schema, or the reason PostgreSQL is unavailable. */
export async function createPostgres(): Promise<TestDatabase | string> {
  const problem = await postgresUnavailable();
  if (problem !== undefined) return problem;
  const schema = unique();
  const pg = (await import('pg')).default;
  const run = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: PG_URI });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${dq(schema)}`);
      for (const s of splitStatements(sql)) await client.query(s);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA ${dq(schema)};\n${schemaSql('postgresql')}`);
  const sep = PG_URI.includes('?') ? '&' : '?';
  return { dialect: 'postgresql', url: `${PG_URI}${sep}schema=${schema}`, q: dq, exec: run, drop: () => run(`DROP SCHEMA ${dq(schema)} CASCADE`) };
}

/** Why MariaDB cannot be used (after trying once to start it), or undefined. */
export async function mysqlUnavailable(): Promise<string | undefined> {
  const mysql = await import('mysql2/promise');
  const ping = async (): Promise<string | undefined> => {
    try {
      const c = await mysql.createConnection({ uri: MYSQL_URI, connectTimeout: 3000 });
      await c.end();
      return undefined;
    } catch (err) {
      return (err as Error).message || String(err);
    }
  };
  const first = await ping();
  if (first === undefined) return undefined;
  try {
    await promisify(execFile)('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd', '--', '--user=mysql'], { timeout: 15_000 });
  } catch (err) {
    return `${first}; starting mariadbd failed: ${(err as Error).message}`;
  }
  for (let i = 0; i < 30; i++) {
    if ((await ping()) === undefined) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
  return `${first}; still unreachable after starting mariadbd`;
}

/** A fresh MariaDB database with the test schema, or the reason MariaDB is unavailable. */
export async function createMysql(): Promise<TestDatabase | string> {
  const problem = await mysqlUnavailable();
  if (problem !== undefined) return problem;
  const db = unique();
  const mysql = await import('mysql2/promise');
  const run = async (sql: string, database?: string): Promise<void> => {
    const c = await mysql.createConnection({ uri: MYSQL_URI, ...(database ? { database } : {}) });
    try {
      for (const s of splitStatements(sql)) await c.query(s);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE \`${db}\``);
  await run(schemaSql('mysql'), db);
  return {
    dialect: 'mysql',
    url: `${MYSQL_URI}/${db}`,
    q: (n) => `\`${n.replace(/`/g, '``')}\``,
    exec: (sql) => run(sql, db),
    drop: () => run(`DROP DATABASE IF EXISTS \`${db}\``),
  };
}

/** A SQLite file with the test schema in a temp dir. */
export async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-sqlite-src-'));
  const file = join(dir, 'test.db');
  const Database = (await import('better-sqlite3')).default;
  const run = async (sql: string): Promise<void> => {
    const db = new Database(file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  await run(schemaSql('sqlite'));
  return { dialect: 'sqlite', url: `sqlite:${file}`, q: dq, exec: run, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A DuckDB file with the test schema in a temp dir. Closed between uses: one process may hold it at a time. */
export async function createDuckdb(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-duckdb-src-'));
  const file = join(dir, 'test.duckdb');
  const run = async (sql: string): Promise<void> => {
    const engine = await Engine.create(file);
    try {
      for (const s of splitStatements(sql)) await engine.run(s);
    } finally {
      engine.close();
    }
  };
  await run(schemaSql('duckdb'));
  return { dialect: 'duckdb', url: `duckdb:${file}`, q: dq, exec: run, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
