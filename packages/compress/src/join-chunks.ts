// Join chunks into the long context, with its token count known from the chunks (no re-tokenising).
import type { Chunk } from "./chunk-document.ts";
import type { Tokenizer } from "./tokenize-document.ts";

/**
 * Join chunks into one text, the long context, and add up its tokens: the chunks' counts plus the
 * separator's count times the gaps. With the default empty separator, the consecutive chunks of one
 * document (no overlap) join back into that document and its exact token count. A non-empty separator is
 * tokenised once, alone, so the count can differ from re-tokenising the joined text by the odd token where
 * a tokenizer merges across a seam.
 *
 * @param chunks the chunks, non-empty, in the order to join them.
 * @param separator put between chunks (default "").
 * @param tokenizer counts the separator's tokens; needed only when the separator is not empty.
 * @returns the joined text and its token count.
 * @throws {RangeError} when `chunks` is empty.
 * @throws {TypeError} when a non-empty separator comes without a tokenizer.
 * @example
 * ```ts
 * const tok = createWordTokenizer();
 * const chunks = chunkDocument("One.\n\nTwo.", tok, { maxTokens: 4 });
 * joinChunks(chunks); // { text: "One.\n\nTwo.", tokens: 6 }
 * ```
 */
export function joinChunks(
  chunks: readonly Chunk[],
  separator = "",
  tokenizer?: Tokenizer,
): { text: string; tokens: number } {
  if (!Array.isArray(chunks)) throw new TypeError(`Cannot join chunks: chunks must be an array, got ${typeof chunks}`);
  if (chunks.length === 0) throw new RangeError("Cannot join chunks: chunks must be non-empty, got an empty list");
  let separatorTokens = 0;
  if (separator !== "") {
    if (tokenizer === undefined) {
      throw new TypeError(
        `Cannot join chunks: a tokenizer must count the separator ${JSON.stringify(separator)}, got none`,
      );
    }
    separatorTokens = tokenizer.encode(separator).length;
  }
  let tokens = separatorTokens * (chunks.length - 1);
  for (const chunk of chunks) tokens += chunk.tokens;
  return { text: chunks.map((c) => c.text).join(separator), tokens };
}
