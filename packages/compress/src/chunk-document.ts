// Split a document into units (paragraphs, sections, sentences) and pack them into token-bounded chunks.

/** How a document is cut into units before packing; each falls back to finer units for an oversized one. */
export type ChunkUnits = "paragraph" | "markdown" | "latex" | "sentence";

/** One chunk of a document: `text === document.slice(start, end)`, `tokens` counted from the document's tokens. */
export interface Chunk {
  /** Position in the chunk list, from 0. */
  index: number;
  text: string;
  /** Character offset of the chunk in the document (inclusive). */
  start: number;
  /** Character offset of the chunk in the document (exclusive). */
  end: number;
  /** Tokens of the document that start inside `[start, end)`. */
  tokens: number;
}

export interface ChunkOptions {
  /** The most tokens a chunk may hold (integer ≥ 1). */
  maxTokens: number;
  /** The fewest tokens a chunk should hold (integer, 0 ≤ minTokens ≤ maxTokens; default 0). */
  minTokens?: number;
  /** Tokens of the previous chunk repeated at the start of each chunk (integer, 0 ≤ overlap < maxTokens; default 0). */
  overlap?: number;
  /** What to keep whole: paragraphs (default), Markdown sections, LaTeX sections, or sentences. */
  units?: ChunkUnits;
}
