// BABILong-style QA: the facts of a bAbI story scattered, in order, through a long haystack.
import { exampleRandom, generatedTask, insertAtFractions, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import type { BabiSample } from "./babi.ts";
import { Haystack, renderPrompt } from "./haystack.ts";
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
  const { name, seed, samples, style } = resolveOptions(options, "babilong", 10);
  const haystack = options.haystack ?? new Haystack();
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
        const metadata = { sample, facts: item.facts.length, source: item.source };
        const id = `${name}-${length}-${sample}`;
        out.push(sizedExample({ tokenizer: options.tokenizer, id, length, minK: 1, build, references: [item.answer], metadata }).example);
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_part",
    maxTokens: 16,
    config: { task: "babilong", lengths: options.lengths, seed, samples, style, haystack: haystack.name, questions: options.babi.length },
  });
}
