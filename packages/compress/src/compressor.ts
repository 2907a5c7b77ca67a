// The shapes shared by selection and compression: kept spans, short contexts and the Compressor function type.

/** A half-open character range `[start, end)` of a document. */
export interface Span {
  start: number;
  end: number;
}

/**
 * A short context cut from a long document: the text, its token count, and the spans of the document it
 * kept, in document order, so that `spans.map((s) => document.slice(s.start, s.end))` are the pieces of `text`.
 */
export interface ShortContext {
  text: string;
  tokens: number;
  spans: Span[];
}

/** What every compressor takes besides the document: a token budget, and a query for those that use one. */
export interface CompressOptions {
  /** The most tokens the short context may hold (an integer ≥ 1). */
  budget: number;
  /** What the short context should be about (used by retrieval compressors, ignored by truncation). */
  query?: string;
}

/**
 * A way to cut a long document to a short context within a token budget. A document that already fits comes
 * back whole. Build one with a factory such as `truncateHead(tokenizer)` or `retrieveBm25(tokenizer)`.
 */
export type Compressor = (document: string, options: CompressOptions) => ShortContext;
