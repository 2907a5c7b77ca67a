// RULER's variable tracking: follow chains of "VAR B = VAR A" assignments hidden in filler text.
import { exampleRandom, generatedTask, insertAtFractions, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import { distinct } from "./_words.ts";
import { Haystack, renderPrompt } from "./haystack.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `variableTrackingTask`. */
export interface VariableTrackingOptions extends LongContextOptions {
  /** Chains of assignments; the first is queried, the others distract. Default 1. */
  chains?: number;
  /** Assignments after the first in each chain. Default 4 (five variables per chain). */
  hops?: number;
  /** Default the RULER filler. */
  haystack?: Haystack;
}

/**
 * RULER-style variable tracking: "VAR QWERT = 12345." then "VAR ASDFG = VAR QWERT." and so on, scattered in order
 * at seeded random places of the haystack; the model must list every variable that holds the queried value.
 * Metric: `string_match_all` over the chain's variable names. Example metadata: `{ length, tokens, sample }`.
 * @example const task = variableTrackingTask({ tokenizer, lengths: [4096], chains: 2, hops: 4 });
 */
export function variableTrackingTask(options: VariableTrackingOptions): GenerateTask {
  const { name, seed, samples, style } = resolveOptions(options, "variable_tracking");
  const chains = options.chains ?? 1;
  const hops = options.hops ?? 4;
  const haystack = options.haystack ?? new Haystack();
  if (!Number.isInteger(chains) || chains < 1 || !Number.isInteger(hops) || hops < 1) {
    throw new RangeError(`Cannot generate ${name}: chains and hops must be positive integers, got ${chains} and ${hops}`);
  }
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (let sample = 0; sample < samples; sample++) {
        const rng = exampleRandom(seed, name, length, sample);
        const used = new Set<string>();
        const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const varName = () => Array.from({ length: 5 }, () => letters[rng.range(0, 25)]).join("");
        const values = distinct(chains, used, () => String(rng.range(10_000, 99_999)));
        const statements: string[][] = values.map((v) => {
          const names = distinct(hops + 1, used, varName);
          return names.map((n, i) => (i === 0 ? `VAR ${n} = ${v}.` : `VAR ${n} = VAR ${names[i - 1]}.`));
        });
        const references = (statements[0] as string[]).map((s) => s.slice(4, 9));
        // each chain keeps its order: sorted random places
        const inserts = statements.flatMap((chain) => {
          const places = chain.map(() => rng.next()).sort((a, b) => a - b);
          return chain.map((text, i) => ({ at: places[i] as number, text }));
        });
        const query = values[0] as string;
        const build = (k: number) =>
          renderPrompt(
            `Memorize and track the chain(s) of variable assignment hidden in the following text.\n\n${insertAtFractions(haystack.take(k), inserts).join(" ")}\nQuestion: Find all variables that are assigned the value ${query} in the text above.`,
            `Answer: According to the chain(s) of variable assignment in the text above, ${hops + 1} variables are assigned the value ${query}, they are:`,
            style,
          );
        out.push(sizedExample({ tokenizer: options.tokenizer, id: `${name}-${length}-${sample}`, length, minK: 1, build, references, metadata: { sample } }).example);
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_all",
    maxTokens: 64,
    config: { task: "variable_tracking", lengths: options.lengths, seed, samples, style, chains, hops, haystack: haystack.name },
  });
}
