/**
 * Sampling a DuckDB table for validation: reservoir sampling (`USING SAMPLE reservoir(n ROWS)`), uniform and one
 * pass. Values are read as DuckDB's VARCHAR casts.
 */
import { existsSync } from 'node:fs';
import { Engine } from '../../engine/duckdb-engine.js';
import { quoteString } from '../../engine/sql-literals.js';
import { FloeError } from '../../errors.js';
import { quoteIdent } from '../schema-builder.js';
import { chunks, KEYS_PER_QUERY, type SampledRows, type SourceSampler } from '../source-sample.js';
import type { SourceTable } from '../source-schema.js';

/** Sampling queries on a DuckDB database file. */
export class DuckdbSampler implements SourceSampler {
  private constructor(private readonly engine: Engine) {}

  /** Opens `duckdb:path`. */
  static async open(url: string): Promise<DuckdbSampler> {
    const path = url.replace(/^duckdb:(\/\/)?/i, '');
    if (path === '' || !existsSync(path)) throw new FloeError('NOT_FOUND', `DuckDB database file not found: ${path}`, { context: { path } });
    return new DuckdbSampler(await Engine.create(path));
  }

  private async rows(sql: string): Promise<(string | null)[][]> {
    const res = await this.engine.run(sql);
    return (await res.getRowsJson()) as (string | null)[][];
  }

  /** Up to `n` rows as text. */
  async sample(table: SourceTable, n: number): Promise<SampledRows> {
    const columns = table.columns.map((c) => c.name);
    const list = columns.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(', ');
    const rows = await this.rows(`SELECT ${list} FROM main.${quoteIdent(table.name)} USING SAMPLE reservoir(${n} ROWS)`);
    return { columns, rows, method: rows.length < n ? 'all' : 'random' };
  }

  /** Which of `keys` exist (text operands cast to the columns' types). */
  async existingKeys(table: SourceTable, columns: string[], keys: string[][]): Promise<string[][]> {
    const out: string[][] = [];
    const cols = columns.map((c) => `t.${quoteIdent(c)}`);
    for (const part of chunks(keys, KEYS_PER_QUERY)) {
      const values = part.map((k) => `(${k.map(quoteString).join(', ')})`).join(', ');
      const sql = `SELECT DISTINCT ${cols.map((c) => `CAST(${c} AS VARCHAR)`).join(', ')} FROM main.${quoteIdent(table.name)} t ` +
        `SEMI JOIN (VALUES ${values}) AS k(${columns.map((_, i) => `k${i}`).join(', ')}) ON ${cols.map((c, i) => `${c} = TRY_CAST(k.k${i} AS ${table.columns.find((x) => x.name === columns[i])?.type ?? 'VARCHAR'})`).join(' AND ')}`;
      for (const r of await this.rows(sql)) out.push(r as string[]);
    }
    return out;
  }

  /** Exact count and newest values. */
  async stats(table: SourceTable, newestOf: string[]): Promise<{ rowCount: number; newest: Record<string, string | null> }> {
    const list = ['CAST(count(*) AS VARCHAR)', ...newestOf.map((c) => `CAST(max(${quoteIdent(c)}) AS VARCHAR)`)].join(', ');
    const row = (await this.rows(`SELECT ${list} FROM main.${quoteIdent(table.name)}`))[0];
    return { rowCount: Number(row[0]), newest: Object.fromEntries(newestOf.map((c, i) => [c, row[i + 1]])) };
  }

  /** Closes the database. */
  async close(): Promise<void> {
    this.engine.close();
  }
}
