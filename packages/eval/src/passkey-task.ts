// InfiniteBench's passkey retrieval: a five-digit pass key hidden at a chosen depth in repeated filler.
import { checkDepths, checkLengths, exampleRandom, insertAtFractions, memo, type LongContextOptions } from "./_generate.ts";
import { fitToLength, Haystack, promptTokens, renderPrompt } from "./haystack.ts";
import { stringMatchPart } from "./metrics.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `passkeyTask`. */
export interface PasskeyOptions extends LongContextOptions {
  /** Depths of the pass key in percent. Default [0, 25, 50, 75, 100]. */
  depths?: readonly number[];
  /** Default the filler InfiniteBench uses ("The grass is green. ..."). */
  haystack?: Haystack;
}

/** The pass-key sentence of InfiniteBench. */
export function passkeyNeedle(passkey: string): string {
  return `The pass key is ${passkey}. Remember it. ${passkey} is the pass key.`;
}

/**
 * InfiniteBench-style passkey retrieval: "The pass key is 71432. Remember it. 71432 is the pass key." sits at the
 * requested depth of the haystack; the model must say the key. Metric: `string_match_part` (the key appears in
 * the answer). Example metadata: `{ length, tokens, depth, sample }`.
 * @example const task = passkeyTask({ tokenizer, lengths: [2048, 8192], depths: [10, 90] });
 */
export function passkeyTask(options: PasskeyOptions): GenerateTask {
  const name = options.name ?? "passkey";
  const depths = options.depths ?? [0, 25, 50, 75, 100];
  const seed = options.seed ?? 0;
  const samples = options.samples ?? 1;
  const style = options.style ?? "chat";
  const haystack = options.haystack ?? new Haystack();
  checkLengths(name, options.lengths);
  checkDepths(name, depths);
  const head =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. I will quiz you about the important information there.";
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (const depth of depths) {
        for (let sample = 0; sample < samples; sample++) {
          const rng = exampleRandom(seed, name, length, depth, sample);
          const passkey = String(rng.int(10_000, 99_999));
          const inserts = [{ at: depth / 100, text: passkeyNeedle(passkey) }];
          const build = (k: number) =>
            renderPrompt(
              `${head}\n\n${insertAtFractions(haystack.take(k), inserts).join(" ")}\n\nWhat is the pass key?`,
              "The pass key is",
              style,
            );
          const { k, tokens } = fitToLength(length, 1, (k) => promptTokens(options.tokenizer, build(k)));
          out.push({ id: `${name}-${length}-${depth}-${sample}`, prompt: build(k), references: [passkey], metadata: { length, tokens, depth, sample } });
        }
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
    config: { task: "passkey", lengths: options.lengths, depths, seed, samples, style, haystack: haystack.name },
  };
}
