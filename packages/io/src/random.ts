// The seeded-random interface every generator of this package implements, and the helpers built on `next()`.

/** A seeded stream of uniforms with the draws the pipeline needs. Not cryptographic; same seed, same stream, in Node, Bun and Deno. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). @throws {RangeError} when n is not a positive integer. */
  int(n: number): number;
  /** An integer in [lo, hi], both inclusive. @throws {RangeError} when hi < lo. */
  range(lo: number, hi: number): number;
  /** One element of a non-empty array. @throws {RangeError} when it is empty. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates, from the last index down). */
  shuffle<T>(items: readonly T[]): T[];
  /** `k` distinct elements in random order (the first `k` of a shuffle). @throws {RangeError} when k > length. */
  sample<T>(items: readonly T[], k: number): T[];
}

/**
 * The {@link Random} helpers over a uniform source. Every generator here draws `int(n)` as `floor(next() · n)`,
 * the rule all of the project's former generators used, so their streams of picks and shuffles are unchanged.
 * @example
 * const r = randomFrom(() => 0.5); r.int(10); // 5
 */
export function randomFrom(next: () => number): Random {
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Cannot draw an integer: n must be a positive integer, got ${n}`);
    return Math.floor(next() * n);
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  };
  return {
    next,
    int,
    range(lo, hi) {
      if (hi < lo) throw new RangeError(`Cannot draw from a range: hi must be >= lo, got [${lo}, ${hi}]`);
      return lo + int(hi - lo + 1);
    },
    pick(items) {
      if (items.length === 0) throw new RangeError("Cannot pick: the array must be non-empty, got length 0");
      return items[int(items.length)] as (typeof items)[number];
    },
    shuffle,
    sample(items, k) {
      if (k > items.length) throw new RangeError(`Cannot sample: k must be <= ${items.length}, got ${k}`);
      return shuffle(items).slice(0, k);
    },
  };
}

/**
 * `k` distinct indices of `[0, n)` in ascending order (a partial Fisher–Yates: the first `k` swaps), drawn with
 * `random`; `k` larger than `n` gives all of them.
 * @example sampleIndices(10, 3, mulberry32(7).next); // three sorted indices
 */
export function sampleIndices(n: number, k: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i += 1) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take).sort((a, b) => a - b);
}
