/**
 * Manifest pruning from the manifest list's partition field summaries (spec: "Manifest Lists", field 507
 * `partitions`; "Scan Planning"): each summary gives, for one partition field over all files of the manifest,
 * whether some value is null or NaN and lower/upper bounds of the non-null, non-NaN values (or no bounds when
 * there are none), serialized with the field's result type (Appendix D).
 */
import type { FieldSummary, ManifestFile } from '../avro/manifest-list.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import { parsePrimitive, type Primitive, type PrimitiveValue, type StructType } from '../spec/types.js';
import type { BoundExpression, BoundPredicate, BoundReference } from './bind.js';
import { sameValue, uuidMightBeWithin } from './compare.js';
import { evaluateBound } from './evaluate-bound.js';
import { rangeMightSatisfy, readBound } from './metrics-evaluator.js';

/** One partition field's summary with its bounds decoded; `lower`/`upper` undefined when absent or unreadable. */
interface Summary {
  type: Primitive;
  containsNull: boolean;
  /** `undefined` when the writer did not record it (v1 manifest lists). */
  containsNaN: boolean | undefined;
  hasLowerBound: boolean;
  lower: PrimitiveValue | undefined;
  upper: PrimitiveValue | undefined;
}

const isFloating = (t: Primitive): boolean => t.kind === 'float' || t.kind === 'double';

function decode(ref: BoundReference, type: Primitive, s: FieldSummary): Summary {
  const typed: BoundReference = { ...ref, type };
  return {
    type,
    containsNull: s.contains_null,
    containsNaN: s.contains_nan ?? undefined,
    hasLowerBound: s.lower_bound != null,
    lower: readBound(typed, s.lower_bound ?? undefined),
    upper: readBound(typed, s.upper_bound ?? undefined),
  };
}

/**
 * True when no partition value is non-null and non-NaN. The spec leaves `lower_bound` null exactly then; a missing
 * bound is only trusted when the summary also says some value is null or NaN, so an incomplete summary (no values
 * recorded at all) is not mistaken for an all-null one.
 */
function noOrderedValues(s: Summary): boolean {
  return !s.hasLowerBound && (s.containsNull || s.containsNaN === true);
}

/** No value at all is non-null: for floating types NaN counts as a value, so `contains_nan` must be known false. */
function allNull(s: Summary): boolean {
  if (!(s.containsNull && !s.hasLowerBound)) return false;
  return !isFloating(s.type) || s.containsNaN === false;
}

/** The single non-null, non-NaN value every partition holds, when the summary proves there is one. */
function uniqueValue(s: Summary): PrimitiveValue | undefined {
  if (s.containsNull) return undefined;
  if (isFloating(s.type) && s.containsNaN !== false) return undefined;
  return s.lower !== undefined && s.upper !== undefined && sameValue(s.lower, s.upper) ? s.lower : undefined;
}

/** UUID equality prunes only when the value is outside the bounds in both orders writers use (see compare.ts). */
function uuidMightEqual(s: Summary, v: PrimitiveValue): boolean {
  return s.lower === undefined || s.upper === undefined || uuidMightBeWithin(s.lower, s.upper, v);
}

function predicateMightMatch(p: BoundPredicate, s: Summary): boolean {
  switch (p.kind) {
    case 'is-null':
      return s.containsNull;
    case 'not-null':
      return !allNull(s);
    case 'is-nan':
      return s.containsNaN !== false && !allNull(s);
    case 'not-nan':
      // Only NaN values: some NaN, no null, and no ordered value to bound.
      return !(s.containsNaN === true && !s.containsNull && !s.hasLowerBound);
    case 'in': {
      if (p.negated) {
        const only = uniqueValue(s);
        return only === undefined || !p.values.some((v) => sameValue(only, v));
      }
      if (p.values.length === 0 || noOrderedValues(s)) return false;
      if (s.type.kind === 'uuid') return p.values.some((v) => uuidMightEqual(s, v));
      return p.values.some((v) => rangeMightSatisfy('eq', s.lower, s.upper, v));
    }
    case 'compare': {
      if (p.op === 'neq') {
        const only = uniqueValue(s);
        return only === undefined || !sameValue(only, p.value);
      }
      // NaN sorts above every number, so NaN partitions pass `>` and `>=` beyond the upper bound.
      if ((p.op === 'gt' || p.op === 'gte') && isFloating(s.type) && s.containsNaN !== false) return true;
      if (noOrderedValues(s)) return false;
      if (s.type.kind === 'uuid') return p.op !== 'eq' || uuidMightEqual(s, p.value);
      return rangeMightSatisfy(p.op, s.lower, s.upper, p.value);
    }
  }
}

/**
 * Whether the manifest may list files matching the row filter whose partition projection is `projected` (from
 * `projectToPartition` with this manifest's `spec`; `partitionType` is that spec's partition tuple type, from
 * `partitionType(spec, schema)`, whose field types the summary bounds are decoded with). Summaries are matched to
 * partition fields by position, as the spec orders them. `false` means the manifest can be skipped; missing
 * summaries, or a summary missing for a field, answer "might match".
 */
export function manifestMightMatch(
  projected: BoundExpression,
  spec: PartitionSpec,
  partitionType: StructType,
  manifestFile: ManifestFile,
): boolean {
  const summaries = manifestFile.partitions;
  if (summaries == null) return true;
  const cache = new Map<number, Summary | undefined>();
  const summaryFor = (ref: BoundReference): Summary | undefined => {
    if (cache.has(ref.fieldId)) return cache.get(ref.fieldId);
    const pos = spec.fields.findIndex((f) => f['field-id'] === ref.fieldId);
    const raw = pos < 0 ? undefined : summaries[pos];
    let result: Summary | undefined;
    if (raw != null) {
      const declared = partitionType.fields.find((f) => f.id === ref.fieldId)?.type;
      let type = ref.type;
      try {
        if (typeof declared === 'string') type = parsePrimitive(declared);
      } catch {
        // An unparseable declared type leaves the projection's own type.
      }
      result = decode(ref, type, raw);
    }
    cache.set(ref.fieldId, result);
    return result;
  };
  return evaluateBound(projected, (p) => {
    const s = summaryFor(p.ref);
    return s === undefined || predicateMightMatch(p, s);
  });
}
