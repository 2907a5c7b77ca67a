// Seeded randomness keyed by item: the same seed and key give the same draw in any order, run or runtime.
import { createHash } from "node:crypto";

/** A 32-bit unsigned integer from the seed and keys (SHA-256, first 4 bytes). */
export function hashInt(seed: number, ...keys: string[]): number {
  return createHash("sha256").update(JSON.stringify([seed, ...keys])).digest().readUInt32LE(0);
}

/** A uniform generator on [0, 1) (mulberry32) seeded from the seed and keys. */
export function seededRandom(seed: number, ...keys: string[]): () => number {
  let state = hashInt(seed, ...keys);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct indices of `[0, n)` in ascending order, drawn with `random` (partial Fisher-Yates). */
export function sampleIndices(n: number, k: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i += 1) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take).sort((a, b) => a - b);
}
