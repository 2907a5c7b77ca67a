// Compressor: keep the chunks most relevant to the query (BM25) that fit the budget, in document order.
import { checkPositiveInteger } from "./_checks.ts";
import { checkCompress, contextOf } from "./_keep-tokens.ts";
import { chunkTokenized, type ChunkUnits } from "./chunk-document.ts";
import type { Compressor, Span } from "./compressor.ts";
import { selectByBm25 } from "./select-by-bm25.ts";
import { tokenizeDocument, type Tokenizer, typeName } from "./tokenize-document.ts";

export interface RetrieveBm25Options {
  /** Tokens per chunk, at most (default 512; never more than the budget). */
  chunkTokens?: number;
  /** What chunks keep whole (default "paragraph"). */
  units?: ChunkUnits;
  /** Put between kept pieces that are not adjacent in the document (default ""); its tokens count. */
  separator?: string;
}

/**
 * A compressor that chunks the document, ranks the chunks by BM25 against the query and keeps the best that
 * fit the budget (separators included), in document order; adjacent kept chunks merge into one span.
 *
 * @param tokenizer counts tokens.
 * @param options chunk size, units and separator.
 * @returns a {@link Compressor} that needs `query`; it throws a TypeError for a non-string document or query
 * and a RangeError for an empty document or a budget that is not an integer ≥ 1.
 * @throws {RangeError} when `chunkTokens` is not an integer ≥ 1.
 * @example
 * ```ts
 * const retrieve = retrieveBm25(createWordTokenizer(), { chunkTokens: 64 });
 * retrieve(play, { budget: 256, query: "Who is the Duke?" }).spans;
 * ```
 */
export function retrieveBm25(tokenizer: Tokenizer, options: RetrieveBm25Options = {}): Compressor {
  const { chunkTokens = 512, units = "paragraph", separator = "" } = options;
  checkPositiveInteger("make a BM25 retrieval compressor", "chunkTokens", chunkTokens);
  const separatorTokens = separator === "" ? 0 : tokenizer.encode(separator).length;
  return (document, { budget, query }) => {
    const action = "retrieve by BM25";
    checkCompress(action, document, { budget, query });
    if (typeof query !== "string") {
      throw new TypeError(`Cannot ${action}: query must be a string, got ${typeName(query)}`);
    }
    const doc = tokenizeDocument(document, tokenizer);
    if (doc.ids.length <= budget) return contextOf(doc, [{ start: 0, end: document.length }]);
    const chunks = chunkTokenized(doc, { maxTokens: Math.min(chunkTokens, budget), units });
    // Each kept chunk after the first brings one separator: charge it to every chunk and refund one.
    const charged = chunks.map((c) => ({ ...c, tokens: c.tokens + separatorTokens }));
    const picked = selectByBm25(charged, query, { budget: budget + separatorTokens });
    const spans: Span[] = [];
    for (const { start, end } of picked) {
      const last = spans[spans.length - 1];
      if (last !== undefined && last.end === start) last.end = end;
      else spans.push({ start, end });
    }
    return contextOf(doc, spans, separator, separatorTokens);
  };
}
