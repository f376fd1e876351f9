/**
 * Roaring bitmaps in the portable serialization (RoaringFormatSpec: "Standard 32-bit Roaring Bitmap" and
 * "Extension for 64-bit implementations"). Iceberg deletion vectors (table spec "Deletion Vectors", Puffin blob
 * `deletion-vector-v1`) store deleted row positions this way. Pure code: bytes in, bytes out, no I/O.
 *
 * Values are unsigned. A 64-bit bitmap is a sorted list of 32-bit "buckets" (high 32 bits of each value), each a
 * 32-bit bitmap of the low 32 bits; a 32-bit bitmap is a sorted list of 16-bit containers (array, bitmap or run).
 */
import { FloeError } from '../../errors.js';

/** RoaringFormatSpec §1: cookie of a bitmap without run containers (then a uint32 container count follows). */
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
/** RoaringFormatSpec §1: low 16 bits of the cookie when run containers may be present. */
const SERIAL_COOKIE = 12347;
/** RoaringFormatSpec §3: with SERIAL_COOKIE, the offset header is written only from this many containers on. */
const NO_OFFSET_THRESHOLD = 4;
/** RoaringFormatSpec §2: non-run containers of at most this cardinality are arrays, larger ones bitmaps. */
const ARRAY_MAX = 4096;
/** RoaringFormatSpec §4: a bitmap container is always 8 KiB (1024 64-bit words). */
const BITMAP_BYTES = 8192;
const TWO_32 = 2 ** 32;
// Typed arrays use the platform's byte order; the BigUint64Array fast path writes 32-bit halves directly.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * One 16-bit container of a 32-bit Roaring bitmap (RoaringFormatSpec §4). `array` holds sorted values; `bitmap`
 * holds 2048 32-bit words where value v is bit `v & 31` of word `v >>> 5`; `run` holds (start, length - 1) pairs.
 */
export type RoaringContainer =
  | { readonly kind: 'array'; readonly values: Uint16Array }
  | { readonly kind: 'bitmap'; readonly words: Uint32Array; readonly cardinality: number }
  | { readonly kind: 'run'; readonly runs: Uint16Array; readonly cardinality: number };

/** Options for building and serializing bitmaps. */
export interface RoaringEncodeOptions {
  /**
   * Use run containers where they are smaller than array/bitmap containers (default true). Iceberg Java
   * run-length-encodes before writing a deletion vector, so the default yields byte-identical blobs.
   */
  runOptimize?: boolean;
}

/** A failure to decode: Roaring bitmaps reach floe only inside Puffin files, hence `PUFFIN_INVALID`. */
function invalid(message: string, context: Record<string, unknown> = {}): FloeError {
  return new FloeError('PUFFIN_INVALID', `invalid roaring bitmap: ${message}`, { context });
}

function containerCardinality(c: RoaringContainer): number {
  return c.kind === 'array' ? c.values.length : c.cardinality;
}

function containerBytes(c: RoaringContainer): number {
  if (c.kind === 'array') return 2 * c.values.length;
  return c.kind === 'bitmap' ? BITMAP_BYTES : 2 + 2 * c.runs.length;
}

/** Index of `x` in the increasing `sorted`, or -1. */
function indexOf(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === x) return mid;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Splits a value below 2^64 into its high and low 32 bits. */
function split(v: number | bigint): [number, number] {
  if (typeof v === 'bigint') return [Number(v >> 32n), Number(v & 0xffffffffn)];
  const high = Math.floor(v / TWO_32);
  return [high, v - high * TWO_32];
}

