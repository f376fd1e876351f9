/**
 * Inclusive projection of row filters to partition filters, and their evaluation on a file's partition tuple
 * (spec: "Scan Planning", "Partition Transforms"). If a row matches the row filter, its partition tuple matches
 * the projection; rows outside the filter may match too, so the projection only tells which files to skip.
 */
import type { PartitionSpec } from '../spec/partition-spec.js';
import { indexById, type Schema } from '../spec/schema.js';
import { applyTransform, parseTransform, resultType, type Transform } from '../spec/transforms.js';
import { parsePrimitive, type Primitive, type PrimitiveValue } from '../spec/types.js';
import { boundAnd, boundOr, type BoundExpression, type BoundPredicate, type BoundReference } from './bind.js';
import type { ComparisonOp } from './expression.js';
import { compareValues, isNaNValue, sameValue } from './compare.js';
import { evaluateBound } from './evaluate-bound.js';

const TRUE: BoundExpression = { kind: 'true' };

/** A partition field of the spec with what projecting onto it needs. */
interface Target {
  ref: BoundReference;
  transform: Transform;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/**
 * The value one step below (`-1`) or above (`+1`) an integer-valued literal, in the literal's own form, or
 * `undefined` when that leaves the source type's range (transforms would wrap around, as Java's int math does).
 */
function step(source: Primitive, value: PrimitiveValue, by: 1 | -1): PrimitiveValue | undefined {
  if (typeof value === 'bigint') {
    const r = value + BigInt(by);
    return source.kind !== 'decimal' && (r < LONG_MIN || r > LONG_MAX) ? undefined : r;
  }
  if (typeof value !== 'number') return undefined;
  const r = value + by;
  return r < INT_MIN || r > INT_MAX ? undefined : r;
}

/**
 * Partition values written by Iceberg 0.10 and earlier put instants before 1970 one unit too high (day
 * 1969-12-31T10:00 became 0, not -1). As in the reference implementation, projections onto year/month/day/hour
 * of timestamps (year/month of dates) also admit that value for negative results: `<= p` widens to `<= p + 1` and
 * `= p` to `IN (p, p + 1)`. Only inclusive widening, so correct data is never skipped.
 */
function fixLegacyTimeProjection(e: BoundExpression): BoundExpression {
  if (e.kind === 'compare' && (e.value as number) < 0) {
    if (e.op === 'lte') return { ...e, value: (e.value as number) + 1 };
    if (e.op === 'eq') return { kind: 'in', ref: e.ref, values: [e.value, (e.value as number) + 1], negated: false };
  }
  if (e.kind === 'in' && !e.negated && e.values.some((v) => (v as number) < 0)) {
    const extra = e.values.filter((v) => (v as number) < 0).map((v) => (v as number) + 1);
    return { ...e, values: [...new Set([...e.values, ...extra])] };
  }
  return e;
}

/**
 * Applies the transform to a literal; a value it refuses (a literal of an unexpected kind) leaves the projection
 * at "always true" rather than failing the scan.
 */
function apply(t: Transform, source: Primitive, value: PrimitiveValue): PrimitiveValue | undefined {
  try {
    const r = applyTransform(t, source, value);
    return r === null ? undefined : r;
  } catch {
    return undefined;
  }
}

/**
 * The inclusive projection of one predicate onto one partition field (spec "Partition Transforms"): identity
 * keeps the predicate; bucket keeps only `=` and `IN` (hashing breaks order); truncate and the time transforms keep
 * ranges by transforming a closed boundary, turning `x < v` into `p <= t(v - 1)` and `x > v` into
 * `p >= t(v + 1)` for integer-valued sources (strings and binary: `p <= t(v)` / `p >= t(v)`). `!=` and `NOT IN`
 * have no inclusive projection through a lossy transform. Null checks carry over because every transform maps
 * null to null and only null to null; `void` and unknown transforms project to true.
 */
function projectPredicate(p: BoundPredicate, target: Target): BoundExpression {
  const t = target.transform;
  const ref = target.ref;
  const source = p.ref.type;
  if (t.kind === 'void' || t.kind === 'unknown') return TRUE;
  if (t.kind === 'identity') return { ...p, ref } as BoundPredicate;
  if (p.kind === 'is-null' || p.kind === 'not-null') return { kind: p.kind, ref };
  if (p.kind === 'is-nan' || p.kind === 'not-nan') return TRUE;
  const time = t.kind === 'year' || t.kind === 'month' || t.kind === 'day' || t.kind === 'hour';
  const fix = (e: BoundExpression): BoundExpression =>
    time && !(t.kind === 'day' && source.kind === 'date') ? fixLegacyTimeProjection(e) : e;
  if (p.kind === 'in') {
    if (p.negated) return TRUE;
    const values: PrimitiveValue[] = [];
    for (const v of p.values) {
      const r = apply(t, source, v);
      if (r === undefined) return TRUE;
      if (!values.some((x) => sameValue(x, r))) values.push(r);
    }
    return fix({ kind: 'in', ref, values, negated: false });
  }
  const cmp = (op: ComparisonOp, v: PrimitiveValue | undefined): BoundExpression => {
    const r = v === undefined ? undefined : apply(t, source, v);
    return r === undefined ? TRUE : fix({ kind: 'compare', op, ref, value: r });
  };
  if (p.op === 'eq') return cmp('eq', p.value);
  if (t.kind === 'bucket' || p.op === 'neq') return TRUE;
  // Strings and binary have no "next value" below a bound, and a prefix of the bound closes the range anyway.
  const bytesLike = source.kind === 'string' || source.kind === 'binary' || source.kind === 'fixed';
  switch (p.op) {
    case 'lt':
      return cmp('lte', bytesLike ? p.value : step(source, p.value, -1));
    case 'lte':
      return cmp('lte', p.value);
    case 'gt':
      return cmp('gte', bytesLike ? p.value : step(source, p.value, 1));
    case 'gte':
      return cmp('gte', p.value);
  }
}

function project(expr: BoundExpression, targets: Map<number, Target[]>): BoundExpression {
  switch (expr.kind) {
    case 'true':
    case 'false':
      return expr;
    case 'and':
      return boundAnd(project(expr.left, targets), project(expr.right, targets));
    case 'or':
      return boundOr(project(expr.left, targets), project(expr.right, targets));
    default: {
      // A column partitioned several ways must satisfy every projection (AND); unpartitioned columns give true.
      let out: BoundExpression = TRUE;
      for (const target of targets.get(expr.ref.fieldId) ?? []) out = boundAnd(out, projectPredicate(expr, target));
      return out;
    }
  }
}

/**
 * Projects a bound row filter (from `bindExpression`) onto the partition fields of `spec`, inclusively: the
 * result is a {@link BoundExpression} whose references are partition fields (field id = partition field id,
 * type = transform result type) and which every partition tuple holding a matching row satisfies. Partition
 * fields whose source column is not in `schema`, multi-argument (v3) fields, `void` and unknown transforms are
 * ignored.
 */
export function projectToPartition(
  bound: BoundExpression,
  spec: PartitionSpec,
  schema: Pick<Schema, 'fields'>,
): BoundExpression {
  const byId = indexById(schema);
  const targets = new Map<number, Target[]>();
  for (const pf of spec.fields) {
    if (pf['source-ids'] !== undefined && pf['source-ids'].length > 1) continue;
    const source = byId.get(pf['source-id']);
    if (source === undefined || typeof source.field.type !== 'string') continue;
    let transform: Transform;
    let type: Primitive;
    try {
      transform = parseTransform(pf.transform);
      if (transform.kind === 'void' || transform.kind === 'unknown') continue;
      type = resultType(transform, parsePrimitive(source.field.type));
    } catch {
      continue;
    }
    const list = targets.get(pf['source-id']) ?? [];
    list.push({ ref: { fieldId: pf['field-id'], name: pf.name, type }, transform });
    targets.set(pf['source-id'], list);
  }
  return project(bound, targets);
}

/**
 * Evaluates one predicate on a partition value with SQL semantics: a null value satisfies only `is-null`;
 * NaN equals nothing and, sorting above every number, passes only `>`, `>=` and `!=`/`NOT IN`.
 */
function valueMatches(p: BoundPredicate, value: PrimitiveValue | null): boolean {
  if (value === null) return p.kind === 'is-null';
  switch (p.kind) {
    case 'is-null':
      return false;
    case 'not-null':
      return true;
    case 'is-nan':
      return isNaNValue(value);
    case 'not-nan':
      return !isNaNValue(value);
    case 'in': {
      if (isNaNValue(value)) return p.negated;
      // Values of another kind cannot be compared; that is "unknown" and must not exclude the file.
      if (p.negated) return !p.values.some((v) => compareValues(value, v) === 0);
      return p.values.some((v) => compareValues(value, v) !== -1 && compareValues(value, v) !== 1);
    }
    case 'compare': {
      if (isNaNValue(value)) return p.op === 'gt' || p.op === 'gte' || p.op === 'neq';
      const c = compareValues(value, p.value);
      if (c === undefined) return true;
      switch (p.op) {
        case 'eq':
          return c === 0;
        case 'neq':
          return c !== 0;
        case 'lt':
          return c < 0;
        case 'lte':
          return c <= 0;
        case 'gt':
          return c > 0;
        case 'gte':
          return c >= 0;
      }
    }
  }
}

/**
 * Whether a file with partition tuple `partition` (partition field id → value, as `DataFile.partition`) may hold
 * rows matching the row filter whose projection is `projected` (from {@link projectToPartition} with the file's
 * own spec). `false` means the file can be skipped.
 */
export function partitionMightMatch(
  projected: BoundExpression,
  partition: Map<number, PrimitiveValue | null>,
): boolean {
  return evaluateBound(projected, (p) => {
    // A field missing from the tuple (a manifest of another spec, a dropped field) is unknown: might match.
    if (!partition.has(p.ref.fieldId)) return true;
    return valueMatches(p, partition.get(p.ref.fieldId) as PrimitiveValue | null);
  });
}
