/**
 * Sampling a MySQL / MariaDB table for validation: ORDER BY RAND() up to a million rows, the first n rows above
 * (neither has TABLESAMPLE). Values are read as text (`CAST(... AS CHAR)`), as the server prints them.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { quoteIdent } from '../schema-builder.js';
import { chunks, KEYS_PER_QUERY, RANDOM_SAMPLE_MAX_ROWS, textOf, type SampledRows, type SourceSampler } from '../source-sample.js';
import type { SourceTable } from '../source-schema.js';
import { connectMysql, mysqlError } from './mysql-source.js';

const q = (name: string): string => quoteIdent(name, '`');

/** Sampling queries on one MySQL connection. */
export class MysqlSampler implements SourceSampler {
  private constructor(private readonly connection: Connection) {}

  /** Connects to `url` (`mysql://` or `mariadb://`, the path names the database). */
  static async open(url: string): Promise<MysqlSampler> {
    return new MysqlSampler((await connectMysql(url)).connection);
  }

  private async rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    try {
      const [rows] = await this.connection.query<RowDataPacket[]>({ sql, rowsAsArray: true }, params);
      return rows as unknown as unknown[][];
    } catch (cause) {
      throw mysqlError(cause, 'MySQL sample query failed');
    }
  }

  /** Up to `n` rows as text. */
  async sample(table: SourceTable, n: number): Promise<SampledRows> {
    const columns = table.columns.map((c) => c.name);
    const list = columns.map((c) => `CAST(${q(c)} AS CHAR)`).join(', ');
    const uniform = table.row_count === null || table.row_count <= RANDOM_SAMPLE_MAX_ROWS;
    const rows = (await this.rows(`SELECT ${list} FROM ${q(table.name)}${uniform ? ' ORDER BY RAND()' : ''} LIMIT ${n}`)).map((r) => r.map(textOf));
    return { columns, rows, method: rows.length < n ? 'all' : uniform ? 'random' : 'first' };
  }

  /** Which of `keys` exist (MySQL converts the text operands to the column's type to compare). */
  async existingKeys(table: SourceTable, columns: string[], keys: string[][]): Promise<string[][]> {
    const out: string[][] = [];
    const cols = columns.map(q).join(', ');
    for (const part of chunks(keys, KEYS_PER_QUERY)) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const sql = `SELECT DISTINCT ${columns.map((c) => `CAST(${q(c)} AS CHAR)`).join(', ')} FROM ${q(table.name)} WHERE (${cols}) IN (${part.map(() => tuple).join(', ')})`;
      for (const r of await this.rows(sql, part.flat())) out.push(r.map((v) => textOf(v) as string));
    }
    return out;
  }

  /** Exact count and newest values. */
  async stats(table: SourceTable, newestOf: string[]): Promise<{ rowCount: number; newest: Record<string, string | null> }> {
    const list = ['COUNT(*)', ...newestOf.map((c) => `CAST(MAX(${q(c)}) AS CHAR)`)].join(', ');
    const row = (await this.rows(`SELECT ${list} FROM ${q(table.name)}`))[0];
    return { rowCount: Number(row[0]), newest: Object.fromEntries(newestOf.map((c, i) => [c, textOf(row[i + 1])])) };
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.connection.end().catch(() => {});
  }
}
