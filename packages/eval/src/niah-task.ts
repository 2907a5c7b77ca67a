// RULER's needle-in-a-haystack tasks: single, multi-key, multi-value and multi-query needles at a chosen depth.
import {
  checkDepths,
  drawNeedle,
  exampleRandom,
  generatedTask,
  insertAtFractions,
  joinList,
  resolveOptions,
  sizedExample,
} from "./_generate.ts";
import type { LongContextOptions, NeedleType } from "./long-context-options.ts";
import { Haystack, renderPrompt } from "./haystack.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** The four NIAH variants of RULER. */
export type NiahVariant = "single" | "multikey" | "multivalue" | "multiquery";

/** Options of `niahTask`. */
export interface NiahOptions extends LongContextOptions {
  /** Default "single". */
  variant?: NiahVariant;
  /** Depths of the (first) needle in percent of the context, 0 = start, 100 = end. Default [0, 25, 50, 75, 100]. */
  depths?: readonly number[];
  /** Filler or real text around the needles. Default the RULER filler. */
  haystack?: Haystack;
  /** Default "words". */
  keyType?: NeedleType;
  /** Default "numbers". */
  valueType?: NeedleType;
  /** Keys (multikey, multiquery) or values (multivalue) in the context; ignored by "single". Default 4. */
  needles?: number;
}

/** The needle sentence, as RULER writes it. */
export function niahNeedle(key: string, value: string, valueType: NeedleType): string {
  return `One of the special magic ${valueType} for ${key} is: ${value}.`;
}

/**
 * RULER-style needle in a haystack. Needles "One of the special magic numbers for amber-falcon is: 1234567." are
 * inserted between haystack sentences; the first needle sits at the requested depth, the others (distractor
 * keys, extra values, extra queried keys) at seeded random depths. The haystack is sized so that the prompt
 * lands within 2% below each target length in the tokenizer's tokens. Metric: `string_match_all`.
 * Example metadata: `{ length, tokens, depth, sample }`.
 * @throws {RangeError} for empty lengths or depths, a depth outside [0, 100], or a length too short for the template.
 * @example
 * const task = niahTask({ tokenizer, lengths: [1024, 4096], depths: [0, 50, 100], variant: "multikey", seed: 1 });
 */
export function niahTask(options: NiahOptions): GenerateTask {
  const variant = options.variant ?? "single";
  const { name, seed, samples, style } = resolveOptions(options, `niah_${variant}`);
  const depths = options.depths ?? [0, 25, 50, 75, 100];
  const haystack = options.haystack ?? new Haystack();
  const keyType = options.keyType ?? "words";
  const valueType = options.valueType ?? "numbers";
  const needles = variant === "single" ? 1 : (options.needles ?? 4);
  checkDepths(name, depths);
  if (!Number.isInteger(needles) || needles < 1) {
    throw new RangeError(`Cannot generate ${name}: needles must be a positive integer, got ${needles}`);
  }

  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (const depth of depths) {
        for (let sample = 0; sample < samples; sample++) {
          const rng = exampleRandom(seed, name, length, depth, sample);
          const used = new Set<string>();
          const keyCount = variant === "multikey" || variant === "multiquery" ? needles : 1;
          const keys = Array.from({ length: keyCount }, () => drawNeedle(rng, keyType, used));
          const pairs =
            variant === "multivalue"
              ? Array.from({ length: needles }, () => ({ key: keys[0] as string, value: drawNeedle(rng, valueType, used) }))
              : keys.map((key) => ({ key, value: drawNeedle(rng, valueType, used) }));
          const queried = variant === "multiquery" ? keys : [keys[0] as string];
          const references = pairs.filter((p) => queried.includes(p.key)).map((p) => p.value);
          const inserts = pairs.map((p, i) => ({ at: i === 0 ? depth / 100 : rng.next(), text: niahNeedle(p.key, p.value, valueType) }));
          const query = joinList(queried);
          const head = `Some special magic ${valueType} are hidden within the following text. Make sure to memorize it. I will quiz you about the ${valueType} afterwards.`;
          const question = `What are all the special magic ${valueType} for ${query} mentioned in the provided text?`;
          const answerPrefix = `The special magic ${valueType} for ${query} mentioned in the provided text are`;
          const build = (k: number) => {
            const context = insertAtFractions(haystack.take(k), inserts).join(" ");
            return renderPrompt(`${head}\n${context}\n${question}`, answerPrefix, style);
          };
          const id = `${name}-${length}-${depth}-${sample}`;
          out.push(sizedExample({ tokenizer: options.tokenizer, id, length, minK: 1, build, references, metadata: { depth, sample } }).example);
        }
      }
    }
    return out;
  };

  return generatedTask({
    name,
    make,
    metric: "string_match_all",
    maxTokens: 128,
    config: {
      task: "niah",
      variant,
      lengths: options.lengths,
      depths,
      seed,
      samples,
      style,
      haystack: haystack.name,
      keyType,
      valueType,
      needles,
    },
  });
}
