// The pair filters (DESIGN.md, data pipeline step 4): each a small function, composed with applyFilters.
import type { PreferencePair } from "./preference-pair.ts";

/** A filter: returns why it drops the pair, or `null` to keep it. `name` keys the drop summary. */
export interface PairFilter {
  readonly name: string;
  (pair: PreferencePair): string | null;
}

function named(name: string, fn: (pair: PreferencePair) => string | null): PairFilter {
  return Object.defineProperty(fn, "name", { value: name }) as PairFilter;
}

function responses(pair: PreferencePair): { turn: number; side: "chosen" | "rejected"; text: string }[] {
  return pair.turns.flatMap((t, turn) => [
    { turn, side: "chosen" as const, text: t.chosen },
    { turn, side: "rejected" as const, text: t.rejected },
  ]);
}

/** Lower-cased words: runs of letters, digits and inner apostrophes. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
}

/** Words holding at least one letter (numbers and stray symbols are not real words). */
export function realWordCount(text: string): number {
  return words(text).filter((w) => /\p{L}/u.test(w)).length;
}

/**
 * The share of word n-grams that repeat an earlier n-gram in the same text: 0 for text that never repeats itself,
 * near 1 for a generation stuck in a loop. With `n = 1` it is the plain repeated-word ratio; the default `n = 3`
 * stays low on long natural answers (which reuse "the", "of", …) while still catching loops.
 * @returns a number in [0, 1); 0 when the text has fewer than `n` words
 */
export function repeatRatio(text: string, n = 3): number {
  return ngramRepeatRatio(words(text), n);
}

function ngramRepeatRatio(w: readonly string[], n: number): number {
  const total = w.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  for (let i = 0; i < total; i += 1) {
    const gram = w.slice(i, i + n).join(" ");
    if (seen.has(gram)) repeats += 1;
    else seen.add(gram);
  }
  return repeats / total;
}

/** Drops a pair with an empty (whitespace-only) answer on either side of any turn. */
export function emptyFilter(): PairFilter {
  return named("empty", (pair) => {
    const bad = responses(pair).find((r) => r.text.trim() === "");
    return bad === undefined ? null : `turn ${bad.turn} ${bad.side} is empty`;
  });
}

/** Options of {@link degenerateFilter}. */
export interface DegenerateOptions {
  /** Drop above this {@link repeatRatio}; default 0.5. */
  maxRepeatRatio?: number;
  /** n-gram size of the repeat ratio; default 3 (1 = repeated words). */
  ngram?: number;
  /** Drop with fewer real words than this; default 2. */
  minWords?: number;
}

/** Drops a pair whose answer is mostly repetition, or has fewer than `minWords` real words. */
export function degenerateFilter(options: DegenerateOptions = {}): PairFilter {
  const maxRatio = options.maxRepeatRatio ?? 0.5;
  const n = options.ngram ?? 3;
  const minWords = options.minWords ?? 2;
  return named("degenerate", (pair) => {
    for (const r of responses(pair)) {
      const w = words(r.text);
      const count = w.filter((x) => /\p{L}/u.test(x)).length;
      if (count < minWords) return `turn ${r.turn} ${r.side} has ${count} real word(s), fewer than ${minWords}`;
      const ratio = ngramRepeatRatio(w, n);
      if (ratio > maxRatio) return `turn ${r.turn} ${r.side} repeats itself (${n}-gram repeat ratio ${ratio.toFixed(2)} > ${maxRatio})`;
    }
    return null;
  });
}

