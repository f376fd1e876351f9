/**
 * Binding of row filters to a schema (spec: "Scan Planning"): column names become field ids with their primitive
 * types, literals become values of the column's type, and `not` is pushed into the predicates. Where a literal has
 * no exact counterpart in the column's type the bound predicate is widened so that it still holds for every row
 * the filter could select: pruning with a bound expression may keep too many files, never too few.
 */
import { FloeError } from '../../errors.js';
import { findFieldByName } from '../spec/schema.js';
import type { Schema } from '../spec/schema.js';
import { parsePrimitive, type IcebergType, type Primitive, type PrimitiveValue } from '../spec/types.js';
import { rewriteNot, type ComparisonOp, type Expression } from './expression.js';
import { ceilRat, floorRat, literalMeaning, type LiteralMeaning } from './literals.js';

/** A column resolved by {@link bindExpression}, or a partition field after projection. */
export interface BoundReference {
  /** Field id: a schema field id, or a partition field id in a projected expression. */
  fieldId: number;
  /** Dotted column name (or partition field name), for messages. */
  name: string;
  /** Type of the values the predicate compares. */
  type: Primitive;
}

/** A predicate on one bound field. Literals follow the {@link PrimitiveValue} form of `ref.type`; none is NaN. */
export type BoundPredicate =
  | { kind: 'compare'; op: ComparisonOp; ref: BoundReference; value: PrimitiveValue }
  | { kind: 'in'; ref: BoundReference; values: PrimitiveValue[]; negated: boolean }
  | { kind: 'is-null'; ref: BoundReference }
  | { kind: 'not-null'; ref: BoundReference }
  | { kind: 'is-nan'; ref: BoundReference }
  | { kind: 'not-nan'; ref: BoundReference };

/** A bound expression. It has no `not`: negations are rewritten into the predicates while binding. */
export type BoundExpression =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; left: BoundExpression; right: BoundExpression }
  | { kind: 'or'; left: BoundExpression; right: BoundExpression }
  | BoundPredicate;

const TRUE: BoundExpression = { kind: 'true' };
const FALSE: BoundExpression = { kind: 'false' };

/** `a AND b` over bound expressions, simplified when either side is constant. */
export function boundAnd(left: BoundExpression, right: BoundExpression): BoundExpression {
  if (left.kind === 'false' || right.kind === 'false') return FALSE;
  if (left.kind === 'true') return right;
  if (right.kind === 'true') return left;
  return { kind: 'and', left, right };
}

/** `a OR b` over bound expressions, simplified when either side is constant. */
export function boundOr(left: BoundExpression, right: BoundExpression): BoundExpression {
  if (left.kind === 'true' || right.kind === 'true') return TRUE;
  if (left.kind === 'false') return right;
  if (right.kind === 'false') return left;
  return { kind: 'or', left, right };
}

/**
 * Resolves a dotted column name to a primitive field reachable through structs only: values inside lists and
 * maps have no single value per row, so per-file metrics cannot be compared with a literal for them.
 */
function resolveColumn(schema: Pick<Schema, 'fields'>, column: string, caseSensitive: boolean): BoundReference {
  const found = findFieldByName(schema, column, caseSensitive);
  const fail = (why: string): FloeError =>
    new FloeError('INVALID_ARGUMENT', `cannot filter on column '${column}': ${why}`, { context: { column } });
  if (found === undefined) throw fail('no such column in the schema');
  let type: IcebergType = { type: 'struct', fields: schema.fields };
  for (const step of found.path) {
    const next: IcebergType | undefined =
      typeof type === 'object' && type.type === 'struct' ? type.fields.find((f) => f.name === step)?.type : undefined;
    if (next === undefined) throw fail('it is inside a list or map');
    type = next;
  }
  if (typeof found.field.type !== 'string') throw fail('it is not a primitive column');
  return { fieldId: found.field.id, name: found.path.join('.'), type: parsePrimitive(found.field.type) };
}

const INT_RANGE: [bigint, bigint] = [-(1n << 31n), (1n << 31n) - 1n];
const LONG_RANGE: [bigint, bigint] = [-(1n << 63n), (1n << 63n) - 1n];

