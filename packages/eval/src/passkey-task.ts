// InfiniteBench's passkey retrieval: a five-digit pass key hidden at a chosen depth in repeated filler.
import { checkDepths, exampleRandom, generatedTask, insertAtFractions, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import { Haystack, renderPrompt } from "./haystack.ts";
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
  const { name, seed, samples, style } = resolveOptions(options, "passkey");
  const depths = options.depths ?? [0, 25, 50, 75, 100];
  const haystack = options.haystack ?? new Haystack();
  checkDepths(name, depths);
  const head =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. I will quiz you about the important information there.";
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (const depth of depths) {
        for (let sample = 0; sample < samples; sample++) {
          const rng = exampleRandom(seed, name, length, depth, sample);
          const passkey = String(rng.range(10_000, 99_999));
          const inserts = [{ at: depth / 100, text: passkeyNeedle(passkey) }];
          const build = (k: number) =>
            renderPrompt(
              `${head}\n\n${insertAtFractions(haystack.take(k), inserts).join(" ")}\n\nWhat is the pass key?`,
              "The pass key is",
              style,
            );
          const id = `${name}-${length}-${depth}-${sample}`;
          out.push(sizedExample({ tokenizer: options.tokenizer, id, length, minK: 1, build, references: [passkey], metadata: { depth, sample } }).example);
        }
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_part",
    maxTokens: 16,
    config: { task: "passkey", lengths: options.lengths, depths, seed, samples, style, haystack: haystack.name },
  });
}
