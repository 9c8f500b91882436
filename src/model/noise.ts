/**
 * Seeded hashes for stateless noise: a knot's value is a function of the seed, the city, the
 * channel and the knot alone, so any window of a timeline agrees with any other.
 * @module
 */

/** A 32-bit integer hash of a string (FNV-1a), stable across processes and platforms. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes three 32-bit integers into one well-spread 32-bit hash (murmur3's finaliser). */
export function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35) ^
    Math.imul(c ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A value in [-1, 1) at integer knot `knot` of the stream `key`. */
export function knotValue(key: number, knot: number): number {
  return hash3(key, knot | 0, (knot / 4294967296) | 0) / 2147483648 - 1;
}

/** 0 at `x <= edge0`, 1 at `x >= edge1`, and a smooth cubic step between them. */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** `x` limited to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