function containerContains(c: RoaringContainer, v: number): boolean {
  if (c.kind === 'bitmap') return ((c.words[v >>> 5] >>> (v & 31)) & 1) === 1;
  if (c.kind === 'array') return indexOf(c.values, v) >= 0;
  // Last run whose start is <= v.
  let lo = 0;
  let hi = c.runs.length / 2 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (c.runs[2 * mid] <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && v <= c.runs[2 * found] + c.runs[2 * found + 1];
}

/** Writes the container's values plus `base` into `out` from index `at`; returns the next index. */
function fillContainer(c: RoaringContainer, out: Float64Array | Uint32Array, at: number, base: number): number {
  if (c.kind === 'array') {
    for (let i = 0; i < c.values.length; i++) out[at++] = base + c.values[i];
  } else if (c.kind === 'run') {
    for (let i = 0; i < c.runs.length; i += 2) {
      const end = c.runs[i] + c.runs[i + 1];
      for (let v = c.runs[i]; v <= end; v++) out[at++] = base + v;
    }
  } else {
    for (let w = 0; w < 2048; w++) {
      let word = c.words[w] | 0;
      while (word !== 0) {
        const lowest = word & -word;
        out[at++] = base + w * 32 + (31 - Math.clz32(lowest));
        word ^= lowest;
      }
    }
  }
  return at;
}

/** Builds the smallest container for sorted, distinct values that share their high 16 bits. */
function makeContainer(values: Uint32Array, runOptimize: boolean): RoaringContainer {
  const card = values.length;
  let runCount = 0;
  for (let i = 0; i < card; i++) if (i === 0 || values[i] !== values[i - 1] + 1) runCount++;
  const plainBytes = card <= ARRAY_MAX ? 2 * card : BITMAP_BYTES;
  // Same rule as Java's RoaringBitmap.runOptimize: a run container only when strictly smaller.
  if (runOptimize && 2 + 4 * runCount < plainBytes) {
    const runs = new Uint16Array(2 * runCount);
    let r = -1;
    for (let i = 0; i < card; i++) {
      if (i === 0 || values[i] !== values[i - 1] + 1) runs[2 * ++r] = values[i] & 0xffff;
      else runs[2 * r + 1]++;
    }
    return { kind: 'run', runs, cardinality: card };
  }
  // Converting to Uint16Array keeps the low 16 bits of each value.
  if (card <= ARRAY_MAX) return { kind: 'array', values: new Uint16Array(values) };
  const words = new Uint32Array(2048);
  for (let i = 0; i < card; i++) {
    const v = values[i] & 0xffff;
    words[v >>> 5] |= 1 << (v & 31);
  }
  return { kind: 'bitmap', words, cardinality: card };
}

/** A set of unsigned 32-bit integers as a 32-bit Roaring bitmap. Immutable once built. */
export class RoaringBitmap32 {
  /** Number of values in the set. */
  readonly cardinality: number;

  /**
   * @param keys - strictly increasing high 16 bits of each container (not re-validated)
   * @param containers - one non-empty container per key
   */
  constructor(
    readonly keys: Uint16Array,
    readonly containers: readonly RoaringContainer[],
  ) {
    let n = 0;
    for (const c of containers) n += containerCardinality(c);
    this.cardinality = n;
  }

  /** Builds a bitmap from strictly increasing unsigned 32-bit values; throws `INVALID_ARGUMENT` otherwise. */
  static fromSorted(values: Uint32Array, options: RoaringEncodeOptions = {}): RoaringBitmap32 {
    for (let i = 1; i < values.length; i++) {
      if (values[i] <= values[i - 1]) throw new FloeError('INVALID_ARGUMENT', 'values must be strictly increasing');
    }
    const keys: number[] = [];
    const containers: RoaringContainer[] = [];
    for (let i = 0; i < values.length; ) {
      const key = values[i] >>> 16;
      let j = i + 1;
      while (j < values.length && values[j] >>> 16 === key) j++;
      keys.push(key);
      containers.push(makeContainer(values.subarray(i, j), options.runOptimize ?? true));
      i = j;
    }
    return new RoaringBitmap32(Uint16Array.from(keys), containers);
  }

  /** Whether `value` (an unsigned 32-bit integer) is in the set. */
  contains(value: number): boolean {
    const i = indexOf(this.keys, value >>> 16);
    return i >= 0 && containerContains(this.containers[i], value & 0xffff);
  }

  /** The values in increasing order. */
  toUint32Array(): Uint32Array {
    const out = new Uint32Array(this.cardinality);
    this.fill(out, 0);
    return out;
  }

  /** Writes `base + value` for each value, in increasing order, into `out` from index `at`; returns the next index. */
  fill(out: Float64Array | Uint32Array, at: number, base = 0): number {
    for (let i = 0; i < this.keys.length; i++) {
      at = fillContainer(this.containers[i], out, at, base + this.keys[i] * 65536);
    }
    return at;
  }

  /** Size of {@link RoaringBitmap32.serialize}'s output in bytes. */
  serializedSizeInBytes(): number {
    const size = this.keys.length;
    const hasRun = this.containers.some((c) => c.kind === 'run');
    let n = (hasRun ? 4 + ((size + 7) >> 3) : 8) + 4 * size;
    if (!hasRun || size >= NO_OFFSET_THRESHOLD) n += 4 * size;
    for (const c of this.containers) n += containerBytes(c);
    return n;
  }

  /** Writes the portable serialization (RoaringFormatSpec "General layout") at `at`; returns the end offset. */
  serializeInto(view: DataView, at: number): number {
    const size = this.keys.length;
    const hasRun = this.containers.some((c) => c.kind === 'run');
    const start = at;
    if (hasRun) {
      // §1: cookie carries size - 1 in its high 16 bits, then a bitset flagging the run containers.
      view.setUint32(at, (SERIAL_COOKIE | ((size - 1) << 16)) >>> 0, true);
      at += 4;
      const flags = new Uint8Array((size + 7) >> 3);
      this.containers.forEach((c, i) => (flags[i >> 3] |= c.kind === 'run' ? 1 << (i & 7) : 0));
      flags.forEach((b) => view.setUint8(at++, b));
    } else {
      view.setUint32(at, SERIAL_COOKIE_NO_RUNCONTAINER, true);
      view.setUint32(at + 4, size, true);
      at += 8;
    }
    for (let i = 0; i < size; i++) {
      view.setUint16(at, this.keys[i], true);
      view.setUint16(at + 2, containerCardinality(this.containers[i]) - 1, true);
      at += 4;
    }
    if (!hasRun || size >= NO_OFFSET_THRESHOLD) {
      // §3: offsets count from the start of this bitmap's cookie.
      let offset = at + 4 * size - start;
      for (const c of this.containers) {
        view.setUint32(at, offset, true);
        at += 4;
        offset += containerBytes(c);
      }
    }
    for (const c of this.containers) {
      if (c.kind === 'bitmap') for (const w of c.words) view.setUint32((at += 4) - 4, w, true);
      else {
        if (c.kind === 'run') view.setUint16((at += 2) - 2, c.runs.length / 2, true); // §4: run count first
        for (const v of c.kind === 'run' ? c.runs : c.values) view.setUint16((at += 2) - 2, v, true);
      }
    }
    return at;
  }

  /** The portable serialization of this bitmap. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.serializedSizeInBytes());
    this.serializeInto(new DataView(out.buffer), 0);
    return out;
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function need(view: DataView, at: number, n: number, what: string): void {
  if (at + n > view.byteLength) throw invalid(`truncated ${what}`, { offset: at, needed: n, length: view.byteLength });
}

/** Reads one 32-bit bitmap starting at byte `offset` of `bytes`; returns it and the offset just past it. */
export function readRoaring32(bytes: Uint8Array, offset = 0): { bitmap: RoaringBitmap32; end: number } {
  const view = viewOf(bytes);
  let at = offset;
  need(view, at, 4, 'cookie');
  const cookie = view.getUint32(at, true);
  let size: number;
  let runFlags = -1; // byte offset of the run-container bitset, if any
  if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    need(view, at + 4, 4, 'container count');
    size = view.getUint32(at + 4, true);
    at += 8;
  } else if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    runFlags = at + 4;
    at += 4 + ((size + 7) >> 3);
  } else {
    throw invalid(`unknown cookie ${cookie}`, { offset });
  }
  if (size > 65536) throw invalid(`too many containers: ${size}`, { offset });
  need(view, at, 4 * size, 'descriptive header');
  const headerAt = at;
  at += 4 * size;
  if (runFlags < 0 || size >= NO_OFFSET_THRESHOLD) at += 4 * size; // §3 offsets: containers are read in order
  const keys = new Uint16Array(size);
  const containers: RoaringContainer[] = [];
  for (let i = 0; i < size; i++) {
    const key = view.getUint16(headerAt + 4 * i, true);
    const card = view.getUint16(headerAt + 4 * i + 2, true) + 1;
    if (i > 0 && key <= keys[i - 1]) throw invalid('container keys not strictly increasing', { offset, key });
    keys[i] = key;
    const isRun = runFlags >= 0 && ((view.getUint8(runFlags + (i >> 3)) >> (i & 7)) & 1) === 1;
    if (isRun) {
      need(view, at, 2, 'run container');
      const count = view.getUint16(at, true);
      need(view, at + 2, 4 * count, 'run container');
      const runs = new Uint16Array(2 * count);
      let total = 0;
      let next = 0; // smallest start the next run may have
      for (let r = 0; r < 2 * count; r++) runs[r] = view.getUint16(at + 2 + 2 * r, true);
      for (let r = 0; r < count; r++) {
        const start = runs[2 * r];
        const end = start + runs[2 * r + 1];
        if (start < next || end > 0xffff) throw invalid('run container runs overlap or overflow', { offset, key });
        total += end - start + 1;
        next = end + 1; // runs must be sorted and disjoint (§4); adjacent runs are odd but still a valid set
      }
      if (total !== card) throw invalid('run container cardinality mismatch', { offset, key, card, total });
      containers.push({ kind: 'run', runs, cardinality: card });
      at += 2 + 4 * count;
    } else if (card <= ARRAY_MAX) {
      need(view, at, 2 * card, 'array container');
      const values = new Uint16Array(card);
      for (let v = 0; v < card; v++) {
        values[v] = view.getUint16(at + 2 * v, true);
        if (v > 0 && values[v] <= values[v - 1]) throw invalid('array container not sorted', { offset, key });
      }
      containers.push({ kind: 'array', values });
      at += 2 * card;
    } else {
      need(view, at, BITMAP_BYTES, 'bitmap container');
      const words = new Uint32Array(2048);
      let total = 0;
      for (let w = 0; w < 2048; w++) {
        const word = view.getUint32(at + 4 * w, true);
        words[w] = word;
        let x = word - ((word >>> 1) & 0x55555555);
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        total += (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
      }
      if (total !== card) throw invalid('bitmap container cardinality mismatch', { offset, key, card, total });
      containers.push({ kind: 'bitmap', words, cardinality: card });
      at += BITMAP_BYTES;
    }
  }
  return { bitmap: new RoaringBitmap32(keys, containers), end: at };
}

/** Decodes a buffer holding exactly one portable 32-bit Roaring bitmap. Errors: `PUFFIN_INVALID`. */
export function decodeRoaring32(bytes: Uint8Array): RoaringBitmap32 {
  const { bitmap, end } = readRoaring32(bytes, 0);
  if (end !== bytes.length) throw invalid(`${bytes.length - end} trailing bytes`);
  return bitmap;
}

/** Values accepted when building a 64-bit bitmap: non-negative integers below 2^64, any order, duplicates allowed. */
export type RoaringValues = Iterable<number | bigint>;

/** A set of unsigned 64-bit integers: 32-bit buckets keyed by the high 32 bits (portable 64-bit extension). */
export class RoaringBitmap64 {
  /** Number of values in the set. */
  readonly cardinality: number;

  /**
   * @param keys - strictly increasing high 32 bits of each bucket (not re-validated)
   * @param bitmaps - the low 32 bits of the values of each bucket
   */
  constructor(
    readonly keys: Uint32Array,
    readonly bitmaps: readonly RoaringBitmap32[],
  ) {
    let n = 0;
    for (const b of bitmaps) n += b.cardinality;
    this.cardinality = n;
  }

  /** Builds a bitmap from values in any order; throws `INVALID_ARGUMENT` for values outside [0, 2^64). */
  static from(values: RoaringValues, options: RoaringEncodeOptions = {}): RoaringBitmap64 {
    const bad = (v: unknown) => new FloeError('INVALID_ARGUMENT', `not an unsigned 64-bit integer: ${String(v)}`);
    let sorted: Float64Array | BigUint64Array;
    if (values instanceof BigUint64Array) sorted = values.slice();
    else if (values instanceof Float64Array) {
      for (const v of values) if (!Number.isSafeInteger(v) || v < 0) throw bad(v);
      sorted = values.slice();
    } else {
      const nums: number[] = [];
      let bigs: bigint[] | undefined;
      for (const v of values) {
        if (typeof v === 'number') {
          if (!Number.isSafeInteger(v) || v < 0) throw bad(v);
          nums.push(v);
        } else {
          if (v < 0n || v >= 1n << 64n) throw bad(v);
          (bigs ??= []).push(v);
        }
      }
      if (bigs === undefined) sorted = Float64Array.from(nums);
      else {
        const all = new BigUint64Array(nums.length + bigs.length);
        nums.forEach((v, i) => (all[i] = BigInt(v)));
        all.set(bigs, nums.length);
        sorted = all;
      }
    }
    // Writers usually pass positions in order: skip the sort then.
    let inOrder = true;
    for (let i = 1; inOrder && i < sorted.length; i++) inOrder = sorted[i - 1] <= sorted[i];
    if (!inOrder) sorted.sort();
    const lows = new Uint32Array(sorted.length);
    const keys: number[] = [];
    const bitmaps: RoaringBitmap32[] = [];
    let n = 0;
    let bucketStart = 0;
    let currentKey = -1;
    const flush = () => {
      if (n > bucketStart) {
        keys.push(currentKey);
        bitmaps.push(RoaringBitmap32.fromSorted(lows.subarray(bucketStart, n), options));
      }
      bucketStart = n;
    };
    for (let i = 0; i < sorted.length; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) continue;
      const [high, low] = split(sorted[i]);
      if (high !== currentKey) {
        flush();
        currentKey = high;
      }
      lows[n++] = low;
    }
    flush();
    return new RoaringBitmap64(Uint32Array.from(keys), bitmaps);
  }

  /** Whether `value` is in the set. */
  contains(value: number | bigint): boolean {
    if (typeof value === 'number' ? !Number.isSafeInteger(value) || value < 0 : value < 0n || value >= 1n << 64n) {
      return false;
    }
    const [high, low] = split(value);
    const i = indexOf(this.keys, high);
    return i >= 0 && this.bitmaps[i].contains(low);
  }

  /** The values in increasing order as 64-bit unsigned integers. */
  toBigUint64Array(): BigUint64Array {
    const out = new BigUint64Array(this.cardinality);
    const halves = new Uint32Array(out.buffer);
    let at = 0;
    for (let i = 0; i < this.bitmaps.length; i++) {
      const lows = this.bitmaps[i].toUint32Array();
      const high = this.keys[i];
      // Little-endian hosts: write the two 32-bit halves directly instead of allocating a bigint per value.
      for (const low of lows) {
        if (LITTLE_ENDIAN) {
          halves[2 * at] = low;
          halves[2 * at + 1] = high;
          at++;
        } else out[at++] = (BigInt(high) << 32n) | BigInt(low);
      }
    }
    return out;
  }

  /**
   * The values in increasing order as doubles: the fast form for row positions. Throws `UNSUPPORTED` if a value
   * exceeds Number.MAX_SAFE_INTEGER (no real data file has 2^53 rows).
   */
  toFloat64Array(): Float64Array {
    const out = new Float64Array(this.cardinality);
    let at = 0;
    for (let i = 0; i < this.bitmaps.length; i++) {
      if (this.keys[i] >= 2 ** 21 && this.bitmaps[i].cardinality > 0) {
        throw new FloeError('UNSUPPORTED', 'bitmap holds values beyond 2^53; use toBigUint64Array()');
      }
      at = this.bitmaps[i].fill(out, at, this.keys[i] * TWO_32);
    }
    return out;
  }

  /** Iterates the values in increasing order as bigint, one bucket materialized at a time. */
  *[Symbol.iterator](): IterableIterator<bigint> {
    for (let i = 0; i < this.bitmaps.length; i++) {
      const high = BigInt(this.keys[i]) << 32n;
      for (const low of this.bitmaps[i].toUint32Array()) yield high | BigInt(low);
    }
  }

  /** Size of {@link RoaringBitmap64.serialize}'s output in bytes. */
  serializedSizeInBytes(): number {
    let n = 8;
    for (const b of this.bitmaps) n += 4 + b.serializedSizeInBytes();
    return n;
  }

  /** Writes the portable 64-bit serialization at `at`; returns the end offset. */
  serializeInto(view: DataView, at: number): number {
    // Bucket count as a little-endian uint64; it is < 2^32, so the high word is 0.
    view.setUint32(at, this.keys.length, true);
    view.setUint32(at + 4, 0, true);
    at += 8;
    for (let i = 0; i < this.keys.length; i++) {
      view.setUint32(at, this.keys[i], true);
      at = this.bitmaps[i].serializeInto(view, at + 4);
    }
    return at;
  }

  /** The portable 64-bit serialization of this bitmap. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.serializedSizeInBytes());
    this.serializeInto(new DataView(out.buffer), 0);
    return out;
  }
}

/** Reads one portable 64-bit bitmap starting at byte `offset`; returns it and the offset just past it. */
export function readRoaring64(bytes: Uint8Array, offset = 0): { bitmap: RoaringBitmap64; end: number } {
  const view = viewOf(bytes);
  need(view, offset, 8, 'bucket count');
  const count = view.getUint32(offset, true);
  // 64-bit extension: the count is a uint64 restricted to [0, 2^32 - 1].
  if (view.getUint32(offset + 4, true) !== 0) throw invalid('bucket count exceeds 2^32 - 1', { offset });
  let at = offset + 8;
  // Each bucket takes at least 12 bytes (key + empty 32-bit bitmap): reject absurd counts before allocating.
  if (count * 12 > view.byteLength - at) throw invalid('bucket count exceeds the data', { offset, count });
  const keys = new Uint32Array(count);
  const bitmaps: RoaringBitmap32[] = [];
  for (let i = 0; i < count; i++) {
    need(view, at, 4, 'bucket key');
    const key = view.getUint32(at, true);
    if (i > 0 && key <= keys[i - 1]) throw invalid('bucket keys not strictly increasing', { offset: at, key });
    keys[i] = key;
    const { bitmap, end } = readRoaring32(bytes, at + 4);
    bitmaps.push(bitmap);
    at = end;
  }
  return { bitmap: new RoaringBitmap64(keys, bitmaps), end: at };
}

/** Decodes a buffer holding exactly one portable 64-bit Roaring bitmap. Errors: `PUFFIN_INVALID`. */
export function decodeRoaring64(bytes: Uint8Array): RoaringBitmap64 {
  const { bitmap, end } = readRoaring64(bytes, 0);
  if (end !== bytes.length) throw invalid(`${bytes.length - end} trailing bytes`);
  return bitmap;
}

/** Serializes values (any order, duplicates ignored) as a portable 64-bit Roaring bitmap. */
export function encodeRoaring64(values: RoaringValues, options: RoaringEncodeOptions = {}): Uint8Array {
  return RoaringBitmap64.from(values, options).serialize();
}

/** Serializes unsigned 32-bit values (any order, duplicates ignored) as a portable 32-bit Roaring bitmap. */
export function encodeRoaring32(values: Iterable<number>, options: RoaringEncodeOptions = {}): Uint8Array {
  const sorted = Uint32Array.from(new Set(values), (v) => {
    if (!Number.isInteger(v) || v < 0 || v >= TWO_32) {
      throw new FloeError('INVALID_ARGUMENT', `not an unsigned 32-bit integer: ${v}`);
    }
    return v;
  }).sort();
  return RoaringBitmap32.fromSorted(sorted, options).serialize();
}