/** Refusal openings, matched case-insensitively near the start of an answer. */
export const REFUSAL_PATTERNS: readonly RegExp[] = [
  /\bI(?:'m| am)? (?:sorry|afraid)\b/i,
  /\bI (?:cannot|can't|can not|am unable to|'m unable to|won't|will not) (?:help|assist|answer|provide|comply|do that|fulfil|fulfill)/i,
  /\bI'?m not able to (?:help|assist|answer|provide)/i,
  /\bas an AI\b/i,
  /\bas a(?:n)? (?:large )?language model\b/i,
  /\bI apologi[sz]e\b/i,
];

/** Options of {@link refusalFilter}. */
export interface RefusalOptions {
  /** Patterns to look for; default {@link REFUSAL_PATTERNS}. */
  patterns?: readonly RegExp[];
  /** Characters from the start of the answer to search; default 200, so a refusal quoted late in an answer passes. */
  window?: number;
}

/** Drops a pair where either answer of any turn opens with a refusal ("I cannot help…", "As an AI…"). */
export function refusalFilter(options: RefusalOptions = {}): PairFilter {
  const patterns = options.patterns ?? REFUSAL_PATTERNS;
  const window = options.window ?? 200;
  return named("refusal", (pair) => {
    for (const r of responses(pair)) {
      const head = r.text.slice(0, window);
      const hit = patterns.find((p) => p.test(head));
      if (hit !== undefined) return `turn ${r.turn} ${r.side} is a refusal (${hit.source})`;
    }
    return null;
  });
}

/** Drops a pair whose chosen and rejected answers are the same text (ignoring case and whitespace) in any turn. */
export function identicalFilter(): PairFilter {
  const norm = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();
  return named("identical", (pair) => {
    const turn = pair.turns.findIndex((t) => norm(t.chosen) === norm(t.rejected));
    return turn === -1 ? null : `turn ${turn} chosen and rejected are identical`;
  });
}

/** Options of {@link overLengthFilter}. */
export interface OverLengthOptions {
  /** Drop when a turn's long input exceeds this many tokens; default: no limit. */
  maxPromptTokens?: number;
  /** Drop when an answer exceeds this many tokens; default: no limit. */
  maxResponseTokens?: number;
  /** Drop when an answer stopped at the generator's token limit or errored (truncated); default true. */
  dropTruncated?: boolean;
}

/** Drops a pair with a turn over the token limits, or whose answer was cut off by the generation limit. */
export function overLengthFilter(options: OverLengthOptions = {}): PairFilter {
  const maxPrompt = options.maxPromptTokens ?? Infinity;
  const maxResponse = options.maxResponseTokens ?? Infinity;
  const dropTruncated = options.dropTruncated ?? true;
  return named("over-length", (pair) => {
    for (const [i, t] of pair.turns.entries()) {
      if (t.prompt_long_tokens > maxPrompt) return `turn ${i} long input has ${t.prompt_long_tokens} tokens > ${maxPrompt}`;
      const longest = Math.max(t.chosen_tokens, t.rejected_tokens);
      if (longest > maxResponse) return `turn ${i} answer has ${longest} tokens > ${maxResponse}`;
      if (dropTruncated && (t.chosen_finish !== "stop" || t.rejected_finish !== "stop")) {
        return `turn ${i} answer ended with "${t.chosen_finish !== "stop" ? t.chosen_finish : t.rejected_finish}", not "stop"`;
      }
    }
    return null;
  });
}

/** Options of {@link defaultFilters}: one entry per filter. */
export interface DefaultFilterOptions {
  degenerate?: DegenerateOptions;
  refusal?: RefusalOptions;
  overLength?: OverLengthOptions;
}

/** The five filters of the paper's recipe, in the order they run: empty, degenerate, refusal, identical, over-length. */
export function defaultFilters(options: DefaultFilterOptions = {}): PairFilter[] {
  return [emptyFilter(), degenerateFilter(options.degenerate), refusalFilter(options.refusal), identicalFilter(), overLengthFilter(options.overLength)];
}

/** The verdict on one pair. */
export type FilterVerdict = { kept: true } | { kept: false; filter: string; reason: string };

/**
 * Run filters in order; the first that objects drops the pair.
 * @example
 * ```ts
 * const verdict = applyFilters(pair, defaultFilters());
 * if (!verdict.kept) console.log(verdict.filter, verdict.reason);
 * ```
 */
export function applyFilters(pair: PreferencePair, filters: readonly PairFilter[]): FilterVerdict {
  for (const filter of filters) {
    const reason = filter(pair);
    if (reason !== null) return { kept: false, filter: filter.name, reason };
  }
  return { kept: true };
}

/** How many pairs went in, how many were kept, and how many each filter dropped. */
export interface FilterSummary {
  total: number;
  kept: number;
  dropped: Record<string, number>;
}

/** Tally verdicts into a {@link FilterSummary}; every filter appears in `dropped`, with 0 where it dropped none. */
export function summarizeVerdicts(verdicts: Iterable<FilterVerdict>, filters: readonly PairFilter[]): FilterSummary {
  const summary: FilterSummary = { total: 0, kept: 0, dropped: Object.fromEntries(filters.map((f) => [f.name, 0])) };
  for (const v of verdicts) {
    summary.total += 1;
    if (v.kept) summary.kept += 1;
    else summary.dropped[v.filter] = (summary.dropped[v.filter] ?? 0) + 1;
  }
  return summary;
}
