/**
 * Row filter expressions over table columns, as used for scan planning (spec: "Scan Planning": filters are
 * projected to partition values and evaluated against column metrics to skip files). Only what pruning needs:
 * comparisons of a column with literals, null checks, IN, and boolean combinations. An expression never decides
 * what rows a query returns (the engine filters rows); it only decides which files cannot hold matching rows.
 */
import type { PrimitiveValue } from '../spec/types.js';

/** Comparison operators. */
export type ComparisonOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

/** A boolean expression on columns, unbound (by column name) or bound (by field id). */
export type Expression =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; left: Expression; right: Expression }
  | { kind: 'or'; left: Expression; right: Expression }
  | { kind: 'not'; child: Expression }
  | { kind: 'compare'; op: ComparisonOp; column: string; value: PrimitiveValue }
  | { kind: 'in'; column: string; values: PrimitiveValue[]; negated?: boolean }
  | { kind: 'is-null'; column: string }
  | { kind: 'not-null'; column: string }
  | { kind: 'is-nan'; column: string }
  | { kind: 'not-nan'; column: string };

/** `a AND b`, simplified when either side is constant. */
export function and(left: Expression, right: Expression): Expression {
  if (left.kind === 'false' || right.kind === 'false') return { kind: 'false' };
  if (left.kind === 'true') return right;
  if (right.kind === 'true') return left;
  return { kind: 'and', left, right };
}

/** `a OR b`, simplified when either side is constant. */
export function or(left: Expression, right: Expression): Expression {
  if (left.kind === 'true' || right.kind === 'true') return { kind: 'true' };
  if (left.kind === 'false') return right;
  if (right.kind === 'false') return left;
  return { kind: 'or', left, right };
}

/** The always-true expression (scan everything). */
export const alwaysTrue: Expression = { kind: 'true' };
