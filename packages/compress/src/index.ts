/**
 * @module
 * @longpo/compress: long documents to short contexts (token-aware chunking, selection, compressors).
 * Work in progress: the types below are stable; the functions land next.
 */
export { createWordTokenizer } from "./word-tokenizer.ts";
export { tokenizeDocument, tokenStarts, tokenIndexAt } from "./tokenize-document.ts";
export type { Tokenizer, TokenizedDocument } from "./tokenize-document.ts";
export type { Chunk, ChunkOptions, ChunkUnits } from "./chunk-document.ts";
export type { CompressOptions, Compressor, ShortContext, Span } from "./compressor.ts";
