// RULER's frequent words extraction: the three most frequent coded words of a Zipf-distributed text.
import { exampleRandom, generatedTask, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import { createRandom, mixSeed } from "./_random.ts";
import { distinct, randomPseudoWord } from "./_words.ts";
import { renderPrompt } from "./haystack.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `frequentWordsTask`. */
export interface FrequentWordsOptions extends LongContextOptions {
  /** Zipf exponent α of the word counts. Default 2 (RULER's). */
  alpha?: number;
}

/** Counts of a Zipf law with exponent `alpha` over a text of about `n` words: c_r = round(n · r^-α / H), zero counts dropped. */
export function zipfCounts(n: number, alpha: number): number[] {
  const ranks = Math.max(1, Math.ceil(n ** (1 / alpha)) + 1);
  let h = 0;
  for (let r = 1; r <= ranks; r++) h += r ** -alpha;
  const out: number[] = [];
  for (let r = 1; r <= ranks; r++) {
    const c = Math.round((n * r ** -alpha) / h);
    if (c > 0) out.push(c);
  }
  return out;
}

/**
 * RULER-style frequent words extraction (FWE): coded words with counts following a Zipf law (α = 2), shuffled;
 * the model names the three most frequent. Word counts are set, not sampled, so the top three are strict.
 * The total word count sets the length. Metric: `string_match_all`. Example metadata: `{ length, tokens, sample }`.
 * @example const task = frequentWordsTask({ tokenizer, lengths: [4096] });
 */
export function frequentWordsTask(options: FrequentWordsOptions): GenerateTask {
  const { name, seed, samples, style } = resolveOptions(options, "frequent_words");
  const alpha = options.alpha ?? 2;
  if (!(alpha > 1)) throw new RangeError(`Cannot generate ${name}: alpha must be greater than 1, got ${alpha}`);
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (let sample = 0; sample < samples; sample++) {
        const exampleSeed = mixSeed(seed, name, length, sample);
        const rng = exampleRandom(seed, name, length, sample);
        const used = new Set<string>();
        const vocab: string[] = [];
        const counts = (k: number) => {
          const c = zipfCounts(k, alpha);
          while (vocab.length < c.length) vocab.push(...distinct(1, used, () => randomPseudoWord(rng, 2)));
          return c;
        };
        const build = (k: number) => {
          const words = counts(k).flatMap((c, r) => Array<string>(c).fill(vocab[r] as string));
          const text = createRandom(mixSeed(exampleSeed, k)).shuffle(words).join(" ");
          return renderPrompt(
            `Read the following coded text and track the frequency of each coded word. Find the three most frequently appeared coded words.\n${text}\nQuestion: Do not provide any explanation. What are the three most frequently appeared words in the above coded text?`,
            "Answer: According to the coded text above, the three most frequently appeared words are:",
            style,
          );
        };
        // at 40 words the Zipf counts (26, 7, 3, 2, ...) already give a strict top three
        const id = `${name}-${length}-${sample}`;
        // references are the three top-ranked words, drawn before any sizing
        counts(40);
        const references = vocab.slice(0, 3);
        out.push(sizedExample({ tokenizer: options.tokenizer, id, length, minK: 40, build, references, metadata: { sample } }).example);
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_all",
    maxTokens: 50,
    config: { task: "frequent_words", lengths: options.lengths, seed, samples, style, alpha },
  });
}
