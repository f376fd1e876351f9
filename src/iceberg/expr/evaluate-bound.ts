/**
 * The AND/OR walk shared by the pruning evaluators (metrics, partition tuple, manifest summaries): each decides
 * "might match" for one predicate on its own evidence, and combines the answers over a {@link BoundExpression}.
 */
import type { BoundExpression, BoundPredicate } from './bind.js';

/**
 * Evaluates `expr` with `predicateMightMatch` deciding each predicate: `true`/`false` are constants, `and` and
 * `or` combine their sides with short-circuit `&&`/`||`. Bound expressions have no `not` (binding pushes it into
 * the predicates), so combining "might match" answers this way stays inclusive: it never rules out a match.
 */
export function evaluateBound(
  expr: BoundExpression,
  predicateMightMatch: (predicate: BoundPredicate) => boolean,
): boolean {
  switch (expr.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evaluateBound(expr.left, predicateMightMatch) && evaluateBound(expr.right, predicateMightMatch);
    case 'or':
      return evaluateBound(expr.left, predicateMightMatch) || evaluateBound(expr.right, predicateMightMatch);
    default:
      return predicateMightMatch(expr);
  }
}
