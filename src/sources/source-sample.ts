/**
 * Reading a sample of a source table for validation, plus the two lookups rules need beyond the sample (which
 * foreign keys exist in the referenced table; the table's exact count and newest values). Values come back as text,
 * exactly as the database prints them, and are typed again in DuckDB: one loading path for every database. Each
 * adapter's sampler lives in its own `<adapter>-sample.ts` next to its source and opens its own connection.
 */
import { FloeError } from '../errors.js';
import { redactUrl } from './schema-builder.js';
import type { SourceTable } from './source-schema.js';

/**
 * How the rows were chosen: `random` (uniform: ORDER BY random() or reservoir sampling), `block` (PostgreSQL
 * TABLESAMPLE SYSTEM: random pages, cheap on large tables), `first` (the first n rows the database returns), `all`
 * (the table has no more than n rows: all of them).
 */
export type SampleMethod = 'random' | 'block' | 'first' | 'all';

/** Sampled rows, values as text (null for NULL), in `columns` order. */
export interface SampledRows {
  columns: string[];
  rows: (string | null)[][];
  method: SampleMethod;
}

/** Tables up to this many rows (by the database's estimate) are sampled uniformly with ORDER BY random(). */
export const RANDOM_SAMPLE_MAX_ROWS = 1_000_000;

/** A source's sampling and lookup queries. */
export interface SourceSampler {
  /** Up to `n` rows of `table`, all its columns. */
  sample(table: SourceTable, n: number): Promise<SampledRows>;
  /** Of the `keys` (tuples of text, one value per column), those present in `table`'s `columns`, as text. */
  existingKeys(table: SourceTable, columns: string[], keys: string[][]): Promise<string[][]>;
  /** The exact row count, and `MAX(column)` as text for each of `newestOf`. */
  stats(table: SourceTable, newestOf: string[]): Promise<{ rowCount: number; newest: Record<string, string | null> }>;
  close(): Promise<void>;
}

/** Tuples per lookup query: well under every database's bound-parameter limit. */
export const KEYS_PER_QUERY = 500;

/** Splits `items` into chunks of `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The value of a sampled row as text: numbers and bigints printed exactly, buffers as `\x` hex, dates as ISO. */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** Opens the sampler for a source URL (the schemes of `openSource`). */
export async function openSampler(url: string): Promise<SourceSampler> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgresql':
    case 'postgres':
      return (await import('./postgres/postgres-sample.js')).PostgresSampler.open(url);
    case 'mysql':
    case 'mariadb':
      return (await import('./mysql/mysql-sample.js')).MysqlSampler.open(url);
    case 'sqlite':
      return (await import('./sqlite/sqlite-sample.js')).SqliteSampler.open(url);
    case 'duckdb':
      return (await import('./duckdb/duckdb-sample.js')).DuckdbSampler.open(url);
    default:
      throw new FloeError('INVALID_ARGUMENT', `unsupported source URL ${redactUrl(url)}`);
  }
}
