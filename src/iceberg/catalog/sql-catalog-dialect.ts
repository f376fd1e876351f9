/**
 * The database connections behind the SQL catalog: SQLite through `better-sqlite3` (embedded, the default) and
 * PostgreSQL through a `pg` pool. Both drivers load on first use (`await import()`), so programs that never open a
 * SQL catalog never load a native module or a network client.
 *
 * Statements are written once with `?` placeholders; the PostgreSQL side numbers them (`$1`, `$2`, ...). Driver
 * failures become `FloeError`s: cannot connect → `CATALOG_UNAVAILABLE` (retryable), rejected credentials →
 * `AUTH_FAILED`, anything else → `SQL_ERROR`; a unique-key violation is recognisable with {@link isUniqueViolation}.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FloeError } from '../../errors.js';

/** A bound parameter: every column of the catalog tables is text. */
export type SqlValue = string | null;

/** One statement with its parameters. */
export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

/** A connection (or pool) to the catalog database. */
export interface SqlConnection {
  /** Which database this is. */
  readonly dialect: 'sqlite' | 'postgresql';
  /** Runs a query and returns its rows, column names as keys. */
  query(sql: string, params?: SqlValue[]): Promise<Array<Record<string, unknown>>>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string, params?: SqlValue[]): Promise<number>;
  /** Runs statements in one transaction; returns each one's changed-row count. */
  batch(statements: SqlStatement[]): Promise<number[]>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
}

/** Options of {@link openSqlConnection}. */
export interface SqlConnectionOptions {
  /** SQLite: how long a writer waits for another process's lock, in ms (default 10 000). */
  busyTimeoutMs?: number;
  /** PostgreSQL: pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: connect timeout in ms (default 10 000). */
  connectTimeoutMs?: number;
}

/** `context.reason` of the `SQL_ERROR` raised for a primary-key or unique violation. */
const UNIQUE_VIOLATION = 'unique-violation';

/** True for the error a statement raises when it would duplicate a primary or unique key. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof FloeError && err.code === 'SQL_ERROR' && err.context.reason === UNIQUE_VIOLATION;
}

/**
 * The SQLite file a URI names, or `:memory:`. Accepts `sqlite:path`, `sqlite:///abs/path` (also SQLAlchemy's
 * `sqlite:////abs/path`), `sqlite::memory:` and `jdbc:sqlite:path`; a relative path is taken from the working
 * directory. Undefined when the URI is not a SQLite one.
 */
export function sqlitePath(uri: string): string | undefined {
  const m = /^(?:jdbc:)?sqlite:(.*)$/i.exec(uri.trim());
  if (!m) return undefined;
  let rest = m[1].replace(/\?.*$/, '');
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '' || rest === '/:memory:' || rest === ':memory:') return ':memory:';
  rest = decodeURIComponent(rest).replace(/^\/+/, '/');
  return resolve(rest);
}

/**
 * The `pg` connection string of a PostgreSQL URI (`postgresql://`, `postgres://`, SQLAlchemy's
 * `postgresql+psycopg2://`, `jdbc:postgresql://`), or undefined for other URIs.
 */
export function postgresConnectionString(uri: string): string | undefined {
  const m = /^(?:jdbc:)?postgres(?:ql)?(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(uri.trim());
  return m ? `postgresql://${m[1]}` : undefined;
}

/**
 * Opens the database a catalog URI names. Throws `CONFIG_INVALID` for an unknown scheme, `UNSUPPORTED` when the
 * driver cannot be loaded, `CATALOG_UNAVAILABLE` when the database cannot be opened or reached.
 */
export async function openSqlConnection(uri: string, options: SqlConnectionOptions = {}): Promise<SqlConnection> {
  const file = sqlitePath(uri);
  if (file !== undefined) return SqliteConnection.open(file, options);
  const pgUri = postgresConnectionString(uri);
  if (pgUri !== undefined) return PostgresConnection.open(pgUri, options);
  throw new FloeError('CONFIG_INVALID', `unsupported SQL catalog uri (expected sqlite:... or postgresql://...): ${redact(uri)}`, {
    context: { uri: redact(uri) },
  });
}

/** The URI with any password replaced, for messages. */
function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

async function loadDriver<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new FloeError('UNSUPPORTED', `the SQL catalog needs the '${name}' package, which could not be loaded`, {
      cause,
      context: { package: name },
    });
  }
}

/** SQLite through better-sqlite3 (synchronous; wrapped in promises to share the interface). */
class SqliteConnection implements SqlConnection {
  readonly dialect = 'sqlite' as const;

  private constructor(private readonly db: BetterSqlite3.Database) {}

