/**
 * Inclusive metrics evaluation (spec: "Scan Planning", "Manifests" field notes on `lower_bounds`/`upper_bounds`):
 * decides from a data or delete file's column statistics whether it may hold rows matching a bound filter. The
 * answer is "might match" whenever a statistic is missing, unreadable or not conclusive; "cannot match" only when
 * the statistics prove it. Bounds use the binary single-value form (Appendix D) and cover non-null, non-NaN
 * values; a string or binary bound may be truncated, which keeps it a valid bound, so plain comparisons stay sound.
 */
import type { DataFile } from '../avro/manifest.js';
import { deserializeValue } from '../spec/bounds.js';
import type { PrimitiveValue } from '../spec/types.js';
import type { BoundExpression, BoundPredicate, BoundReference } from './bind.js';
import { compareValues, isNaNValue, sameValue, uuidMightBeWithin } from './compare.js';
import { evaluateBound } from './evaluate-bound.js';

/** The column statistics of one file that evaluation reads, looked up per field id. */
class FileStats {
  constructor(private readonly file: DataFile) {}

  private count(map: Map<number, bigint> | undefined, id: number): bigint | undefined {
    return map?.get(id);
  }

  /** False only when the null count is known to be zero. */
  mayContainNull(id: number): boolean {
    const nulls = this.count(this.file.null_value_counts, id);
    return nulls === undefined || nulls !== 0n;
  }

  /** True when the value and null counts are known and every value is null. */
  containsNullsOnly(id: number): boolean {
    const values = this.count(this.file.value_counts, id);
    const nulls = this.count(this.file.null_value_counts, id);
    return values !== undefined && nulls !== undefined && values === nulls;
  }

  /** False only when the NaN count is known to be zero. */
  mayContainNaN(id: number): boolean {
    const nans = this.count(this.file.nan_value_counts, id);
    return nans === undefined || nans !== 0n;
  }

  /** True when the value and NaN counts are known and every value is NaN. */
  containsNaNsOnly(id: number): boolean {
    const values = this.count(this.file.value_counts, id);
    const nans = this.count(this.file.nan_value_counts, id);
    return values !== undefined && nans !== undefined && values === nans;
  }

  lower(ref: BoundReference): PrimitiveValue | undefined {
    return readBound(ref, this.file.lower_bounds?.get(ref.fieldId));
  }

  upper(ref: BoundReference): PrimitiveValue | undefined {
    return readBound(ref, this.file.upper_bounds?.get(ref.fieldId));
  }
}

/**
 * A bound decoded with the column's current type (Appendix D; `deserializeValue` accepts the narrower widths
 * left by type promotion). Unreadable bounds, and NaN ones (ORC writers have reported NaN bounds for columns
 * holding other values too), count as missing.
 */