/** Smallest and largest value of an integer-valued type, in its {@link PrimitiveValue} units. */
function integerDomain(type: Primitive): [bigint, bigint] {
  if (type.kind === 'int' || type.kind === 'date') return INT_RANGE;
  if (type.kind === 'decimal') {
    const max = 10n ** BigInt(type.precision) - 1n;
    return [-max, max];
  }
  return LONG_RANGE;
}

function integerValue(type: Primitive, v: bigint): PrimitiveValue {
  return type.kind === 'int' || type.kind === 'date' ? Number(v) : v;
}

/**
 * `ref op v` for an integer `v` that may lie outside the column's domain: out-of-range bounds turn into
 * `not-null` (every value passes) or `false` (none does), so later transforms never see an overflowing value.
 * `v` undefined stands for +∞ (`above`) or -∞.
 */
function integerCompare(op: ComparisonOp, ref: BoundReference, v: bigint | undefined, above: boolean): BoundExpression {
  const [min, max] = integerDomain(ref.type);
  const x = v === undefined ? (above ? max + 1n : min - 1n) : v;
  const notNull: BoundExpression = { kind: 'not-null', ref };
  const cmp = (o: ComparisonOp): BoundExpression => ({ kind: 'compare', op: o, ref, value: integerValue(ref.type, x) });
  switch (op) {
    case 'lt':
      return x > max ? notNull : x <= min ? FALSE : cmp('lt');
    case 'lte':
      return x >= max ? notNull : x < min ? FALSE : cmp('lte');
    case 'gt':
      return x >= max ? FALSE : x < min ? notNull : cmp('gt');
    case 'gte':
      return x > max ? FALSE : x <= min ? notNull : cmp('gte');
    case 'eq':
      return x < min || x > max ? FALSE : cmp('eq');
    case 'neq':
      return x < min || x > max ? notNull : cmp('neq');
  }
}

/**
 * A comparison whose literal lies somewhere in `[lo, hi]` (exactly at a non-domain point when `point`): each
 * operator takes the side of the interval that admits the most rows, e.g. `x < r` becomes `x < ceil(hi)`.
 */
function bindComparison(op: ComparisonOp, ref: BoundReference, m: LiteralMeaning): BoundExpression {
  const notNull: BoundExpression = { kind: 'not-null', ref };
  switch (m.kind) {
    case 'opaque':
      return TRUE;
    case 'nan':
      // Only `= NaN` selects anything definite (the NaN rows); orderings with NaN differ between engines.
      return op === 'eq' ? { kind: 'is-nan', ref } : TRUE;
    case 'value':
      // Java orders UUIDs as signed longs while writers order bounds as unsigned bytes: only equality is safe.
      if (ref.type.kind === 'uuid' && op !== 'eq' && op !== 'neq') return TRUE;
      return { kind: 'compare', op, ref, value: m.value };
    case 'float':
      if (m.point) return { kind: 'compare', op, ref, value: m.lo };
      if (op === 'lt' || op === 'lte') return { kind: 'compare', op, ref, value: m.hi };
      if (op === 'gt' || op === 'gte') return { kind: 'compare', op, ref, value: m.lo };
      if (op === 'neq') return notNull;
      return boundAnd({ kind: 'compare', op: 'gte', ref, value: m.lo }, { kind: 'compare', op: 'lte', ref, value: m.hi });
    case 'integer': {
      const above = (r: { n: bigint }): boolean => r.n > 0n;
      const lo = (round: typeof ceilRat) => round(m.lo);
      const hi = (round: typeof ceilRat) => round(m.hi);
      switch (op) {
        case 'lt':
          return integerCompare('lt', ref, hi(ceilRat), above(m.hi));
        case 'lte':
          return integerCompare('lte', ref, hi(floorRat), above(m.hi));
        case 'gt':
          return integerCompare('gt', ref, lo(floorRat), above(m.lo));
        case 'gte':
          return integerCompare('gte', ref, lo(ceilRat), above(m.lo));
        case 'eq': {
          const a = lo(ceilRat);
          const b = hi(floorRat);
          if (m.point) return a === undefined || a !== b ? FALSE : integerCompare('eq', ref, a, false);
          return boundAnd(integerCompare('gte', ref, a, above(m.lo)), integerCompare('lte', ref, b, above(m.hi)));
        }
        case 'neq': {
          const a = lo(ceilRat);
          return m.point && a !== undefined && a === hi(floorRat) ? integerCompare('neq', ref, a, false) : notNull;
        }
      }
    }
  }
}

