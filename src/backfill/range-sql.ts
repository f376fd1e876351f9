/**
 * A window's half-open key range `[start, end)` as a DuckDB predicate, for the DuckDB side of a window (overwrite
 * of the rows a window replaces, reading back a range). Bounds are numbers, bigints or ISO text (dates and
 * timestamps), which DuckDB casts to the column's type when compared.
 */
import { quoteIdent, quoteString } from '../engine/sql-literals.js';
import type { BoundValue, KeyRange } from '../sources/extract.js';

/** A bound as a DuckDB literal. */
export function boundLiteral(v: Exclude<BoundValue, null>): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : quoteString(String(v));
  return quoteString(v);
}

/** `col >= start AND col < end` (unbounded sides left out; NULL keys only with `includeNulls`). */
export function rangePredicate(range: KeyRange, alias?: string): string {
  const col = (alias ? `${alias}.` : '') + quoteIdent(range.column);
  const parts: string[] = [];
  if (range.start !== null) parts.push(`${col} >= ${boundLiteral(range.start)}`);
  if (range.end !== null) parts.push(`${col} < ${boundLiteral(range.end)}`);
  const inRange = parts.length === 0 ? `${col} IS NOT NULL` : parts.join(' AND ');
  return range.includeNulls ? `((${inRange}) OR ${col} IS NULL)` : `(${inRange})`;
}
