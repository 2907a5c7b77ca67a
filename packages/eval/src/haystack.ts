// Haystack text for long-context tasks: a filler paragraph or any real text, cut into sentences and sized in tokens.
import type { ChatMessage, Prompt, Tokenizer } from "./model.ts";

/** The repeated filler of RULER and InfiniteBench's passkey task. */
export const FILLER_TEXT = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

/** Longest sentence, in words, before `splitSentences` cuts it (verse and lists often lack full stops). */
const MAX_SENTENCE_WORDS = 40;

/**
 * Cuts text into sentences: whitespace collapses to single spaces, and a sentence ends at a word ending in
 * `.`, `!` or `?` (optionally followed by a closing quote or bracket), or after 40 words.
 * @example splitSentences("Hi there. How are\nyou?") // ["Hi there.", "How are you?"]
 */
export function splitSentences(text: string): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const out: string[] = [];
  let cur: string[] = [];
  for (const w of words) {
    cur.push(w);
    if (/[.!?]["')\]]*$/.test(w) || cur.length >= MAX_SENTENCE_WORDS) {
      out.push(cur.join(" "));
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur.join(" "));
  return out;
}

/** A haystack: a stream of words in sentences, cut to any number of words and repeated as often as needed. */
export class Haystack {
  readonly name: string;
  /** The text's sentences, as `splitSentences` cuts them. */
  readonly sentences: readonly string[];
  readonly #words: string[];
  readonly #ends: boolean[];

  /**
   * @param text filler or real text (for example the contents of `tinyshakespeare.txt`)
   * @param name for reports; default "filler" for `FILLER_TEXT`, else "text"
   * @throws {RangeError} when the text has no words.
   */
  constructor(text: string = FILLER_TEXT, name?: string) {
    this.sentences = splitSentences(text);
    if (this.sentences.length === 0) throw new RangeError("Cannot build a haystack: text must contain words, got none");
    this.name = name ?? (text === FILLER_TEXT ? "filler" : "text");
    this.#words = [];
    this.#ends = [];
    for (const s of this.sentences) {
      const ws = s.split(" ");
      ws.forEach((w, i) => {
        this.#words.push(w);
        this.#ends.push(i === ws.length - 1);
      });
    }
  }

  /**
   * The first `words` words, cycling through the text as often as needed, grouped into the text's sentences
   * (the last one may be cut short). Word granularity lets a context hit a token target closely.
   */
  take(words: number): string[] {
    const out: string[] = [];
    let cur: string[] = [];
    const n = this.#words.length;
    for (let i = 0; i < words; i++) {
      cur.push(this.#words[i % n] as string);
      if (this.#ends[i % n]) {
        out.push(cur.join(" "));
        cur = [];
      }
    }
    if (cur.length > 0) out.push(cur.join(" "));
    return out;
  }
}

/** How generated prompts are shaped: one user chat message, or raw text ending in the answer prefix. */
export type PromptStyle = "chat" | "text";

/** Builds the prompt of a generated example; the answer prefix only appears in "text" style. */
export function renderPrompt(content: string, answerPrefix: string, style: PromptStyle): Prompt {
  if (style === "text") return answerPrefix.length > 0 ? `${content}\n${answerPrefix}` : content;
  const messages: ChatMessage[] = [{ role: "user", content }];
  return messages;
}

/** Number of tokens of a prompt: the text of a string prompt, or the sum over chat message contents. */
export function promptTokens(tokenizer: Tokenizer, prompt: Prompt): number {
  if (typeof prompt === "string") return tokenizer.encode(prompt).length;
  let n = 0;
  for (const m of prompt) n += tokenizer.encode(m.content).length;
  return n;
}

/**
 * A `k >= minK` whose `measure(k)` lies in [0.99 · target, target] when one exists (else the largest `k` with
 * `measure(k) <= target`), assuming `measure` grows with `k`. Secant steps aim at 99.5% of the target, so a long
 * prompt is usually tokenised two or three times; bisection is the fallback.
 * @throws {RangeError} when even `minK` is over the target.
 */
export function fitToLength(target: number, minK: number, measure: (k: number) => number): { k: number; tokens: number } {
  const cache = new Map<number, number>();
  const m = (k: number): number => {
    let t = cache.get(k);
    if (t === undefined) {
      t = measure(k);
      cache.set(k, t);
    }
    return t;
  };
  const tMin = m(minK);
  if (tMin > target) {
    throw new RangeError(`Cannot fit a prompt of ${target} tokens: the shortest possible prompt already has ${tMin} tokens`);
  }
  const good = (t: number): boolean => t <= target && t >= 0.99 * target;
  if (good(tMin)) return { k: minK, tokens: tMin };
  const aim = 0.995 * target;
  let k0 = minK;
  let k1 = minK + 16;
  for (let i = 0; i < 8; i++) {
    const t0 = m(k0);
    const t1 = m(k1);
    if (good(t1)) return { k: k1, tokens: t1 };
    if (t1 <= t0) break;
    const k2 = Math.max(minK, Math.round(k1 + ((aim - t1) * (k1 - k0)) / (t1 - t0)));
    if (k2 === k1) break;
    k0 = k1;
    k1 = k2;
  }
  // bisection fallback over a bracket m(lo) <= target < m(hi)
  let lo = minK;
  for (const [k, t] of cache) if (t <= target && k > lo) lo = k;
  let hi = Number.POSITIVE_INFINITY;
  for (const [k, t] of cache) if (t > target && k > lo && k < hi) hi = k;
  if (!Number.isFinite(hi)) {
    hi = lo * 2 + 1;
    while (m(hi) <= target) {
      lo = hi;
      hi = lo * 2 + 1;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (m(mid) <= target) lo = mid;
    else hi = mid;
  }
  return { k: lo, tokens: m(lo) };
}
