// Okapi BM25 relevance of each text to a query, in one pass over the texts.

export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
  /** Length normalisation, 0 (none) to 1 (full) (default 0.75). */
  b?: number;
}

const TERM = /[\p{L}\p{N}]+/gu;

/**
 * The terms BM25 matches on: runs of letters and digits, lower-cased. No stemming, no stop words.
 *
 * @example
 * ```ts
 * bm25Terms("The cat's mat!"); // ["the", "cat", "s", "mat"]
 * ```
 */
export function bm25Terms(text: string): string[] {
  return text.toLowerCase().match(TERM) ?? [];
}

/**
 * Okapi BM25 score of each text for a query:
 * `Σ_t IDF(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))` over the query's terms (a repeated query term
 * counts each time), with `IDF(t) = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))` (always positive), where `N` is
 * the number of texts, `n_t` those holding `t`, `tf` the count of `t` in the text, `dl` its term count and
 * `avgdl` the mean term count. Only the query's terms are counted, so one query costs one pass.
 *
 * @param texts the texts to score, `(N)`.
 * @param query what to score them against.
 * @param options `k1` and `b`.
 * @returns `(N)` scores, 0 for a text with none of the query's terms.
 * @throws {RangeError} when `k1 < 0` or `b` is outside [0, 1].
 * @example
 * ```ts
 * bm25Scores(["the cat sat on the mat", "the dog sat", "cats and dogs"], "cat sat"); // [1.2045, 0.5235, 0]
 * ```
 */
export function bm25Scores(texts: readonly string[], query: string, options: Bm25Options = {}): number[] {
  const { k1 = 1.2, b = 0.75 } = options;
  if (!(k1 >= 0)) throw new RangeError(`Cannot score with BM25: k1 must be ≥ 0, got ${k1}`);
  if (!(b >= 0 && b <= 1)) throw new RangeError(`Cannot score with BM25: b must be in [0, 1], got ${b}`);
  const queryTerms = bm25Terms(query);
  const slot = new Map<string, number>();
  for (const term of queryTerms) if (!slot.has(term)) slot.set(term, slot.size);
  const n = texts.length;
  const q = slot.size;
  const tf = new Float64Array(n * q); // (N, Q) counts of each distinct query term
  const lengths = new Float64Array(n); // (N) term counts
  const holders = new Float64Array(q); // (Q) texts holding each term
  const table = new TermTable([...slot.keys()]);
  let total = 0;
  for (let d = 0; d < n; d++) {
    const text = texts[d]!;
    let length = 0;
    let hash = 0;
    let start = -1;
    // One pass over the characters: hash each word's lower-cased code units as it goes, and only slice out
    // the words whose hash is a query term's (to confirm them), so no other word is allocated.
    for (let i = 0; i <= text.length; i++) {
      let code = i < text.length ? text.charCodeAt(i) : 32;
      let width = 1;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const pair = text.codePointAt(i)!;
        width = 2;
        code = LETTER_OR_DIGIT.test(String.fromCodePoint(pair)) ? pair : -1;
      } else code = lowerWordCode(code);
      if (code >= 0) {
        if (start < 0) {
          start = i;
          hash = 0;
        }
        hash = (Math.imul(hash, 31) + code) | 0;
        i += width - 1;
        continue;
      }
      if (start < 0) continue;
      length += 1;
      const s = table.find(hash, text, start, i);
      if (s >= 0) {
        if (tf[d * q + s] === 0) holders[s]! += 1;
        tf[d * q + s]! += 1;
      }
      start = -1;
      i += width - 1;
    }
    lengths[d] = length;
    total += length;
  }
  const avgdl = total / Math.max(n, 1);
  const idf = Array.from(holders, (h) => Math.log(1 + (n - h + 0.5) / (h + 0.5)));
  const scores = new Array<number>(n).fill(0);
  for (let d = 0; d < n; d++) {
    const norm = k1 * (1 - b + (b * lengths[d]!) / avgdl);
    let score = 0;
    for (const term of queryTerms) {
      const s = slot.get(term)!;
      const f = tf[d * q + s]!;
      if (f > 0) score += (idf[s]! * f * (k1 + 1)) / (f + norm);
    }
    scores[d] = score;
  }
  return scores;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// For each BMP code unit: its lower-case code when it is a letter or digit, -1 when it is not, -2 not yet known.
const WORD_CODE = new Int32Array(65536).fill(-2);

/** The lower-cased code of a letter or digit code unit, or -1 for anything else. */
function lowerWordCode(code: number): number {
  let known = WORD_CODE[code]!;
  if (known === -2) {
    const char = String.fromCharCode(code);
    const lower = char.toLowerCase();
    known = LETTER_OR_DIGIT.test(char) ? (lower.length === 1 ? lower.charCodeAt(0) : code) : -1;
    WORD_CODE[code] = known;
  }
  return known;
}

/** The hash {@link bm25Scores} computes for a lower-cased term, code point by code point. */
function termHash(term: string): number {
  let hash = 0;
  for (const char of term) hash = (Math.imul(hash, 31) + char.codePointAt(0)!) | 0;
  return hash;
}

/** A small open-addressing table from term hashes to query-term slots, confirmed against the text. */
class TermTable {
  readonly #terms: string[];
  readonly #hashes: Int32Array;
  readonly #slots: Int32Array;
  readonly #mask: number;

  constructor(terms: string[]) {
    this.#terms = terms;
    let size = 16;
    while (size < terms.length * 4) size *= 2;
    this.#mask = size - 1;
    this.#hashes = new Int32Array(size);
    this.#slots = new Int32Array(size).fill(-1);
    for (const [slot, term] of terms.entries()) {
      const hash = termHash(term);
      let at = hash & this.#mask;
      while (this.#slots[at]! >= 0) at = (at + 1) & this.#mask;
      this.#hashes[at] = hash;
      this.#slots[at] = slot;
    }
  }

  /** The slot of the query term equal to `text.slice(start, end)` lower-cased, or -1. */
  find(hash: number, text: string, start: number, end: number): number {
    for (let at = hash & this.#mask; this.#slots[at]! >= 0; at = (at + 1) & this.#mask) {
      if (this.#hashes[at] !== hash) continue;
      const slot = this.#slots[at]!;
      if (text.slice(start, end).toLowerCase() === this.#terms[slot]) return slot;
    }
    return -1;
  }
}
