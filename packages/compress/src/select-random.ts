// Pick chunks at random with a seed, as the LongPO paper picks the chunk a question is asked about.
import { checkChunks, checkPositiveInteger } from "./_checks.ts";
import type { Chunk } from "./chunk-document.ts";
import { mulberry32, sampleIndices } from "@longpo/io";

/**
 * Pick `count` distinct chunks uniformly at random (a seeded partial Fisher–Yates shuffle); the same seed
 * picks the same chunks in every runtime.
 *
 * @param chunks the chunks to pick from, non-empty.
 * @param options `seed` (an integer) and `count` (default 1; at most all the chunks come back).
 * @returns the picked chunks, in document order.
 * @throws {RangeError} when `chunks` is empty, `count < 1` or `seed` is not an integer.
 * @example
 * ```ts
 * const [chunk] = selectRandom(chunks, { seed: 42 });
 * ```
 */
export function selectRandom(chunks: readonly Chunk[], options: { seed: number; count?: number }): Chunk[] {
  const action = "select chunks at random";
  checkChunks(action, chunks);
  const { seed, count = 1 } = options;
  checkPositiveInteger(action, "count", count);
  if (!Number.isInteger(seed)) throw new RangeError(`Cannot ${action}: seed must be an integer, got ${seed}`);
  return sampleIndices(chunks.length, count, mulberry32(seed).next).map((i) => chunks[i]!);
}
