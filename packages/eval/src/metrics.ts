// Answer metrics: SQuAD exact match, RULER string match, LongBench token F1, ROUGE-L and accuracy.

const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * SQuAD v1.1 answer normalisation: lower-case, drop ASCII punctuation, drop the articles "a", "an", "the" as
 * whole words, collapse whitespace (in that order, as the official `normalize_answer`).
 * @example normalizeAnswer("The  Cat's hat!") // "cats hat"
 */
export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  const noPunct = lower.replace(PUNCTUATION, "");
  const noArticles = noPunct.replace(/\b(a|an|the)\b/g, " ");
  return noArticles.split(/\s+/).filter((w) => w.length > 0).join(" ");
}

/**
 * 1 when the normalised prediction equals any normalised reference, else 0 (SQuAD's `exact_match`, max over
 * references). With no references the score is 0.
 */
export function exactMatch(prediction: string, references: readonly string[]): number {
  const p = normalizeAnswer(prediction);
  return references.some((r) => normalizeAnswer(r) === p) ? 1 : 0;
}

/**
 * RULER's `string_match_all`: the share of references found (case-insensitively) as substrings of the
 * prediction.
 */
export function stringMatchAll(prediction: string, references: readonly string[]): number {
  if (references.length === 0) return 0;
  const p = prediction.toLowerCase();
  return references.filter((r) => p.includes(r.toLowerCase())).length / references.length;
}

/** RULER's `string_match_part`: 1 when any reference is a (case-insensitive) substring of the prediction. */
export function stringMatchPart(prediction: string, references: readonly string[]): number {
  const p = prediction.toLowerCase();
  return references.some((r) => p.includes(r.toLowerCase())) ? 1 : 0;
}

function tokenF1(predTokens: readonly string[], refTokens: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of refTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of predTokens) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predTokens.length;
  const recall = common / refTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * LongBench's `qa_f1_score` (the SQuAD token F1): F1 of the multiset overlap of normalised whitespace tokens,
 * max over references.
 */
export function qaF1(prediction: string, references: readonly string[]): number {
  const pred = normalizeAnswer(prediction).split(" ").filter((t) => t.length > 0);
  let best = 0;
  for (const r of references) {
    best = Math.max(best, tokenF1(pred, normalizeAnswer(r).split(" ").filter((t) => t.length > 0)));
  }
  return best;
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = x === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, cur[j - 1] ?? 0);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Sentence-level ROUGE-L F1 (β = 1): with `L` the longest common subsequence of lower-cased whitespace tokens,
 * P = L / |prediction|, R = L / |reference|, F = 2PR / (P + R); max over references.
 */
export function rougeL(prediction: string, references: readonly string[]): number {
  const pred = prediction.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  let best = 0;
  for (const r of references) {
    const ref = r.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
    const l = lcsLength(pred, ref);
    if (l === 0) continue;
    const p = l / pred.length;
    const rc = l / ref.length;
    best = Math.max(best, (2 * p * rc) / (p + rc));
  }
  return best;
}

/**
 * Share of positions where `predictions[i] === golds[i]`.
 * @throws {RangeError} when the lists differ in length or are empty.
 */
export function accuracy(predictions: readonly number[], golds: readonly number[]): number {
  if (predictions.length !== golds.length || golds.length === 0) {
    throw new RangeError(
      `Cannot compute accuracy: predictions and golds must be non-empty and match, got ${predictions.length} and ${golds.length}`,
    );
  }
  let hits = 0;
  for (let i = 0; i < golds.length; i++) if (predictions[i] === golds[i]) hits++;
  return hits / golds.length;
}