export function readBound(ref: BoundReference, bytes: Uint8Array | undefined): PrimitiveValue | undefined {
  if (bytes === undefined) return undefined;
  try {
    const v = deserializeValue(ref.type, bytes);
    return isNaNValue(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

const isFloating = (ref: BoundReference): boolean => ref.type.kind === 'float' || ref.type.kind === 'double';

/**
 * Whether `[lower, upper]` (either side may be unknown) can hold a value `v` with `v op lit`, for ordering
 * operators and equality. `undefined` comparisons (values of different kinds) never prune.
 */
export function rangeMightSatisfy(
  op: 'lt' | 'lte' | 'gt' | 'gte' | 'eq',
  lower: PrimitiveValue | undefined,
  upper: PrimitiveValue | undefined,
  lit: PrimitiveValue,
): boolean {
  const lo = lower === undefined ? undefined : compareValues(lower, lit);
  const hi = upper === undefined ? undefined : compareValues(upper, lit);
  switch (op) {
    case 'lt':
      return !(lo !== undefined && lo >= 0);
    case 'lte':
      return !(lo !== undefined && lo > 0);
    case 'gt':
      return !(hi !== undefined && hi <= 0);
    case 'gte':
      return !(hi !== undefined && hi < 0);
    case 'eq':
      return !((lo !== undefined && lo > 0) || (hi !== undefined && hi < 0));
  }
}

/**
 * The single value all rows hold, when the statistics prove there is one: no nulls, no NaNs for floating
 * columns, and equal lower and upper bounds. A truncated string bound never equals the other bound (truncating an
 * upper bound increments its last character), so equal bounds are exact.
 */
function uniqueValue(stats: FileStats, ref: BoundReference): PrimitiveValue | undefined {
  if (stats.mayContainNull(ref.fieldId)) return undefined;
  if (isFloating(ref) && stats.mayContainNaN(ref.fieldId)) return undefined;
  const lower = stats.lower(ref);
  const upper = stats.upper(ref);
  return lower !== undefined && upper !== undefined && sameValue(lower, upper) ? lower : undefined;
}

function predicateMightMatch(p: BoundPredicate, stats: FileStats): boolean {
  const id = p.ref.fieldId;
  switch (p.kind) {
    case 'is-null':
      return stats.mayContainNull(id);
    case 'not-null':
      return !stats.containsNullsOnly(id);
    case 'is-nan':
      return !stats.containsNullsOnly(id) && stats.mayContainNaN(id);
    case 'not-nan':
      return !stats.containsNaNsOnly(id);
    case 'compare':
      return compareMightMatch(p.op, p.ref, p.value, stats);
    case 'in': {
      if (p.negated) {
        // Bounds do not prove a value occurs, so NOT IN prunes only a file holding one value that is excluded.
        const only = uniqueValue(stats, p.ref);
        return only === undefined || !p.values.some((v) => sameValue(only, v));
      }
      if (p.values.length === 0 || stats.containsNullsOnly(id) || stats.containsNaNsOnly(id)) return false;
      if (p.ref.type.kind === 'uuid') return p.values.some((v) => uuidMightEqual(stats, p.ref, v));
      const lower = stats.lower(p.ref);
      const upper = stats.upper(p.ref);
      return p.values.some((v) => rangeMightSatisfy('eq', lower, upper, v));
    }
  }
}

/**
 * UUID bounds may be ordered unsigned (the spec, pyiceberg, DuckDB) or signed (older Iceberg Java), so a UUID
 * equality prunes only a value outside the bounds under both orders.
 */
function uuidMightEqual(stats: FileStats, ref: BoundReference, v: PrimitiveValue): boolean {
  const lower = stats.lower(ref);
  const upper = stats.upper(ref);
  return lower === undefined || upper === undefined || uuidMightBeWithin(lower, upper, v);
}

function compareMightMatch(op: string, ref: BoundReference, lit: PrimitiveValue, stats: FileStats): boolean {
  const id = ref.fieldId;
  if (op === 'neq') {
    // Bounds need not be attained values, so `!=` prunes only a file whose every row holds the literal.
    const only = uniqueValue(stats, ref);
    return only === undefined || !sameValue(only, lit);
  }
  if (stats.containsNullsOnly(id)) return false;
  if (op === 'gt' || op === 'gte') {
    // NaN sorts above every number (spec "Sorting"; Java and DuckDB compare so), so NaN rows pass `>`/`>=` while
    // the upper bound leaves them out: a file that may hold NaN cannot be pruned on its upper bound.
    if (isFloating(ref) && stats.mayContainNaN(id)) return true;
  } else if (stats.containsNaNsOnly(id)) {
    return false;
  }
  if (ref.type.kind === 'uuid') return op !== 'eq' || uuidMightEqual(stats, ref, lit);
  return rangeMightSatisfy(op as 'lt' | 'lte' | 'gt' | 'gte' | 'eq', stats.lower(ref), stats.upper(ref), lit);
}

/**
 * Whether `file` may contain rows matching `bound` (a {@link BoundExpression} from `bindExpression`, NOT-free by
 * construction), judged from its record count, value/null/NaN counts and lower/upper bounds. `false` means the
 * file can be skipped; every missing or unreadable statistic answers "might match". A file with zero records
 * cannot match; a negative count (unknown, as some imports write) might.
 */
export function fileMightMatch(bound: BoundExpression, dataFile: DataFile): boolean {
  if (dataFile.record_count === 0n) return false;
  if (dataFile.record_count < 0n) return true;
  const stats = new FileStats(dataFile);
  return evaluateBound(bound, (p) => predicateMightMatch(p, stats));
}
