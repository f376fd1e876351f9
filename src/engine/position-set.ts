/**
 * The deleted row positions of one data file as a bitset, one bit per row. Row-level changes combine a file's
 * matched positions with those its deletion vector and position delete files already delete (spec: "Deletion
 * Vectors": a v3 writer merges them into one vector); a bitset deduplicates as it goes, and both the sorted
 * positions and the Roaring bitmap of a deletion vector come out of it in one pass over its words: no sort, no
 * per-row objects.
 *
 * The Roaring containers are chosen as `RoaringBitmap64.from` chooses them (RoaringFormatSpec: arrays up to 4096
 * values, else 8 KiB bitmaps; a run container when strictly smaller, as Java's `runOptimize`), so the serialized
 * vector is byte-identical to one built from the sorted positions.
 */
import { FloeError } from '../errors.js';
import { RoaringBitmap32, RoaringBitmap64, type RoaringContainer } from '../iceberg/avro/roaring.js';

/** Positions must be below 2^31 (a data file of more rows is not real); 32-bit integer arithmetic then holds. */
const LIMIT = 2147483648;
/** RoaringFormatSpec §2: non-run containers of at most this cardinality are arrays. */
const ARRAY_MAX = 4096;
/** A bitmap container: 65536 bits in 2048 32-bit words. */
const CONTAINER_WORDS = 2048;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A set of non-negative row positions of one data file. */
export class PositionSet {
  private words: Uint32Array;
  /** Number of positions in the set. */
  size = 0;

  /** @param rows - the file's row count: the bitset's initial size (it grows past it if needed) */
  constructor(rows: number | bigint = 0) {
    this.words = new Uint32Array(Math.ceil(Math.max(Number(rows), 1) / 32));
  }

  /** Adds `pos` (an integer in [0, 2^31)); true when it was not in the set. Errors: UNSUPPORTED beyond 2^31. */
  add(pos: number): boolean {
    if (!(pos >= 0 && pos < LIMIT)) throw new FloeError('UNSUPPORTED', `row position ${pos} is outside [0, 2^31)`, { context: { position: pos } });
    const w = pos >>> 5;
    if (w >= this.words.length) this.ensure(w + 1);
    const bit = 1 << (pos & 31);
    if ((this.words[w] & bit) !== 0) return false;
    this.words[w] |= bit;
    this.size++;
    return true;
  }

  /** Adds every position; returns how many were new. */
  addAll(positions: ArrayLike<number>): number {
    const before = this.size;
    for (let i = 0; i < positions.length; i++) this.add(positions[i]);
    return this.size - before;
  }

  /** Adds every position of a 64-bit Roaring bitmap (a deletion vector): bitmap containers a word at a time. */
  addBitmap(bitmap: RoaringBitmap64): void {
    bitmap.keys.forEach((high, b) => {
      const low = bitmap.bitmaps[b];
      low.keys.forEach((key, i) => {
        const base = high * 4294967296 + key * 65536;
        const c = low.containers[i];
        if (c.kind === 'bitmap' && base + 65536 <= LIMIT) {
          const start = base / 32;
          this.ensure(start + CONTAINER_WORDS);
          for (let w = 0; w < CONTAINER_WORDS; w++) {
            const before = this.words[start + w];
            const after = before | c.words[w];
            this.size += popcount(after) - popcount(before);
            this.words[start + w] = after;
          }
        } else if (c.kind === 'array') {
          for (let k = 0; k < c.values.length; k++) this.add(base + c.values[k]);
        } else if (c.kind === 'run') {
          for (let k = 0; k < c.runs.length; k += 2) for (let v = c.runs[k]; v <= c.runs[k] + c.runs[k + 1]; v++) this.add(base + v);
        } else {
          for (let w = 0; w < CONTAINER_WORDS; w++) for (let j = 0; j < 32; j++) if ((c.words[w] >>> j) & 1) this.add(base + w * 32 + j);
        }
      });
    });
  }

  /** Makes room for `words` words. */
  private ensure(words: number): void {
    if (words <= this.words.length) return;
    const grown = new Uint32Array(Math.max(words, this.words.length * 2));
    grown.set(this.words);
    this.words = grown;
  }

  /** A copy of the set. */
  clone(): PositionSet {
    const copy = new PositionSet(0);
    copy.words = this.words.slice();
    copy.size = this.size;
    return copy;
  }

  /** Whether `pos` is in the set. */
  has(pos: number): boolean {
    if (!(pos >= 0 && pos < LIMIT)) return false;
    const w = pos >>> 5;
    return w < this.words.length && (this.words[w] & (1 << (pos & 31))) !== 0;
  }

  /** The positions in increasing order. */
  toSorted(): Float64Array {
    const out = new Float64Array(this.size);
    let n = 0;
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w] | 0;
      while (word !== 0) {
        const lowest = word & -word;
        out[n++] = w * 32 + (31 - Math.clz32(lowest));
        word ^= lowest;
      }
    }
    return out;
  }

  /** The set as a 64-bit Roaring bitmap (the payload of a deletion vector). */
  toRoaring(): RoaringBitmap64 {
    // Positions are below 2^31: one 32-bit bucket (high bits 0) of 16-bit containers.
    const keys: number[] = [];
    const containers: RoaringContainer[] = [];
    for (let c = 0; c * CONTAINER_WORDS < this.words.length; c++) {
      const container = this.container(c * CONTAINER_WORDS);
      if (!container) continue;
      keys.push(c);
      containers.push(container);
    }
    if (keys.length === 0) return new RoaringBitmap64(new Uint32Array(0), []);
    return new RoaringBitmap64(Uint32Array.of(0), [new RoaringBitmap32(Uint16Array.from(keys), containers)]);
  }

  /** The container of the 65536 positions from word `start`, or undefined when none is set. */
  private container(start: number): RoaringContainer | undefined {
    const end = Math.min(start + CONTAINER_WORDS, this.words.length);
    let card = 0;
    let runs = 0;
    let carry = 0;
    for (let w = start; w < end; w++) {
      const word = this.words[w];
      card += popcount(word);
      // A run starts at a set bit whose lower neighbour (across words too) is clear.
      runs += popcount(word & ~((word << 1) | carry));
      carry = word >>> 31;
    }
    if (card === 0) return undefined;
    const plainBytes = card <= ARRAY_MAX ? 2 * card : 8192;
    if (2 + 4 * runs < plainBytes) {
      const out = new Uint16Array(2 * runs);
      let r = -1;
      let prev = -2;
      this.forEach(start, end, (v) => {
        if (v !== prev + 1) out[2 * ++r] = v;
        else out[2 * r + 1]++;
        prev = v;
      });
      return { kind: 'run', runs: out, cardinality: card };
    }
    if (card <= ARRAY_MAX) {
      const values = new Uint16Array(card);
      let n = 0;
      this.forEach(start, end, (v) => (values[n++] = v));
      return { kind: 'array', values };
    }
    const words = new Uint32Array(CONTAINER_WORDS);
    words.set(this.words.subarray(start, end));
    return { kind: 'bitmap', words, cardinality: card };
  }

  /** Calls `f` with each set position's low 16 bits, in order, for words `start` to `end`. */
  private forEach(start: number, end: number, f: (low: number) => void): void {
    for (let w = start; w < end; w++) {
      let word = this.words[w] | 0;
      while (word !== 0) {
        const lowest = word & -word;
        f((w - start) * 32 + (31 - Math.clz32(lowest)));
        word ^= lowest;
      }
    }
  }
}
