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
  // Only a word as long as some query term can be one; the rest are counted without being sliced out.
  const queryLengths = new Set(Array.from(slot.keys(), (t) => t.length));
  let total = 0;
  for (let d = 0; d < n; d++) {
    const text = texts[d]!.toLowerCase();
    let length = 0;
    forEachWord(text, (start, end) => {
      length += 1;
      if (!queryLengths.has(end - start)) return;
      const s = slot.get(text.slice(start, end));
      if (s === undefined) return;
      if (tf[d * q + s] === 0) holders[s]! += 1;
      tf[d * q + s]! += 1;
    });
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
// Whether each BMP character is a letter or digit, filled in as met: 0 not yet known, 1 yes, 2 no.
const BMP_WORD = new Uint8Array(65536);

/** Call `visit(start, end)` for each run of letters and digits (as {@link bm25Terms} finds them), without regex over the whole text. */
function forEachWord(text: string, visit: (start: number, end: number) => void): void {
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let word: boolean;
    if (c < 128) word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: test the whole code point, and step over its second half.
      word = LETTER_OR_DIGIT.test(text.slice(i, i + 2));
      if (word) {
        if (start < 0) start = i;
        i++;
        continue;
      }
    } else {
      let known = BMP_WORD[c]!;
      if (known === 0) BMP_WORD[c] = known = LETTER_OR_DIGIT.test(text[i]!) ? 1 : 2;
      word = known === 1;
    }
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      visit(start, i);
      start = -1;
    }
  }
  if (start >= 0) visit(start, text.length);
}
