/**
 * The embedded DuckDB engine (ARCHITECTURE.md "engine/"): one instance, connections from it, closed in `finally`.
 * Extension downloads are turned off: floe needs only DuckDB's built-in parquet, json and icu.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { FloeError, isFloeError } from '../errors.js';

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

  /** Runs one statement and returns its materialized result. DuckDB errors become `SQL_ERROR`. */
  async run(sql: string): Promise<DuckDBMaterializedResult> {
    try {
      return await this.connection.run(sql);
    } catch (cause) {
      if (isFloeError(cause)) throw cause;
      throw new FloeError('SQL_ERROR', (cause as Error).message, { cause, context: { sql } });
    }
  }

  /** Closes the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
