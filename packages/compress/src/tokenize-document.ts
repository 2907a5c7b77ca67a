// Tokenise a document once and map every token to the character offset where it starts.

/**
 * What compress needs of a tokenizer: text to ids and back. Any `@huggingface/transformers` tokenizer fits
 * through {@link adaptTransformersTokenizer}; tests can use {@link createWordTokenizer}.
 *
 * `decode(encode(text))` should give `text` back (up to whitespace the tokenizer adds or drops at the start),
 * because token offsets are found by matching decoded pieces against the document.
 */
export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

/**
 * A document tokenised once: its ids and, for each token, the character offset where it starts.
 * Token `i` covers `text.slice(starts[i], starts[i + 1] ?? text.length)`. Starts never decrease; tokens that
 * share one character (byte-fallback pieces of an emoji, say) share its start.
 */
export interface TokenizedDocument {
  text: string;
  ids: readonly number[];
  /** (T) character offset where each token starts. */
  starts: Int32Array;
}

const REPLACEMENT = "\uFFFD";
const WHITESPACE = /\s/;

/**
 * Tokenise `text` once and find where each token starts in it, by decoding each distinct id once and
 * matching the pieces against the text from left to right.
 *
 * @param text the document.
 * @param tokenizer encodes and decodes; its decode must reproduce the text (whitespace at piece edges aside).
 * @returns the ids and `(T)` start offsets.
 * @throws {TypeError} when `text` is not a string.
 * @throws {Error} when a decoded piece cannot be found in the text (a normalising tokenizer, e.g. lowercasing).
 * @example
 * ```ts
 * const doc = tokenizeDocument("Hello world.", createWordTokenizer());
 * doc.starts; // Int32Array [0, 5, 11]
 * ```
 */
export function tokenizeDocument(text: string, tokenizer: Tokenizer): TokenizedDocument {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot tokenize document: text must be a string, got ${typeName(text)}`);
  }
  const ids = tokenizer.encode(text);
  return { text, ids, starts: tokenStarts(text, ids, tokenizer) };
}

/**
 * Character start of each token of `ids` in `text`, found by matching decoded pieces from left to right.
 * Whitespace that a piece does not show (SentencePiece's stripped leading space) is given to the next token;
 * a first or last token whose piece is not in the text (a BOS or EOS the encoder added) gets no width.
 *
 * @param text the text that `ids` encode.
 * @param ids the token ids, `(T)`.
 * @param tokenizer decodes single tokens (each distinct id is decoded once).
 * @returns `(T)` start offsets, non-decreasing.
 * @throws {Error} when a piece does not match the text.
 */
export function tokenStarts(text: string, ids: readonly number[], tokenizer: Tokenizer): Int32Array {
  const starts = new Int32Array(ids.length);
  const pieces = new Map<number, string>();
  const pieceOf = (id: number): string => {
    let piece = pieces.get(id);
    if (piece === undefined) {
      piece = tokenizer.decode([id]);
      pieces.set(id, piece);
    }
    return piece;
  };
  let cursor = 0;
  let i = 0;
  while (i < ids.length) {
    let piece = pieceOf(ids[i]!);
    let group = 1;
    // Byte-fallback pieces decode to U+FFFD alone; decode them together until they form whole characters.
    if (piece.includes(REPLACEMENT) && text[cursor] !== REPLACEMENT) {
      for (let j = i + 2; j <= Math.min(ids.length, i + 8); j++) {
        const joined = tokenizer.decode(ids.slice(i, j) as number[]);
        if (!joined.includes(REPLACEMENT)) {
          piece = joined;
          group = j - i;
          break;
        }
      }
    }
    let end = matchPiece(text, cursor, piece);
    // A special token an encoder adds at either end (BOS, EOS) is not in the text: give it no width.
    if (end < 0 && (i === 0 || i + group === ids.length)) end = cursor;
    if (end < 0) {
      const shown = JSON.stringify(piece);
      const near = JSON.stringify(text.slice(cursor, cursor + 20));
      throw new Error(
        `Cannot map tokens to the text: token ${i} decodes to ${shown}, which does not match the text at ` +
          `offset ${cursor} (${near}); compress needs a tokenizer whose decode reproduces its input`,
      );
    }
    for (let g = 0; g < group; g++) starts[i + g] = Math.min(cursor, text.length);
    cursor = end;
    i += group;
  }
  return starts;
}

/** End offset of `piece` matched at `cursor`, skipping whitespace the piece does not show; -1 if no match. */
function matchPiece(text: string, cursor: number, piece: string): number {
  if (piece.length === 0) return cursor;
  if (text.startsWith(piece, cursor)) return cursor + piece.length;
  const core = piece.trim();
  if (core.length === 0) {
    // A whitespace piece whose exact spaces differ from the text: take the whitespace run it stands for.
    let j = cursor;
    while (j < text.length && WHITESPACE.test(text[j]!) && j - cursor < piece.length) j++;
    return j;
  }
  let j = cursor;
  while (j < text.length && WHITESPACE.test(text[j]!)) {
    j++;
    if (text.startsWith(core, j)) return j + core.length;
  }
  return -1;
}

/**
 * Index of the first token that starts at or after `offset` (T when none does).
 *
 * @param starts `(T)` start offsets.
 * @param offset a character offset.
 */
export function tokenIndexAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A short name for the type of `value`, for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
