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

const NEGATED_OP: Record<ComparisonOp, ComparisonOp> = {
  eq: 'neq',
  neq: 'eq',
  lt: 'gte',
  lte: 'gt',
  gt: 'lte',
  gte: 'lt',
};

/**
 * The negation of `expr` with no `not` left in it: De Morgan for `and`/`or`, and every predicate replaced by its
 * complement (`lt` ↔ `gte`, `in` ↔ `not in`, `is-null` ↔ `not-null`, ...). Under SQL's three-valued logic a row
 * passes `NOT p` exactly when `p` is false, and for a non-null value that is the complement predicate (NaN
 * included, as NaN sorts above every number: spec "Sorting", the order Java and DuckDB compare in), so the rewrite
 * keeps the rows a filter selects. Pruning needs it: a "might match" answer cannot be negated (a file that might
 * match `p` may also hold rows failing `p`), so evaluators only ever see NOT-free expressions.
 */
export function negate(expr: Expression): Expression {
  switch (expr.kind) {
    case 'true':
      return { kind: 'false' };
    case 'false':
      return { kind: 'true' };
    case 'and':
      return or(negate(expr.left), negate(expr.right));
    case 'or':
      return and(negate(expr.left), negate(expr.right));
    case 'not':
      return rewriteNot(expr.child);
    case 'compare':
      return { ...expr, op: NEGATED_OP[expr.op] };
    case 'in':
      return { kind: 'in', column: expr.column, values: expr.values, negated: !expr.negated };
    case 'is-null':
      return { kind: 'not-null', column: expr.column };
    case 'not-null':
      return { kind: 'is-null', column: expr.column };
    case 'is-nan':
      return { kind: 'not-nan', column: expr.column };
    case 'not-nan':
      return { kind: 'is-nan', column: expr.column };
  }
}

/** `expr` with every `not` pushed down into the predicates (see {@link negate}); the result has no `not` node. */
export function rewriteNot(expr: Expression): Expression {
  switch (expr.kind) {
    case 'and':
      return and(rewriteNot(expr.left), rewriteNot(expr.right));
    case 'or':
      return or(rewriteNot(expr.left), rewriteNot(expr.right));
    case 'not':
      return negate(expr.child);
    default:
      return expr;
  }
}
