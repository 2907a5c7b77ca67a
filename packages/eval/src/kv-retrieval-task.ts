// InfiniteBench's key-value retrieval: find the value of one UUID key in a long JSON object of UUID pairs.
import { checkDepths, exampleRandom, generatedTask, insertAtFractions, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import { randomUuid } from "./_random.ts";
import { distinct } from "./_words.ts";
import { renderPrompt } from "./haystack.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `kvRetrievalTask`. */
export interface KvRetrievalOptions extends LongContextOptions {
  /** Position of the queried pair among all pairs, in percent. Default [0, 25, 50, 75, 100]. */
  depths?: readonly number[];
}

/**
 * InfiniteBench-style key-value retrieval: a one-line JSON object of UUID → UUID pairs; the queried pair sits at
 * the requested depth. The number of pairs sets the length, so the prompt lands within one pair (about 30–60
 * tokens) below the target; use targets of a few thousand tokens or more to stay within 2%.
 * Metric: `string_match_part`. Example metadata: `{ length, tokens, depth, sample, pairs }`.
 * @example const task = kvRetrievalTask({ tokenizer, lengths: [4096], depths: [50] });
 */
export function kvRetrievalTask(options: KvRetrievalOptions): GenerateTask {
  const { name, seed, samples, style } = resolveOptions(options, "kv_retrieval");
  const depths = options.depths ?? [0, 25, 50, 75, 100];
  checkDepths(name, depths);
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (const depth of depths) {
        for (let sample = 0; sample < samples; sample++) {
          const rng = exampleRandom(seed, name, length, depth, sample);
          const used = new Set<string>();
          const [key, value] = distinct(2, used, () => randomUuid(rng)) as [string, string];
          const others: string[] = [];
          // distractor pairs are drawn in order and only ever appended, so pair i is the same for every k
          const pairs = (k: number): string[] => {
            while (others.length < k) {
              const [a, b] = distinct(2, used, () => randomUuid(rng));
              others.push(`${JSON.stringify(a)}: ${JSON.stringify(b)}`);
            }
            return others.slice(0, k);
          };
          const target = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
          const build = (k: number) =>
            renderPrompt(
              `Extract the value corresponding to the specified key in the JSON object below.\n\nJSON data:\n{${insertAtFractions(pairs(k), [{ at: depth / 100, text: target }]).join(", ")}}\n\nKey: ${JSON.stringify(key)}`,
              "The value associated with the specified key is:",
              style,
            );
          const id = `${name}-${length}-${depth}-${sample}`;
          const { example, k } = sizedExample({ tokenizer: options.tokenizer, id, length, minK: 0, build, references: [value], metadata: { depth, sample } });
          out.push({ ...example, metadata: { ...example.metadata, pairs: k + 1 } });
        }
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_part",
    maxTokens: 64,
    config: { task: "kv_retrieval", lengths: options.lengths, depths, seed, samples, style },
  });
}
