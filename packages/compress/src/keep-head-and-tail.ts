// Compressor: cut the middle out, keeping the head and the tail (LongBench's truncation).
import { checkCompress, contextOf, headEnd, tailStart } from "./_keep-tokens.ts";
import type { Compressor } from "./compressor.ts";
import { tokenizeDocument, type Tokenizer } from "./tokenize-document.ts";

/**
 * A compressor that cuts out the middle of the document, as LongBench truncates prompts: it keeps the first
 * `ceil(budget / 2)` tokens and the last `floor(budget / 2)`, and joins them directly (no marker).
 *
 * @param tokenizer counts tokens.
 * @returns a {@link Compressor} whose context has two spans (one when the document fits or the budget is 1);
 * it throws a TypeError for a non-string document and a RangeError for an empty one or a budget that is not
 * an integer ≥ 1.
 * @example
 * ```ts
 * keepHeadAndTail(createWordTokenizer())("One two three four.", { budget: 3 }).text; // "One two four."
 * ```
 */
export function keepHeadAndTail(tokenizer: Tokenizer): Compressor {
  return (document, options) => {
    checkCompress("keep the head and tail", document, options);
    const doc = tokenizeDocument(document, tokenizer);
    if (doc.ids.length <= options.budget) return contextOf(doc, [{ start: 0, end: document.length }]);
    const head = Math.ceil(options.budget / 2);
    return contextOf(doc, [
      { start: 0, end: headEnd(doc, head) },
      { start: tailStart(doc, options.budget - head), end: document.length },
    ]);
  };
}
