// The world's exact-match QA as an `@longpo/eval` task: documents of any length with the asked fact at chosen depths.
import type { GenerateExample, GenerateTask } from "@longpo/eval";
import { answerMatches, qaUserMessage } from "./formats.ts";
import { sfc32 as createRng } from "@longpo/io";
import { makeDocument, maxFactLength, maxValueWords, questionText, sampleFacts, type World } from "./world.ts";

/** Options of {@link worldQaExamples} and {@link worldQaTask}. */
export interface WorldQaOptions {
  /** Task name in reports; default `world-qa`. */
  readonly name?: string;
  /** Seed of the documents and facts. */
  readonly seed: number;
  /** Document lengths in tokens (the prompt adds 11: `<s> <user>`, `<q>`, the 7-token question, `<assistant>`). */
  readonly lengths: readonly number[];
  /** Depths of the asked fact in percent (0 = start, 100 = end, as `@longpo/eval`'s NIAH tasks); default the centres of four quarters. */
  readonly depths?: readonly number[];
  /** Examples per (length, depth) cell. */
  readonly examplesPerCell: number;
  /** Distractor density: `factsPerChunk` facts per `chunkLength` tokens, as in the long documents; default 64 and [2, 3]. */
  readonly chunkLength?: number;
  readonly factsPerChunk?: readonly [number, number];
}

/** Default depths in percent: the centres of the four quarters of the document (chunk 1..4 of a 4-chunk document). */
export const DEFAULT_DEPTHS: readonly number[] = [12.5, 37.5, 62.5, 87.5];

/**
 * The examples of the world's QA task: for each length and depth, `examplesPerCell` documents whose first fact is
 * placed at that depth among random distractor facts, and the question about it. Deterministic for the seed.
 * Metadata: `length` (document tokens), `depth` (the requested depth, percent), `placed_depth` (percent), `facts`.
 * @throws {RangeError} for a depth outside [0, 100].
 */
export function worldQaExamples(world: World, options: WorldQaOptions): GenerateExample[] {
  const depths = options.depths ?? DEFAULT_DEPTHS;
  const chunkLength = options.chunkLength ?? 64;
  const [lo, hi] = options.factsPerChunk ?? [2, 3];
  const factTokens = maxFactLength(world);
  const examples: GenerateExample[] = [];
  for (const length of options.lengths) {
    for (const depth of depths) {
      if (!(depth >= 0 && depth <= 100)) throw new RangeError(`Cannot build world QA: depths must lie in [0, 100], got ${depth}`);
      // One stream per cell, so adding a length or a depth leaves the other cells unchanged.
      const rng = createRng(`${options.seed}:${length}:${depth}`);
      for (let i = 0; i < options.examplesPerCell; i++) {
        const chunks = Math.max(1, Math.round(length / chunkLength));
        let count = 0;
        for (let c = 0; c < chunks; c++) count += rng.range(lo, hi);
        count = Math.min(count, Math.floor(length / factTokens));
        const facts = sampleFacts(world, rng, Math.max(1, count));
        const doc = makeDocument(rng, { length, facts, depths: [depth / 100] });
        const target = doc.facts.find((f) => f.name === facts[0]?.name);
        if (target === undefined) throw new Error("unreachable: the target fact was placed");
        examples.push({
          id: `${length}-${depth}-${i}`,
          prompt: [qaUserMessage(doc.text, questionText(target))],
          references: [target.value],
          metadata: { length, depth, placed_depth: Number((target.depth * 100).toFixed(2)), facts: doc.facts.length },
        });
      }
    }
  }
  return examples;
}

/** Exact match of the world's answers, every word of the value (see `answerMatches`), as an `@longpo/eval` metric. */
export function worldExactMatch(prediction: string, references: readonly string[]): number {
  return references.some((r) => answerMatches(prediction, r)) ? 1 : 0;
}

/** New tokens an answer in the world takes: its words (at most {@link maxValueWords}) and `</s>`; 2 in the default world. */
export function answerTokens(world: World): number {
  return maxValueWords(world) + 1;
}

/**
 * The world's QA as an `@longpo/eval` generation task, greedy with the answer's tokens and `</s>` as new tokens
 * ({@link answerTokens}: two in the default world).
 * @example
 * const task = worldQaTask(createWorld(), { seed: 1, lengths: [64, 256], examplesPerCell: 100 });
 * const result = await runSuite(model, { name: "demo", tasks: [task] });
 */
export function worldQaTask(world: World, options: WorldQaOptions): GenerateTask {
  const examples = worldQaExamples(world, options);
  return {
    kind: "generate",
    name: options.name ?? "world-qa",
    examples: () => examples,
    metrics: { exact_match: worldExactMatch },
    sampling: { maxTokens: answerTokens(world), temperature: 0, stop: ["</s>"] },
    config: {
      seed: options.seed,
      lengths: [...options.lengths],
      depths: [...(options.depths ?? DEFAULT_DEPTHS)],
      examplesPerCell: options.examplesPerCell,
      chunkLength: options.chunkLength ?? 64,
      factsPerChunk: [...(options.factsPerChunk ?? [2, 3])],
      world: world.config,
    },
  };
}
