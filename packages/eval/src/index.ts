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
export { FILLER_TEXT, fitToLength, Haystack, promptTokens, renderPrompt, splitSentences } from "./haystack.ts";
export type { PromptStyle } from "./haystack.ts";
export type { LongContextOptions, NeedleType } from "./long-context-options.ts";
export { niahNeedle, niahTask } from "./niah-task.ts";
export type { NiahOptions, NiahVariant } from "./niah-task.ts";
export { passkeyNeedle, passkeyTask } from "./passkey-task.ts";
export type { PasskeyOptions } from "./passkey-task.ts";
export { kvRetrievalTask } from "./kv-retrieval-task.ts";
export type { KvRetrievalOptions } from "./kv-retrieval-task.ts";
export { variableTrackingTask } from "./variable-tracking-task.ts";
export type { VariableTrackingOptions } from "./variable-tracking-task.ts";
export { commonWordsTask } from "./common-words-task.ts";
export type { CommonWordsOptions } from "./common-words-task.ts";
export { frequentWordsTask, zipfCounts } from "./frequent-words-task.ts";
export type { FrequentWordsOptions } from "./frequent-words-task.ts";
export { parseBabi } from "./babi.ts";
export type { BabiSample } from "./babi.ts";
export { babilongTask } from "./babilong-task.ts";
export type { BabilongOptions } from "./babilong-task.ts";
export { DataFileError } from "./data-file-error.ts";
export { continuationLogprob, loadTransformersModel, loadTransformersTokenizer } from "./transformers-model.ts";
export type { TransformersModelOptions } from "./transformers-model.ts";
export { parseJsonl, readJsonl } from "./jsonl.ts";
export { writeFileAtomic } from "@longpo/io";
export { LongBenchRecord, longBenchPrompt, longBenchTask } from "./long-bench-task.ts";
export type { LongBenchOptions } from "./long-bench-task.ts";
export { InfiniteBenchRecord, infiniteBenchPrompt, infiniteBenchTask } from "./infinite-bench-task.ts";
export type { InfiniteBenchOptions } from "./infinite-bench-task.ts";
export { RulerRecord, rulerTask } from "./ruler-task.ts";
export type { RulerTaskOptions } from "./ruler-task.ts";
export { ArcRecord, arcTask, HellaSwagRecord, hellaswagPreprocess, hellaswagTask, MmluRecord, mmluTask } from "./multiple-choice-task.ts";
export type { MultipleChoiceOptions } from "./multiple-choice-task.ts";
export { LogprobsUnavailableError, openAIModel } from "./openai-model.ts";
export type { OpenAIModelOptions } from "./openai-model.ts";
export { escapeXml, formatLength, HEATMAP_MIN_WIDTH, niahHeatmapSvg, scoreColor, scoreVsLengthSvg, svgToPng } from "./charts.ts";
export type { ChartOptions, HeatmapCell, LengthSeries } from "./charts.ts";
export { accuracyBarsSvg } from "./accuracy-bars-svg.ts";
export type { BarGroup } from "./accuracy-bars-svg.ts";
export { scoreVsDepthSvg } from "./score-vs-depth-svg.ts";
export type { DepthSeries } from "./score-vs-depth-svg.ts";
export { emaSmooth, trainingCurvesSvg, trainingRunsSvg } from "./training-curves-svg.ts";
export type { MetricsRow, TrainingCurvesOptions, TrainingRun } from "./training-curves-svg.ts";
export { heatmapCells, markdownReport, primaryMetric, readMetricsJsonl, scoreByGroup, scoreByLength, writeChart, writeReport } from "./report.ts";