  static async open(file: string, options: SqlConnectionOptions): Promise<SqliteConnection> {
    const Database = (await loadDriver('better-sqlite3', () => import('better-sqlite3'))).default;
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
      // WAL lets readers run beside the one writer, so several processes can share one catalog file; the busy
      // timeout (set above) makes a writer wait for the lock instead of failing at once (sqlite.org/wal.html).
      if (file !== ':memory:') db.pragma('journal_mode = WAL');
      return new SqliteConnection(db);
    } catch (err) {
      throw sqliteError(err, `cannot open SQLite catalog database ${file}`);
    }
  }

  async query(sql: string, params: SqlValue[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      return this.db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
    } catch (err) {
      throw sqliteError(err);
    }
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<number> {
    try {
      return this.db.prepare(sql).run(...params).changes;
    } catch (err) {
      throw sqliteError(err);
    }
  }

  async batch(statements: SqlStatement[]): Promise<number[]> {
    try {
      // IMMEDIATE takes the write lock up front: a deferred transaction that later upgrades can deadlock with
      // another process doing the same and fail with SQLITE_BUSY despite the timeout.
      const run = this.db.transaction(() => statements.map((s) => this.db.prepare(s.sql).run(...s.params).changes));
      return run.immediate();
    } catch (err) {
      throw sqliteError(err);
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function sqliteError(err: unknown, prefix?: string): FloeError {
  if (err instanceof FloeError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const message = `${prefix ? `${prefix}: ` : ''}${(err as Error).message}`;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new FloeError('SQL_ERROR', message, { cause: err, context: { reason: UNIQUE_VIOLATION, sqliteCode: code } });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new FloeError('CATALOG_UNAVAILABLE', `catalog database is locked: ${message}`, {
      cause: err,
      retryable: true,
      context: { sqliteCode: code },
    });
  }
  if (prefix !== undefined || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
    return new FloeError('CATALOG_UNAVAILABLE', message, { cause: err, retryable: true, context: { sqliteCode: code } });
  }
  return new FloeError('SQL_ERROR', message, { cause: err, context: { sqliteCode: code } });
}

/** PostgreSQL through a pg connection pool. */
class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgresql' as const;

  private constructor(private readonly pool: Pool) {}

  static async open(connectionString: string, options: SqlConnectionOptions): Promise<PostgresConnection> {
    const pg = (await loadDriver('pg', () => import('pg'))).default;
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle client losing its server emits 'error' on the pool; unhandled, that would end the process.
    pool.on('error', () => {});
    const conn = new PostgresConnection(pool);
    // Connect once now so a wrong URI fails here, at open, rather than inside the first catalog call.
    const client = await conn.connect();
    client.release();
    return conn;
  }

  async query(sql: string, params: SqlValue[] = []): Promise<Array<Record<string, unknown>>> {
    const client = await this.connect();
    try {
      return (await client.query(numbered(sql), params)).rows as Array<Record<string, unknown>>;
    } catch (err) {
      throw pgError(err, true);
    } finally {
      client.release();
    }
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<number> {
    const client = await this.connect();
    try {
      return (await client.query(numbered(sql), params)).rowCount ?? 0;
    } catch (err) {
      throw pgError(err, true);
    } finally {
      client.release();
    }
  }

  async batch(statements: SqlStatement[]): Promise<number[]> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const counts: number[] = [];
      for (const s of statements) counts.push((await client.query(numbered(s.sql), s.params)).rowCount ?? 0);
      await client.query('COMMIT');
      return counts;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw pgError(err, true);
    } finally {
      // A client whose rollback failed is in an unknown state: destroy it rather than return it to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw pgError(err, false);
    }
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2, ...` (the catalog's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/**
 * A pg failure as a FloeError. `sent` says whether a statement may have reached the server: a connection lost then
 * leaves its outcome unknown, which a commit must not mistake for "not applied" (`context.maybeApplied`).
 */
function pgError(err: unknown, sent: boolean): FloeError {
  if (err instanceof FloeError) return err;
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = e.message ?? String(err);
  // SQLSTATE classes: 23505 unique_violation, 28 invalid authorization, 08 connection exception, 57P0x shutdown.
  if (code === '23505') {
    return new FloeError('SQL_ERROR', message, { cause: err, context: { reason: UNIQUE_VIOLATION, sqlState: code } });
  }
  if (code.startsWith('28')) return new FloeError('AUTH_FAILED', `PostgreSQL refused the login: ${message}`, { cause: err });
  const isSqlState = /^[0-9A-Z]{5}$/.test(code);
  if (!sent || !isSqlState || code.startsWith('08') || code.startsWith('57P') || code === '53300') {
    return new FloeError('CATALOG_UNAVAILABLE', `cannot reach the PostgreSQL catalog database: ${message}`, {
      cause: err,
      retryable: true,
      context: { sqlState: code || undefined, maybeApplied: sent },
    });
  }
  return new FloeError('SQL_ERROR', message, { cause: err, context: { sqlState: code } });
}
