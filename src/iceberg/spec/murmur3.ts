/**
 * 32-bit Murmur3 hash, x86 variant (spec: "Bucket Transform Details" and Appendix B "32-bit Hash Requirements").
 * Iceberg buckets by `murmur3_x86_32(bytes, seed 0)`, so this must agree bit-for-bit with Guava's
 * `Hashing.murmur3_32_fixed()` that the Java reference implementation uses.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixK1(k: number): number {
  k = Math.imul(k, C1);
  k = rotl32(k, 15);
  return Math.imul(k, C2);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = rotl32(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Murmur3 x86 32-bit hash of `bytes`, returned as a signed 32-bit integer (the value Java's `int` would hold, which
 * is what the spec's test vectors list, e.g. `-188683207` for bytes `00 01 02 03`).
 *
 * @param bytes - the bytes to hash
 * @param seed - hash seed; Iceberg always uses 0
 */
export function murmur3Hash32(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  for (let i = 0; i < blocks; i += 4) {
    // Blocks are read little-endian regardless of platform, as in the reference algorithm.
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h = mixH1(h, mixK1(k));
  }
  const rem = len & 3;
  if (rem > 0) {
    // Tail bytes, little-endian, exactly as the reference's fall-through switch.
    let k1 = 0;
    if (rem === 3) k1 ^= bytes[blocks + 2] << 16;
    if (rem >= 2) k1 ^= bytes[blocks + 1] << 8;
    k1 ^= bytes[blocks];
    h ^= mixK1(k1);
  }
  h ^= len;
  // fmix32: final avalanche.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