/**
 * `ref IN values` / `NOT IN`: each literal is bound as `=` (or `!=`); exact ones are gathered into one set, and
 * widened ones join as disjuncts for IN and are dropped for NOT IN (excluding fewer values admits more rows).
 */
function bindIn(ref: BoundReference, values: PrimitiveValue[], negated: boolean): BoundExpression {
  // Engines disagree on whether a null passes `NOT IN ()`; with nothing excluded, do not prune at all.
  if (negated && values.length === 0) return TRUE;
  const exact: PrimitiveValue[] = [];
  let rest: BoundExpression = FALSE;
  for (const v of values) {
    const e = bindComparison(negated ? 'neq' : 'eq', ref, literalMeaning(ref.type, ref.name, v));
    if (e.kind === 'compare' && e.op === (negated ? 'neq' : 'eq')) exact.push(e.value);
    else if (!negated) rest = boundOr(rest, e);
  }
  if (negated) return exact.length === 0 ? { kind: 'not-null', ref } : { kind: 'in', ref, values: exact, negated };
  const set: BoundExpression = exact.length === 0 ? FALSE : { kind: 'in', ref, values: exact, negated: false };
  return boundOr(set, rest);
}

function bindNode(expr: Expression, schema: Pick<Schema, 'fields'>, caseSensitive: boolean): BoundExpression {
  switch (expr.kind) {
    case 'true':
      return TRUE;
    case 'false':
      return FALSE;
    case 'and':
      return boundAnd(bindNode(expr.left, schema, caseSensitive), bindNode(expr.right, schema, caseSensitive));
    case 'or':
      return boundOr(bindNode(expr.left, schema, caseSensitive), bindNode(expr.right, schema, caseSensitive));
    case 'not':
      throw new FloeError('INTERNAL', 'bindNode: not must be rewritten before binding');
    case 'compare': {
      const ref = resolveColumn(schema, expr.column, caseSensitive);
      return bindComparison(expr.op, ref, literalMeaning(ref.type, ref.name, expr.value));
    }
    case 'in':
      return bindIn(resolveColumn(schema, expr.column, caseSensitive), expr.values, expr.negated === true);
    case 'is-null':
    case 'not-null':
      return { kind: expr.kind, ref: resolveColumn(schema, expr.column, caseSensitive) };
    case 'is-nan':
    case 'not-nan': {
      const ref = resolveColumn(schema, expr.column, caseSensitive);
      if (ref.type.kind !== 'float' && ref.type.kind !== 'double') {
        throw new FloeError('INVALID_ARGUMENT', `${expr.kind} needs a float or double column, '${ref.name}' is not`, {
          context: { column: expr.column },
        });
      }
      return { kind: expr.kind, ref };
    }
  }
}

/**
 * Binds a row filter to `schema`: `not` is pushed down first (so a widened predicate is never negated into a
 * narrower one), then names are resolved (dotted names reach into structs; case-insensitively when
 * `caseSensitive` is false) and literals converted to the column's type (see `literalMeaning` for the accepted
 * forms: date and timestamp strings, decimal numbers, ...). A literal without an exact counterpart yields a
 * predicate that admits at least every matching row (`int < 5.5` → `int < 6`, `int = 5.5` → false, a UUID
 * ordering → true). An unknown column, or a literal of the wrong kind, throws `INVALID_ARGUMENT` with
 * `context.column`.
 */
export function bindExpression(expr: Expression, schema: Pick<Schema, 'fields'>, caseSensitive = true): BoundExpression {
  return bindNode(rewriteNot(expr), schema, caseSensitive);
}
