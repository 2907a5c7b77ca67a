// Compose compressors: one for when a query is given, another for when none is.
import type { Compressor } from "./compressor.ts";

/**
 * A compressor that uses `withQuery` when the options carry a non-empty query and `withoutQuery` otherwise,
 * e.g. BM25 retrieval for questions and LongBench's middle cut for everything else.
 *
 * @param withQuery used when `options.query` is a non-empty string.
 * @param withoutQuery used otherwise.
 * @returns a {@link Compressor}.
 * @example
 * ```ts
 * const compress = byQuery(retrieveBm25(tokenizer), keepHeadAndTail(tokenizer));
 * compress(document, { budget: 4000, query: "Who wrote the letter?" });
 * ```
 */
export function byQuery(withQuery: Compressor, withoutQuery: Compressor): Compressor {
  return (document, options) =>
    typeof options?.query === "string" && options.query.trim() !== ""
      ? withQuery(document, options)
      : withoutQuery(document, options);
}
