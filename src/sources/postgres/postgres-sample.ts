/**
 * Sampling a PostgreSQL table for validation: ORDER BY random() up to a million rows (a top-N heap over one scan),
 * TABLESAMPLE SYSTEM above (random pages: cheap, though rows of one page come together), the first n rows of a view
 * whose size is unknown. Values are read as PostgreSQL's text output (`::text`).
 */
import pg from 'pg';
import { postgresSettings } from './postgres-url.js';
import { FloeError } from '../../errors.js';
import { quoteIdent, redactUrl } from '../schema-builder.js';
import { chunks, KEYS_PER_QUERY, RANDOM_SAMPLE_MAX_ROWS, type SampledRows, type SourceSampler } from '../source-sample.js';
import type { SourceTable } from '../source-schema.js';
import { postgresError } from './postgres-source.js';

/** Sampling queries on one PostgreSQL connection. */
export class PostgresSampler implements SourceSampler {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
  ) {}

  /** Connects to `url` (`?schema=` as for the source, default `public`). */
  static async open(url: string): Promise<PostgresSampler> {
    const { connectionString, schema } = postgresSettings(url);
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    try {
      await client.connect();
      // Type names in casts (enums, domains) resolve in the source's schema.
      await client.query(`SET search_path TO ${quoteIdent(schema)}, public`);
    } catch (cause) {
      await client.end().catch(() => {});
      throw postgresError(cause, `cannot connect to PostgreSQL at ${redactUrl(url)}`);
    }
    return new PostgresSampler(client, schema);
  }

  private async query(sql: string, params: unknown[] = []): Promise<Array<Record<string, string | null>>> {
    try {
      return (await this.client.query({ text: sql, values: params })).rows as Array<Record<string, string | null>>;
    } catch (cause) {
      throw postgresError(cause, 'PostgreSQL sample query failed');
    }
  }

  private rel(table: SourceTable): string {
    return `${quoteIdent(table.schema ?? this.schema)}.${quoteIdent(table.name)}`;
  }

  /** Up to `n` rows as text. */
  async sample(table: SourceTable, n: number): Promise<SampledRows> {
    const columns = table.columns.map((c) => c.name);
    const list = columns.map((c, i) => `${quoteIdent(c)}::text AS c${i}`).join(', ');
    const estimate = table.row_count;
    let sql: string;
    let method: SampledRows['method'];
    if (table.kind === 'table' && estimate !== null && estimate > RANDOM_SAMPLE_MAX_ROWS) {
      // Three times the pages needed, then a uniform pick among their rows, so a short draw rarely happens.
      const percent = Math.min(100, (300 * n) / estimate);
      sql = `SELECT ${list} FROM ${this.rel(table)} TABLESAMPLE SYSTEM (${percent}) ORDER BY random() LIMIT ${n}`;
      method = 'block';
    } else if (estimate === null && table.kind === 'view') {
      sql = `SELECT ${list} FROM ${this.rel(table)} LIMIT ${n}`;
      method = 'first';
    } else {
      sql = `SELECT ${list} FROM ${this.rel(table)} ORDER BY random() LIMIT ${n}`;
      method = 'random';
    }
    const rows = (await this.query(sql)).map((r) => columns.map((_, i) => r[`c${i}`]));
    return { columns, rows, method: method !== 'block' && rows.length < n ? 'all' : method };
  }

  /** Which of `keys` exist in `table(columns)`: typed by casting each text value to the column's own type. */
  async existingKeys(table: SourceTable, columns: string[], keys: string[][]): Promise<string[][]> {
    const types = columns.map((c) => {
      const col = table.columns.find((x) => x.name === c);
      if (!col) throw new FloeError('INVALID_ARGUMENT', `table ${table.name} has no column ${c}`);
      return col.type;
    });
    const out: string[][] = [];
    for (const part of chunks(keys, KEYS_PER_QUERY)) {
      const params = columns.map((_, i) => part.map((k) => k[i]));
      const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
      const typed = columns.map((_, i) => `u.k${i}::${types[i]}`).join(', ');
      const sql =
        `SELECT DISTINCT ${columns.map((c, i) => `t.${quoteIdent(c)}::text AS c${i}`).join(', ')} FROM ${this.rel(table)} t ` +
        `WHERE (${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')}) IN (SELECT ${typed} FROM unnest(${unnest}) AS u(${columns.map((_, i) => `k${i}`).join(', ')}))`;
      for (const r of await this.query(sql, params)) out.push(columns.map((_, i) => r[`c${i}`] as string));
    }
    return out;
  }

  /** Exact count and newest values. */
  async stats(table: SourceTable, newestOf: string[]): Promise<{ rowCount: number; newest: Record<string, string | null> }> {
    const list = ['count(*)::text AS n', ...newestOf.map((c, i) => `max(${quoteIdent(c)})::text AS m${i}`)].join(', ');
    const row = (await this.query(`SELECT ${list} FROM ${this.rel(table)}`))[0];
    return { rowCount: Number(row.n), newest: Object.fromEntries(newestOf.map((c, i) => [c, row[`m${i}`]])) };
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
