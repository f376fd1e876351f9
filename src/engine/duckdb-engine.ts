/**
 * The embedded DuckDB engine (ARCHITECTURE.md "engine/"): one instance, connections from it, closed in `finally`.
 * Extension downloads are turned off: floe needs only DuckDB's built-in parquet, json and icu.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { FloeError, isFloeError } from '../errors.js';

/**
 * The code of a DuckDB error: unreadable Parquet files and missing files get their own codes, so a corrupt or lost
 * data file under an Iceberg table is not reported as a mistake in the user's SQL.
 */
function classify(message: string): 'PARQUET_INVALID' | 'NOT_FOUND' | 'SQL_ERROR' {
  if (/No magic bytes found at end of file|Footer length error|too small to be a Parquet file|Invalid Input Error:.*\bParquet\b/i.test(message)) {
    return 'PARQUET_INVALID';
  }
  if (/IO Error: (No files found that match the pattern|Cannot open file)/i.test(message)) return 'NOT_FOUND';
  return 'SQL_ERROR';
}

/** An open DuckDB database and one connection on it. */
export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** The connection statements run on. */
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens an in-memory (default) or file database. */
  static async create(path = ':memory:'): Promise<Engine> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { autoinstall_known_extensions: 'false' });
    } catch (cause) {
      throw new FloeError('IO_ERROR', `cannot open DuckDB database ${path}: ${(cause as Error).message}`, { cause });
    }
    const connection = await instance.connect();
    return new Engine(instance, connection);
  }

  /** The tail of the statement queue: one connection runs one statement at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs one statement and returns its materialized result. DuckDB errors become `SQL_ERROR` (or a more specific
   * code). Statements from concurrent callers are queued: interleaving them on one connection is not safe.
   */
  async run(sql: string): Promise<DuckDBMaterializedResult> {
    const result = this.queue.then(() => this.runNow(sql));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(sql: string): Promise<DuckDBMaterializedResult> {
    try {
      return await this.connection.run(sql);
    } catch (cause) {
      if (isFloeError(cause)) throw cause;
      const message = (cause as Error).message;
      throw new FloeError(classify(message), message, { cause, context: { sql } });
    }
  }

  /** Closes the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
