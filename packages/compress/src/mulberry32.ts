// A tiny seeded pseudo-random number generator (mulberry32), so that selection is reproducible.

/**
 * Make a generator of uniform numbers in [0, 1) from a 32-bit seed (Tommy Ettinger's mulberry32). Same seed,
 * same sequence, in every runtime. Not for cryptography.
 *
 * @param seed any integer; only its low 32 bits count.
 * @returns a function giving the next number in [0, 1).
 * @throws {RangeError} when `seed` is not a finite integer.
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // 0.6011037519201636
 * ```
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`Cannot seed mulberry32: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
