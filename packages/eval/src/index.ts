/**
 * @module
 * `@longpo/eval`: long- and short-context evaluation of any model (RULER-style generated tasks, benchmark
 * loaders, multiple choice by log-likelihood), metrics with bootstrap intervals, reports and charts.
 *
 * @example
 * ```ts
 * import { runSuite, stringMatchAll, type EvalModel, type GenerateTask } from "@longpo/eval";
 * const echo: EvalModel = { name: "echo", generate: async (prompts) => prompts.map((p) => String(p)) };
 * const task: GenerateTask = {
 *   kind: "generate", name: "echo-check", metrics: { string_match_all: stringMatchAll },
 *   examples: () => [{ id: "0", prompt: "the key is 42", references: ["42"], metadata: {} }],
 * };
 * const result = await runSuite(echo, { name: "demo", tasks: [task] });
 * console.log(result.tasks[0]); // { status: "completed", metrics: { string_match_all: { mean: 1, ... } }, ... }
 * ```
 */
export type {
  ChatMessage,
  EvalModel,
  LoglikelihoodRequest,
  LoglikelihoodResult,
  Prompt,
  SamplingOptions,
  Tokenizer,
} from "./model.ts";
export type {
  ChoiceExample,
  GenerateExample,
  GenerateTask,
  GenerationMetric,
  LoglikelihoodTask,
  MetadataValue,
  Suite,
  Task,
} from "./task.ts";
export { runSuite } from "./run-suite.ts";
export type { MetricSummary, ProgressEvent, RunSuiteOptions, SampleResult, SuiteResult, TaskResult } from "./run-suite.ts";
export { accuracy, exactMatch, normalizeAnswer, qaF1, rougeL, stringMatchAll, stringMatchPart } from "./metrics.ts";
export { bootstrapCI, mean } from "./bootstrap-ci.ts";
export type { BootstrapOptions } from "./bootstrap-ci.ts";
