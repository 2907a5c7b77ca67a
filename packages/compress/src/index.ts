/**
 * @module
 * @longpo/compress: long documents to short contexts. Tokenise a document once, chunk it into pieces a
 * short-context model can read, pick chunks (at random with a seed, by position, or by BM25 relevance), or
 * compress it to a token budget with composable compressors that record which spans they kept.
 *
 * @example
 * ```ts
 * import { chunkDocument, createWordTokenizer, joinChunks, selectRandom } from "@longpo/compress";
 *
 * const tokenizer = createWordTokenizer(); // for examples; use adaptTransformersTokenizer for a real model
 * const chunks = chunkDocument("First paragraph.\n\nSecond one.\n\nThird.", tokenizer, { maxTokens: 6 });
 * const long = joinChunks(chunks); // the whole document and its token count
 * const [short] = selectRandom(chunks, { seed: 1 });
 * console.log(chunks.length, long.tokens, short!.text);
 * ```
 */
export { adaptTransformersTokenizer } from "./adapt-transformers-tokenizer.ts";
export type { TransformersTokenizerLike } from "./adapt-transformers-tokenizer.ts";
export { byQuery } from "./by-query.ts";
export { bm25Scores, bm25Terms } from "./bm25-scores.ts";
export type { Bm25Options } from "./bm25-scores.ts";
export { chunkDocument, chunkTokenized } from "./chunk-document.ts";
export type { Chunk, ChunkOptions, ChunkUnits } from "./chunk-document.ts";
export type { CompressOptions, Compressor, ShortContext, Span } from "./compressor.ts";
export { joinChunks } from "./join-chunks.ts";
export { keepHead } from "./keep-head.ts";
export { keepHeadAndTail } from "./keep-head-and-tail.ts";
export { keepTail } from "./keep-tail.ts";
export { retrieveBm25 } from "./retrieve-bm25.ts";
export type { RetrieveBm25Options } from "./retrieve-bm25.ts";
export { selectByBm25 } from "./select-by-bm25.ts";
export type { SelectByBm25Options } from "./select-by-bm25.ts";
export { selectByPosition } from "./select-by-position.ts";
export type { ChunkPosition } from "./select-by-position.ts";
export { selectRandom } from "./select-random.ts";
export { splitUnits } from "./split-units.ts";
export { tokenIndexAt, tokenizeDocument, tokenStarts } from "./tokenize-document.ts";
export type { TokenizedDocument, Tokenizer } from "./tokenize-document.ts";
export { createWordTokenizer } from "./word-tokenizer.ts";
