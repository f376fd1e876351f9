/**
 * What a write reads: a DuckDB query, files (Parquet, CSV, JSON; local or on S3), or JS rows. Each becomes a DuckDB
 * relation the data-file writer copies from, so rows never all sit in JS memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FloeError } from '../../errors.js';
import { appendRowsToTemp } from '../../engine/data-file-writer.js';
import type { Engine } from '../../engine/duckdb-engine.js';
import { stringList } from '../../engine/sql-literals.js';
import type { FileIO } from '../../iceberg/io/file-io.js';
import { baseName } from '../../iceberg/io/file-io.js';
import type { Schema } from '../../iceberg/spec/schema.js';

/** Rows to write. */
export type WriteInput =
  | { sql: string }
  | { files: string[]; format?: 'parquet' | 'csv' | 'json' }
  | { rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>> };

/** A prepared relation and how to release what preparing it made. */
export interface PreparedInput {
  relation: string;
  release(): Promise<void>;
}

function formatOf(path: string, given?: string): 'parquet' | 'csv' | 'json' {
  if (given) return given as 'parquet' | 'csv' | 'json';
  const p = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (p.endsWith('.parquet')) return 'parquet';
  if (p.endsWith('.csv') || p.endsWith('.tsv')) return 'csv';
  if (p.endsWith('.json') || p.endsWith('.jsonl') || p.endsWith('.ndjson')) return 'json';
  throw new FloeError('INVALID_ARGUMENT', `cannot tell the format of ${path} (use .parquet, .csv or .json, or say --format)`, {
    context: { path },
  });
}

/**
 * Makes `input` a DuckDB relation. Object-store files are first copied to a temporary local directory through
 * FileIO (DuckDB here has no httpfs); `ioFor` gives the FileIO for such a path.
 */
export async function prepareInput(
  engine: Engine,
  input: WriteInput,
  schema: Schema | undefined,
  ioFor: (path: string) => FileIO,
): Promise<PreparedInput> {
  if ('sql' in input) {
    const sql = input.sql.trim().replace(/;\s*$/, '');
    if (sql === '') throw new FloeError('INVALID_ARGUMENT', 'the source query is empty');
    return { relation: `(${sql})`, release: async () => undefined };
  }
  if ('files' in input) {
    if (input.files.length === 0) throw new FloeError('INVALID_ARGUMENT', 'no input files given');
    const format = formatOf(input.files[0], input.format);
    let tmp: string | undefined;
    const local: string[] = [];
    for (const f of input.files) {
      if (/^s3[an]?:\/\//i.test(f)) {
        tmp ??= await mkdtemp(join(tmpdir(), 'floe-input-'));
        const target = join(tmp, `${local.length}-${baseName(f)}`);
        const io = ioFor(f);
        const { writeFile } = await import('node:fs/promises');
        await writeFile(target, await io.read(f));
        local.push(target);
      } else {
        local.push(f.replace(/^file:(\/\/)?/, ''));
      }
    }
    const list = stringList(local);
    const relation =
      format === 'parquet'
        ? `read_parquet(${list})`
        : format === 'csv'
          ? `read_csv(${list}, auto_detect = true)`
          : `read_json_auto(${list})`;
    return { relation, release: async () => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined) };
  }
  if (!schema) throw new FloeError('INVALID_ARGUMENT', 'writing JS rows needs the table to exist (its schema types the rows)');
  const table = await appendRowsToTemp(engine, schema, input.rows);
  return { relation: table, release: async () => void (await engine.run(`DROP TABLE IF EXISTS ${table}`)) };
}
