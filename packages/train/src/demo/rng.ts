// A small seeded PRNG (sfc32) for the synthetic world: same seed, same documents, on every runtime.

/** A seeded random stream. Not cryptographic; reproducible across Node, Bun and Deno. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `k` distinct elements in random order. */
  sample<T>(items: readonly T[], k: number): T[];
  /** An independent stream derived from this one's seed and a label. */
  fork(label: string): Rng;
}

/** 32-bit FNV-1a hash of a string: turns labels into seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A seeded random stream (sfc32, seeded through splitmix32).
 * @param seed any integer (or a string, hashed).
 * @throws {RangeError} when the seed is not a finite number.
 * @example
 * const rng = createRng(7);
 * rng.int(10); // the same value on every run
 */
export function createRng(seed: number | string): Rng {
  const base = typeof seed === "string" ? hashString(seed) : seed;
  if (!Number.isFinite(base)) throw new RangeError(`Cannot create an Rng: seed must be finite, got ${String(seed)}`);
  let s = Math.trunc(base) >>> 0;
  // splitmix32 expands one seed into the four state words.
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const seedValue = Math.trunc(base) >>> 0;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32(); // warm-up
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Cannot draw an integer: n must be a positive integer, got ${n}`);
      return Math.floor(rng.next() * n);
    },
    range(lo, hi) {
      if (hi < lo) throw new RangeError(`Cannot draw from a range: hi must be >= lo, got [${lo}, ${hi}]`);
      return lo + rng.int(hi - lo + 1);
    },
    pick(items) {
      if (items.length === 0) throw new RangeError("Cannot pick: the array must be non-empty, got length 0");
      return items[rng.int(items.length)] as (typeof items)[number];
    },
    shuffle(items) {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = out[i] as (typeof out)[number];
        out[i] = out[j] as (typeof out)[number];
        out[j] = tmp;
      }
      return out;
    },
    sample(items, k) {
      if (k > items.length) throw new RangeError(`Cannot sample: k must be <= ${items.length}, got ${k}`);
      return rng.shuffle(items).slice(0, k);
    },
    fork: (label) => createRng((hashString(label) ^ seedValue ^ nextU32()) >>> 0),
  };
  return rng;
}
