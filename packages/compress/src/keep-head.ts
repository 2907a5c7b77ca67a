// Compressor: keep the first `budget` tokens of the document.
import { checkCompress, contextOf, headEnd } from "./_keep-tokens.ts";
import type { Compressor } from "./compressor.ts";
import { tokenizeDocument, type Tokenizer } from "./tokenize-document.ts";

/**
 * A compressor that keeps the head of the document: its first `budget` tokens, cut at a token boundary.
 *
 * @param tokenizer counts tokens.
 * @returns a {@link Compressor}; it throws a TypeError for a non-string document and a RangeError for an
 * empty one or a budget that is not an integer ≥ 1.
 * @example
 * ```ts
 * keepHead(createWordTokenizer())("One two three.", { budget: 2 }); // { text: "One two", tokens: 2, spans: [{ start: 0, end: 7 }] }
 * ```
 */
export function keepHead(tokenizer: Tokenizer): Compressor {
  return (document, options) => {
    checkCompress("keep the head", document, options);
    const doc = tokenizeDocument(document, tokenizer);
    return contextOf(doc, [{ start: 0, end: headEnd(doc, options.budget) }]);
  };
}
