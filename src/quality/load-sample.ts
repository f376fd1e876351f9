/**
 * Sampled source rows (text) into DuckDB, typed by the source's declared column types: the text goes in through
 * DuckDB's appender into a VARCHAR staging table, then one CAST per column makes the typed temp table the rules run
 * on. A value that is not of its column's type (SQLite stores anything anywhere) is SCHEMA_MISMATCH, naming it.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import { FloeError, isFloeError } from '../errors.js';
import type { SourceColumn } from '../sources/source-schema.js';

/** The DuckDB type rules see a source column as. Types with no exact DuckDB twin (JSON, enums, binary) are text. */
export function duckdbTypeOfColumn(column: Pick<SourceColumn, 'normalized' | 'precision' | 'scale'>): string {
  switch (column.normalized) {
    case 'boolean': return 'BOOLEAN';
    case 'smallint': return 'SMALLINT';
    case 'integer': return 'INTEGER';
    case 'bigint': return 'BIGINT';
    case 'decimal':
      // An unconstrained NUMERIC can hold more digits than any DuckDB DECIMAL: compared as DOUBLE.
      return column.precision !== undefined && column.precision <= 38 ? `DECIMAL(${column.precision},${column.scale ?? 0})` : 'DOUBLE';
    case 'float': return 'FLOAT';
    case 'double': return 'DOUBLE';
    case 'date': return 'DATE';
    case 'time': return 'TIME';
    case 'timestamp': return 'TIMESTAMP';
    case 'timestamptz': return 'TIMESTAMPTZ';
    case 'uuid': return 'UUID';
    default: return 'VARCHAR';
  }
}

/** A column of a table being loaded: its name and DuckDB type. */
export interface LoadColumn {
  name: string;
  type: string;
}

/** A fresh temp table name. */
export function tempName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** Loads text rows into a new temp table with `columns`' types and returns its (unquoted) name. */
export async function loadTextRows(engine: Engine, columns: LoadColumn[], rows: (string | null)[][], prefix = '__floe_sample'): Promise<string> {
  const staging = tempName(`${prefix}_text`);
  const target = tempName(prefix);
  await engine.run(`CREATE TEMP TABLE ${quoteIdent(staging)} (${columns.map((c, i) => `${quoteIdent(`c${i}`)} VARCHAR`).join(', ')})`);
  try {
    const appender = await engine.connection.createAppender(staging, null, 'temp');
    try {
      for (const row of rows) {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const casts = columns.map((c, i) => `CAST(${quoteIdent(`c${i}`)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
    try {
      await engine.run(`CREATE TEMP TABLE ${quoteIdent(target)} AS SELECT ${casts} FROM ${quoteIdent(staging)}`);
    } catch (err) {
      if (!isFloeError(err, 'SQL_ERROR')) throw err;
      throw await castFailure(engine, staging, columns, err);
    }
    return target;
  } finally {
    await engine.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(staging)}`);
  }
}

/** The first value that does not cast to its column's type, as a SCHEMA_MISMATCH. */
async function castFailure(engine: Engine, staging: string, columns: LoadColumn[], cause: unknown): Promise<FloeError> {
  for (let i = 0; i < columns.length; i++) {
    const c = quoteIdent(`c${i}`);
    const res = await engine.run(`SELECT ${c} AS v FROM ${quoteIdent(staging)} WHERE ${c} IS NOT NULL AND TRY_CAST(${c} AS ${columns[i].type}) IS NULL LIMIT 1`);
    const rows = (await res.getRowObjectsJson()) as Array<{ v: string }>;
    if (rows.length > 0) {
      return new FloeError('SCHEMA_MISMATCH', `column ${columns[i].name} holds ${quoteString(rows[0].v)}, which is not a ${columns[i].type}`, {
        cause, context: { column: columns[i].name, value: rows[0].v, type: columns[i].type },
      });
    }
  }
  return cause as FloeError;
}
