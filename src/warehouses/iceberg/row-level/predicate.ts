/**
 * Row predicates of row-level operations: DuckDB SQL over a table's columns (`region = 'eu' AND ts < DATE
 * '2026-01-01'`). A predicate is checked against the table's schema before anything is read (unknown columns and
 * type errors are the user's mistake: INVALID_ARGUMENT), and the part of it Iceberg expressions can state
 * (comparisons of a column with a constant, BETWEEN, IS [NOT] NULL, under AND) becomes the filter that skips files
 * by partition values and column bounds (spec: "Scan Planning"). Whatever cannot be stated prunes nothing: the
 * engine still evaluates the whole predicate on every candidate row.
 */
import { FloeError, isFloeError } from '../../../errors.js';
import type { Engine } from '../../../engine/duckdb-engine.js';
import { extractScanFilter } from '../../../engine/scan-filter.js';
import { duckdbType, quoteIdent } from '../../../engine/sql-literals.js';
import { bindExpression } from '../../../iceberg/expr/bind.js';
import type { Expression } from '../../../iceberg/expr/expression.js';
import type { Schema } from '../../../iceberg/spec/schema.js';

/** A relation with the table's columns and no rows, to bind SQL against. */
export function emptyRelation(schema: Schema): string {
  const cols = schema.fields.map((f) => `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteIdent(f.name)}`);
  return `(SELECT ${cols.join(', ')} WHERE false)`;
}

/**
 * Checks that `predicate` is a boolean DuckDB expression over the table's columns. Errors: INVALID_ARGUMENT (empty
 * predicate, unknown column, type error, not boolean), with `context.predicate`.
 */
export async function checkPredicate(engine: Engine, schema: Schema, predicate: string): Promise<void> {
  const text = predicate.trim();
  if (text === '') throw new FloeError('INVALID_ARGUMENT', 'the row filter is empty', { context: { predicate } });
  if (/;/.test(text.replace(/'[^']*'/g, ''))) {
    throw new FloeError('INVALID_ARGUMENT', 'the row filter must be one expression (no `;`)', { context: { predicate } });
  }
  try {
    await engine.run(`SELECT CAST((${text}) AS BOOLEAN) FROM ${emptyRelation(schema)} AS t WHERE (${text})`);
  } catch (err) {
    if (isFloeError(err, 'SQL_ERROR')) {
      throw new FloeError('INVALID_ARGUMENT', `bad row filter ${JSON.stringify(text)}: ${err.message.split('\n')[0]}`, {
        cause: err,
        context: { predicate: text },
      });
    }
    throw err;
  }
}

/**
 * The Iceberg expression that prunes files for `predicate` (undefined when no part of it can be stated). Parsed by
 * DuckDB as the WHERE clause of a scan, exactly as `iceberg_scan` pushes filters down.
 */
export async function pruningFilter(engine: Engine, schema: Schema, predicate: string): Promise<Expression | undefined> {
  const prefix = 'SELECT * FROM ';
  const stmt = `${prefix}iceberg_scan('t') AS t WHERE (${predicate.trim()})`;
  const filter = await extractScanFilter(engine, stmt, prefix.length, schema);
  if (!filter || filter.kind === 'true') return undefined;
  try {
    bindExpression(filter, schema, true);
    return filter;
  } catch {
    // A literal that does not fit the column (e.g. a string compared with an int) prunes nothing.
    return undefined;
  }
}
