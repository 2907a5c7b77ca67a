// Compressor: keep the last `budget` tokens of the document.
import { checkCompress, contextOf, tailStart } from "./_keep-tokens.ts";
import type { Compressor } from "./compressor.ts";
import { tokenizeDocument, type Tokenizer } from "./tokenize-document.ts";

/**
 * A compressor that keeps the tail of the document: its last `budget` tokens, cut at a token boundary.
 *
 * @param tokenizer counts tokens.
 * @returns a {@link Compressor}; it throws a TypeError for a non-string document and a RangeError for an
 * empty one or a budget that is not an integer ≥ 1.
 * @example
 * ```ts
 * keepTail(createWordTokenizer())("One two three.", { budget: 2 }); // { text: " three.", tokens: 2, spans: [{ start: 7, end: 14 }] }
 * ```
 */
export function keepTail(tokenizer: Tokenizer): Compressor {
  return (document, options) => {
    checkCompress("keep the tail", document, options);
    const doc = tokenizeDocument(document, tokenizer);
    return contextOf(doc, [{ start: tailStart(doc, options.budget), end: document.length }]);
  };
}
