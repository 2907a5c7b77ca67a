// Shared plumbing of the generated long-context tasks: options, per-example seeds, needle insertion.
import { createRandom, mixSeed, type Random, randomUuid } from "./_random.ts";
import { distinct, randomWordKey } from "./_words.ts";
import { fitToLength, promptTokens, type PromptStyle } from "./haystack.ts";
import { stringMatchAll, stringMatchPart } from "./metrics.ts";
import type { LongContextOptions, NeedleType } from "./long-context-options.ts";
import type { Prompt, Tokenizer } from "./model.ts";
import type { GenerateExample, GenerateTask, MetadataValue } from "./task.ts";

export function checkLengths(what: string, lengths: readonly number[]): void {
  if (lengths.length === 0) throw new RangeError(`Cannot generate ${what}: lengths must be non-empty, got []`);
  for (const l of lengths) {
    if (!Number.isInteger(l) || l < 16) {
      throw new RangeError(`Cannot generate ${what}: each length must be an integer of at least 16 tokens, got ${l}`);
    }
  }
}

export function checkDepths(what: string, depths: readonly number[]): void {
  if (depths.length === 0) throw new RangeError(`Cannot generate ${what}: depths must be non-empty, got []`);
  for (const d of depths) {
    if (!(d >= 0 && d <= 100)) throw new RangeError(`Cannot generate ${what}: each depth must be in [0, 100], got ${d}`);
  }
}

/** The random source of one example, from the task seed and the example's coordinates. */
export function exampleRandom(seed: number, name: string, ...coords: readonly number[]): Random {
  return createRandom(mixSeed(seed, name, ...coords));
}

/** A needle key or value of the given type, distinct from every string in `used`. */
export function drawNeedle(rng: Random, type: NeedleType, used: Set<string>): string {
  const draw =
    type === "words" ? () => randomWordKey(rng) : type === "numbers" ? () => String(rng.range(1_000_000, 9_999_999)) : () => randomUuid(rng);
  return distinct(1, used, draw)[0] as string;
}

/**
 * Inserts each text between sentences: `at` is a fraction in [0, 1] of the way through, rounded to the nearest
 * sentence boundary; texts at the same boundary keep their order.
 */
export function insertAtFractions(sentences: readonly string[], inserts: readonly { at: number; text: string }[]): string[] {
  const n = sentences.length;
  const byPos = new Map<number, string[]>();
  for (const ins of inserts) {
    const pos = Math.round(ins.at * n);
    const list = byPos.get(pos) ?? [];
    list.push(ins.text);
    byPos.set(pos, list);
  }
  const out: string[] = [];
  for (let i = 0; i <= n; i++) {
    for (const t of byPos.get(i) ?? []) out.push(t);
    if (i < n) out.push(sentences[i] as string);
  }
  return out;
}

/** Memoises an example list so that `examples()` is cheap after the first call. */
export function memo(make: () => GenerateExample[]): () => GenerateExample[] {
  let cached: GenerateExample[] | undefined;
  return () => (cached ??= make());
}

/** "a", "a and b", "a, b, and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(", ")}, and ${items.at(-1)}`;
}

/** Options every generated task resolves the same way, after checking the lengths. */
export function resolveOptions(options: LongContextOptions, defaultName: string, defaultSamples = 1) {
  const name = options.name ?? defaultName;
  checkLengths(name, options.lengths);
  return { name, seed: options.seed ?? 0, samples: options.samples ?? defaultSamples, style: options.style ?? "chat" } as const;
}

/**
 * One example whose prompt `build(k)` is sized to `length` tokens by choosing `k` (haystack words, list items,
 * pairs); `metadata` gains `length` and the measured `tokens`.
 */
export function sizedExample(spec: {
  tokenizer: Tokenizer;
  id: string;
  length: number;
  minK: number;
  build: (k: number) => Prompt;
  references: readonly string[];
  metadata: Readonly<Record<string, MetadataValue>>;
}): { example: GenerateExample; k: number } {
  const { k, tokens } = fitToLength(spec.length, spec.minK, (k) => promptTokens(spec.tokenizer, spec.build(k)));
  return {
    k,
    example: { id: spec.id, prompt: spec.build(k), references: spec.references, metadata: { length: spec.length, tokens, ...spec.metadata } },
  };
}

/** The task object of a generated task scored by one RULER string-match metric. */
export function generatedTask(spec: {
  name: string;
  make: () => GenerateExample[];
  metric: "string_match_all" | "string_match_part";
  maxTokens: number;
  config: Readonly<Record<string, unknown>>;
}): GenerateTask {
  return {
    kind: "generate",
    name: spec.name,
    examples: memo(spec.make),
    metrics: spec.metric === "string_match_all" ? { string_match_all: stringMatchAll } : { string_match_part: stringMatchPart },
    sampling: { maxTokens: spec.maxTokens, temperature: 0 },
    config: spec.config,
  };
}
