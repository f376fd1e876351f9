/**
 * Adaptive window sizing: windows whose real row count is above ~1.5x the target are split (into as many parts
 * as the count asks for, recursively, re-counted at the source each round), then runs of sparse neighbours are
 * merged while their sum stays within the target. Boundaries only move by splitting or dropping, so the windows
 * stay a partition of the original range: every row is in exactly one window.
 */

/** A half-open window `[start, end)` and its row count at the source. */
export interface Segment<T> {
  start: T;
  end: T;
  count: bigint;
}

/** A segment while refining: how fine each of its boundaries is (0: an initial one, r: cut in round r). */
interface Piece<T> extends Segment<T> {
  startLevel: number;
  endLevel: number;
}

/** How to count and split windows of one key type. */
export interface SplitterOptions<T> {
  /** Target rows per window. */
  target: number;
  /** Rows per bucket `[b[i], b[i+1])`, from the source. */
  count(boundaries: T[]): Promise<bigint[]>;
  /** Up to `parts - 1` increasing points strictly inside `(a, b)` cutting it evenly; [] when it cannot be cut. */
  split(a: T, b: T, parts: number): T[];
  /** Rounds of splitting at most (a window of one key value cannot be split at all). */
  maxRounds?: number;
}

/** Windows above this multiple of the target are split. */
export const SPLIT_FACTOR = 1.5;

/** Dense windows counted one by one (a range-restricted count each) rather than with one recount of everything. */
const SEPARATE_COUNT_LIMIT = 16;

function pieces<T>(bounds: T[], levels: number[], counts: bigint[]): Array<Piece<T>> {
  return counts.map((count, i) => ({ start: bounds[i], end: bounds[i + 1], count, startLevel: levels[i], endLevel: levels[i + 1] }));
}

/**
 * Counts `boundaries`, splits dense windows until none can be split further, drops the cuts that only made empty
 * windows (the finer cut goes, so initial boundaries such as midnights survive), then merges sparse neighbours.
 */
export async function refineWindows<T>(boundaries: T[], opts: SplitterOptions<T>): Promise<Array<Segment<T>>> {
  let segs = pieces(boundaries, boundaries.map(() => 0), await opts.count(boundaries));
  const limit = BigInt(Math.floor(opts.target * SPLIT_FACTOR));
  for (let round = 1; round <= (opts.maxRounds ?? 64); round++) {
    const cuts = new Map<number, T[]>();
    segs.forEach((s, i) => {
      if (s.count <= limit) return;
      const parts = Number((s.count + BigInt(opts.target) - 1n) / BigInt(opts.target));
      const inner = opts.split(s.start, s.end, Math.max(2, parts));
      if (inner.length > 0) cuts.set(i, inner);
    });
    if (cuts.size === 0) break;
    const next: Array<Piece<T>> = [];
    if (cuts.size <= SEPARATE_COUNT_LIMIT) {
      for (let i = 0; i < segs.length; i++) {
        const inner = cuts.get(i);
        if (!inner) next.push(segs[i]);
        else {
          const b = [segs[i].start, ...inner, segs[i].end];
          next.push(...pieces(b, [segs[i].startLevel, ...inner.map(() => round), segs[i].endLevel], await opts.count(b)));
        }
      }
    } else {
      const b: T[] = [segs[0].start];
      const levels: number[] = [segs[0].startLevel];
      segs.forEach((s, i) => {
        for (const c of cuts.get(i) ?? []) b.push(c), levels.push(round);
        b.push(s.end), levels.push(s.endLevel);
      });
      next.push(...pieces(b, levels, await opts.count(b)));
    }
    segs = next;
  }
  return mergeSparse(dropEmpty(segs), opts.target);
}

/** Removes empty windows by dropping the finer of their two boundaries (the table's outer bounds stay). */
function dropEmpty<T>(segs: Array<Piece<T>>): Array<Piece<T>> {
  const out: Array<Piece<T>> = [];
  let carry: { start: T; level: number } | undefined;
  segs.forEach((seg, i) => {
    const s = carry ? { ...seg, start: carry.start, startLevel: carry.level } : { ...seg };
    carry = undefined;
    const last = out[out.length - 1];
    const hasNext = i < segs.length - 1;
    if (s.count === 0n && last && (!hasNext || s.startLevel >= s.endLevel)) {
      last.end = s.end;
      last.endLevel = s.endLevel;
    } else if (s.count === 0n && hasNext) {
      carry = { start: s.start, level: s.startLevel };
    } else {
      out.push(s);
    }
  });
  return out;
}

/** Segments from boundaries and their bucket counts. */
export function toSegments<T>(boundaries: T[], counts: bigint[]): Array<Segment<T>> {
  return counts.map((count, i) => ({ start: boundaries[i], end: boundaries[i + 1], count }));
}

/** Merges each window into its left neighbour while their sum stays within `target` (empty ones always). */
export function mergeSparse<T>(segs: Array<Segment<T>>, target: number): Array<Segment<T>> {
  const out: Array<Segment<T>> = [];
  const t = BigInt(target);
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last && (s.count === 0n || last.count === 0n || last.count + s.count <= t)) {
      last.end = s.end;
      last.count += s.count;
    } else {
      out.push({ start: s.start, end: s.end, count: s.count });
    }
  }
  return out;
}

/** Even cuts of the integer range `[a, b)` into at most `parts` pieces. */
export function splitIntegerRange(a: bigint, b: bigint, parts: number): bigint[] {
  const width = b - a;
  const n = BigInt(parts) > width ? width : BigInt(parts);
  if (n < 2n) return [];
  const out: bigint[] = [];
  for (let i = 1n; i < n; i++) {
    const p = a + (width * i) / n;
    if (p > a && p < b && (out.length === 0 || p > out[out.length - 1])) out.push(p);
  }
  return out;
}
