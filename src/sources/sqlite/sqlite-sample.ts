/**
 * Sampling a SQLite table for validation: ORDER BY random() up to a million rows, the first n rows above (SQLite has
 * no TABLESAMPLE). Integers are read as bigints so 64-bit values keep every digit.
 */
import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { FloeError } from '../../errors.js';
import { quoteIdent } from '../schema-builder.js';
import { chunks, KEYS_PER_QUERY, RANDOM_SAMPLE_MAX_ROWS, textOf, type SampledRows, type SourceSampler } from '../source-sample.js';
import type { SourceTable } from '../source-schema.js';

/** Sampling queries on a read-only SQLite connection. */
export class SqliteSampler implements SourceSampler {
  private constructor(private readonly db: BetterSqlite3.Database) {}

  /** Opens `sqlite:path` read-only. */
  static async open(url: string): Promise<SqliteSampler> {
    const path = url.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '' || !existsSync(path)) throw new FloeError('NOT_FOUND', `SQLite database file not found: ${path}`, { context: { path } });
    const Database = (await import('better-sqlite3')).default;
    try {
      return new SqliteSampler(new Database(path, { readonly: true, fileMustExist: true }));
    } catch (cause) {
      throw new FloeError('IO_ERROR', `cannot open SQLite database ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  private rows(sql: string, params: unknown[] = []): unknown[][] {
    try {
      return this.db.prepare(sql).safeIntegers(true).raw(true).all(...params) as unknown[][];
    } catch (cause) {
      throw new FloeError('SQL_ERROR', `SQLite sample query failed: ${(cause as Error).message}`, { cause, context: { sql } });
    }
  }

  /** Up to `n` rows as text. */
  async sample(table: SourceTable, n: number): Promise<SampledRows> {
    const columns = table.columns.map((c) => c.name);
    const list = columns.map((c) => quoteIdent(c)).join(', ');
    const uniform = table.row_count === null || table.row_count <= RANDOM_SAMPLE_MAX_ROWS;
    const sql = `SELECT ${list} FROM ${quoteIdent(table.name)}${uniform ? ' ORDER BY random()' : ''} LIMIT ${n}`;
    const rows = this.rows(sql).map((r) => r.map(textOf));
    return { columns, rows, method: rows.length < n ? 'all' : uniform ? 'random' : 'first' };
  }

  /** Which of `keys` exist: compared under the column's affinity, so '5' finds the integer 5. */
  async existingKeys(table: SourceTable, columns: string[], keys: string[][]): Promise<string[][]> {
    const out: string[][] = [];
    const cols = columns.map((c) => quoteIdent(c)).join(', ');
    for (const part of chunks(keys, KEYS_PER_QUERY)) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const sql = `SELECT DISTINCT ${cols} FROM ${quoteIdent(table.name)} WHERE (${cols}) IN (VALUES ${part.map(() => tuple).join(', ')})`;
      for (const r of this.rows(sql, part.flat())) out.push(r.map((v) => textOf(v) as string));
    }
    return out;
  }

  /** Exact count and newest values. */
  async stats(table: SourceTable, newestOf: string[]): Promise<{ rowCount: number; newest: Record<string, string | null> }> {
    const list = ['count(*)', ...newestOf.map((c) => `max(${quoteIdent(c)})`)].join(', ');
    const row = this.rows(`SELECT ${list} FROM ${quoteIdent(table.name)}`)[0];
    return { rowCount: Number(row[0]), newest: Object.fromEntries(newestOf.map((c, i) => [c, textOf(row[i + 1])])) };
  }

  /** Closes the database. */
  async close(): Promise<void> {
    this.db.close();
  }
}
