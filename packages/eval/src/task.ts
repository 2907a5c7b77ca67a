// What a task is: a named, finite list of examples, scored by generation metrics or by log-likelihood choice.
import type { Prompt, SamplingOptions } from "./model.ts";

/** Plain values that describe an example (context length, needle depth, subject, ...); reports group by them. */
export type MetadataValue = string | number | boolean;

/** One example of a generation task: the model answers `prompt`, metrics compare the text with `references`. */
export interface GenerateExample {
  id: string;
  prompt: Prompt;
  /** Gold answers; metrics decide how they combine (any of them, all of them). */
  references: readonly string[];
  /** For example `{ length: 4096, depth: 0.25 }` for a needle-in-a-haystack example. */
  metadata: Readonly<Record<string, MetadataValue>>;
}

/** One multiple-choice example scored by log-likelihood: each choice is a continuation of `context`. */
export interface ChoiceExample {
  id: string;
  context: string;
  /** Continuations, scored as `context + choice` (include the leading space the format wants). */
  choices: readonly string[];
  /** Index of the correct choice. */
  gold: number;
  metadata: Readonly<Record<string, MetadataValue>>;
}

/** Scores one prediction against its references, in [0, 1]. */
export type GenerationMetric = (prediction: string, references: readonly string[]) => number;

/** A task answered by free generation. The first metric listed is the task's primary score. */
export interface GenerateTask {
  readonly kind: "generate";
  readonly name: string;
  /** Examples, identical on every call (generated tasks are seeded). */
  examples(): Iterable<GenerateExample>;
  /** Metric name to metric; for example `{ string_match_all: stringMatchAll }`. */
  readonly metrics: Readonly<Record<string, GenerationMetric>>;
  /** Sampling for this task; `runSuite` defaults to greedy with 128 new tokens. */
  readonly sampling?: Omit<SamplingOptions, "signal">;
  /** Everything needed to regenerate the task (seed, lengths, depths, haystack name); copied into results. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * A multiple-choice task scored by log-likelihood, reported as `acc` (highest summed log-prob) and `acc_norm`
 * (highest log-prob per UTF-8 byte of the choice), as lm-evaluation-harness does.
 */
export interface LoglikelihoodTask {
  readonly kind: "loglikelihood";
  readonly name: string;
  examples(): Iterable<ChoiceExample>;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Any task `runSuite` can run. */
export type Task = GenerateTask | LoglikelihoodTask;

/** A named list of tasks. */
export interface Suite {
  readonly name: string;
  readonly tasks: readonly Task[];
}
