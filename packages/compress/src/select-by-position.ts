// Pick chunks by where they sit in the document: the first, the middle or the last.
import { checkChunks, checkPositiveInteger } from "./_checks.ts";
import type { Chunk } from "./chunk-document.ts";

/** Where to take chunks from. */
export type ChunkPosition = "first" | "middle" | "last";

const POSITIONS: readonly ChunkPosition[] = ["first", "middle", "last"];

/**
 * Take `count` consecutive chunks from the start, the middle or the end of the document. The middle run
 * starts at `floor((n − count) / 2)`, so of 4 chunks the middle one is chunk 1.
 *
 * @param chunks the chunks, non-empty.
 * @param position "first", "middle" or "last".
 * @param count how many (default 1; at most all the chunks come back).
 * @returns the chunks, in document order.
 * @throws {RangeError} when `chunks` is empty, `position` is unknown or `count < 1`.
 * @example
 * ```ts
 * const [middle] = selectByPosition(chunks, "middle");
 * ```
 */
export function selectByPosition(chunks: readonly Chunk[], position: ChunkPosition, count = 1): Chunk[] {
  const action = "select chunks by position";
  checkChunks(action, chunks);
  checkPositiveInteger(action, "count", count);
  if (!POSITIONS.includes(position)) {
    throw new RangeError(
      `Cannot ${action}: position must be one of ${POSITIONS.join(", ")}, got ${JSON.stringify(position)}`,
    );
  }
  const k = Math.min(count, chunks.length);
  const from = position === "first" ? 0 : position === "last" ? chunks.length - k : Math.floor((chunks.length - k) / 2);
  return chunks.slice(from, from + k);
}
