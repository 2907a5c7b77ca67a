// Pick the chunks most relevant to a query (BM25) that fit a token budget, kept in document order.
import { checkChunks, checkPositiveInteger } from "./_checks.ts";
import { type Bm25Options, bm25Scores } from "./bm25-scores.ts";
import type { Chunk } from "./chunk-document.ts";
import { typeName } from "./tokenize-document.ts";

export interface SelectByBm25Options extends Bm25Options {
  /** The most tokens the picked chunks may hold together (integer ≥ 1). */
  budget: number;
  /** The most chunks to pick (default: as many as fit). */
  topK?: number;
}

/**
 * Rank chunks by BM25 score for `query` (ties: earlier first) and take them in that order, skipping any
 * that would overflow the budget, until `topK` are taken or none fits. When no chunk holds a query term,
 * all score 0 and the earliest chunks that fit come back.
 *
 * @param chunks the chunks, non-empty.
 * @param query what the chunks should be about.
 * @param options `budget` in tokens, `topK`, and BM25's `k1` and `b`.
 * @returns the picked chunks in document order (empty when no chunk fits the budget).
 * @throws {RangeError} when `chunks` is empty or `budget`/`topK` is not an integer ≥ 1.
 * @throws {TypeError} when `query` is not a string.
 * @example
 * ```ts
 * const picked = selectByBm25(chunks, "Who killed Polonius?", { budget: 4000 });
 * ```
 */
export function selectByBm25(chunks: readonly Chunk[], query: string, options: SelectByBm25Options): Chunk[] {
  const action = "select chunks by BM25";
  checkChunks(action, chunks);
  if (typeof query !== "string") {
    throw new TypeError(`Cannot ${action}: query must be a string, got ${typeName(query)}`);
  }
  const { budget, topK = chunks.length } = options;
  checkPositiveInteger(action, "budget", budget);
  checkPositiveInteger(action, "topK", topK);
  const scores = bm25Scores(
    chunks.map((c) => c.text),
    query,
    options,
  );
  const ranked = chunks.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const picked: number[] = [];
  let left = budget;
  for (const i of ranked) {
    if (picked.length === topK) break;
    const tokens = chunks[i]!.tokens;
    if (tokens <= left) {
      picked.push(i);
      left -= tokens;
    }
  }
  return picked.sort((a, b) => a - b).map((i) => chunks[i]!);
}
