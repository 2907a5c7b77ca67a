// BABILong-style QA: the facts of a bAbI story scattered, in order, through a long haystack.
import { checkLengths, exampleRandom, insertAtFractions, memo, type LongContextOptions } from "./_generate.ts";
import type { BabiSample } from "./babi.ts";
import { fitToLength, Haystack, promptTokens, renderPrompt } from "./haystack.ts";
import { stringMatchPart } from "./metrics.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `babilongTask`. */
export interface BabilongOptions extends LongContextOptions {
  /** bAbI questions to draw from (see `parseBabi`). */
  babi: readonly BabiSample[];
  /** Questions per length, drawn without replacement (seeded). Default 10; `samples` of `LongContextOptions`. */
  samples?: number;
  /** Text the facts hide in. Default the RULER filler; BABILong uses book text. */
  haystack?: Haystack;
}

/**
 * BABILong-style QA: each example takes one bAbI question, scatters its story's facts at sorted random places in
 * the haystack (so their order is kept), and asks the question. Metric: `string_match_part` (the one-word answer
 * appears in the output, as BABILong scores). Example metadata: `{ length, tokens, sample, facts, source }`.
 * @example const task = babilongTask({ tokenizer, lengths: [4096], babi: parseBabi(text, "qa1"), haystack });
 */
export function babilongTask(options: BabilongOptions): GenerateTask {
  const name = options.name ?? "babilong";
  const seed = options.seed ?? 0;
  const samples = options.samples ?? 10;
  const style = options.style ?? "chat";
  const haystack = options.haystack ?? new Haystack();
  checkLengths(name, options.lengths);
  if (options.babi.length < samples) {
    throw new RangeError(`Cannot generate ${name}: babi must hold at least ${samples} questions, got ${options.babi.length}`);
  }
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      const chosen = exampleRandom(seed, name, length).shuffle(options.babi).slice(0, samples);
      for (const [sample, item] of chosen.entries()) {
        const rng = exampleRandom(seed, name, length, sample);
        const places = item.facts.map(() => rng.next()).sort((a, b) => a - b);
        const inserts = item.facts.map((text, i) => ({ at: places[i] as number, text }));
        const build = (k: number) =>
          renderPrompt(
            `I will give you context with the facts about people and objects hidden in some random text, and a question. Answer the question based only on the facts; if a person or object was in several places, use the latest one.\n\n<context>\n${insertAtFractions(haystack.take(k), inserts).join(" ")}\n</context>\n\nQuestion: ${item.question}\nAnswer with one word.`,
            "Answer:",
            style,
          );
        const { k, tokens } = fitToLength(length, 1, (k) => promptTokens(options.tokenizer, build(k)));
        out.push({
          id: `${name}-${length}-${sample}`,
          prompt: build(k),
          references: [item.answer],
          metadata: { length, tokens, sample, facts: item.facts.length, source: item.source },
        });
      }
    }
    return out;
  };
  return {
    kind: "generate",
    name,
    examples: memo(make),
    metrics: { string_match_part: stringMatchPart },
    sampling: { maxTokens: 16, temperature: 0 },
    config: { task: "babilong", lengths: options.lengths, seed, samples, style, haystack: haystack.name, questions: options.babi.length },
  };
}
