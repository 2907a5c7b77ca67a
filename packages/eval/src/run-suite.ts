// Runs every task of a suite against one model; each task ends completed, errored or skipped on its own.
import { bootstrapCI, mean } from "./bootstrap-ci.ts";
import type { EvalModel, SamplingOptions } from "./model.ts";
import type { GenerateTask, LoglikelihoodTask, MetadataValue, Suite, Task } from "./task.ts";

/** Mean of a metric over a task's examples, with its bootstrap interval. Values are in [0, 1]. */
export interface MetricSummary {
  mean: number;
  ci: [number, number];
  n: number;
}

/** What happened to one example. */
export interface SampleResult {
  id: string;
  metadata: Readonly<Record<string, MetadataValue>>;
  /** Metric name to this example's score. */
  scores: Record<string, number>;
  /** The generated text (generation tasks) or the chosen index (log-likelihood tasks). */
  prediction: string | number;
  /** Gold answers (generation) or the gold index (log-likelihood). */
  target: readonly string[] | number;
}

/** One task's outcome: a tagged union, so a failing task never hides the others. */
export type TaskResult =
  | {
      status: "completed";
      task: string;
      kind: Task["kind"];
      metrics: Record<string, MetricSummary>;
      samples: SampleResult[];
      config: Readonly<Record<string, unknown>>;
      durationMs: number;
    }
  | { status: "errored"; task: string; kind: Task["kind"]; error: { name: string; message: string }; durationMs: number }
  | { status: "skipped"; task: string; kind: Task["kind"]; reason: string };

/** The outcome of `runSuite`: everything needed to reproduce and report the run. */
export interface SuiteResult {
  suite: string;
  model: string;
  startedAt: string;
  durationMs: number;
  options: { batchSize: number; bootstrapSamples: number; confidence: number; seed: number };
  tasks: TaskResult[];
}

/** A progress report, sent after each batch and when a task starts or ends. */
export interface ProgressEvent {
  task: string;
  taskIndex: number;
  taskCount: number;
  done: number;
  total: number;
  status: "running" | TaskResult["status"];
}

/** Options of `runSuite`. */
export interface RunSuiteOptions {
  /** Called after each batch and at each task's end. */
  onProgress?: (event: ProgressEvent) => void;
  /** Prompts (or choice examples) per model call; default 8. */
  batchSize?: number;
  /** Bootstrap resamples for each metric's interval; default 1000. */
  bootstrapSamples?: number;
  /** Confidence of the intervals; default 0.95. */
  confidence?: number;
  /** Seed of the bootstrap; default 0. */
  seed?: number;
  /** Cancels the run; the task in progress ends as errored, the rest as skipped. */
  signal?: AbortSignal;
}

const DEFAULT_SAMPLING: Omit<SamplingOptions, "signal"> = { maxTokens: 128, temperature: 0 };

/**
 * Runs each task of `suite` on `model`, in order. A task that throws becomes `errored` and the run goes on;
 * a log-likelihood task on a model without `logLikelihood` becomes `skipped`.
 * @example
 * const result = await runSuite(model, { name: "niah", tasks: [task] }, { onProgress: (e) => console.log(e) });
 * for (const t of result.tasks) if (t.status === "completed") console.log(t.task, t.metrics);
 */
export async function runSuite(model: EvalModel, suite: Suite, options: RunSuiteOptions = {}): Promise<SuiteResult> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot run suite: batchSize must be a positive integer, got ${batchSize}`);
  }
  const ctx: RunContext = {
    model,
    batchSize,
    bootstrap: { samples: options.bootstrapSamples ?? 1000, confidence: options.confidence ?? 0.95, seed: options.seed ?? 0 },
    signal: options.signal,
  };
  const start = Date.now();
  const tasks: TaskResult[] = [];
  for (const [taskIndex, task] of suite.tasks.entries()) {
    const progress = (done: number, total: number, status: ProgressEvent["status"]): void =>
      options.onProgress?.({ task: task.name, taskIndex, taskCount: suite.tasks.length, done, total, status });
    let result: TaskResult;
    if (options.signal?.aborted) {
      result = { status: "skipped", task: task.name, kind: task.kind, reason: "the run was aborted" };
    } else if (task.kind === "loglikelihood" && model.logLikelihood === undefined) {
      result = {
        status: "skipped",
        task: task.name,
        kind: task.kind,
        reason: `model ${model.name} has no logLikelihood method`,
      };
    } else {
      const taskStart = Date.now();
      try {
        const completed =
          task.kind === "generate" ? await runGenerate(task, ctx, progress) : await runChoice(task, ctx, progress);
        result = { ...completed, durationMs: Date.now() - taskStart };
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        result = {
          status: "errored",
          task: task.name,
          kind: task.kind,
          error: { name: e.name, message: e.message },
          durationMs: Date.now() - taskStart,
        };
      }
    }
    const n = result.status === "completed" ? result.samples.length : 0;
    progress(n, n, result.status);
    tasks.push(result);
  }
  return {
    suite: suite.name,
    model: model.name,
    startedAt: new Date(start).toISOString(),
    durationMs: Date.now() - start,
    options: {
      batchSize,
      bootstrapSamples: ctx.bootstrap.samples,
      confidence: ctx.bootstrap.confidence,
      seed: ctx.bootstrap.seed,
    },
    tasks,
  };
}

interface RunContext {
  model: EvalModel;
  batchSize: number;
  bootstrap: { samples: number; confidence: number; seed: number };
  signal: AbortSignal | undefined;
}

type Progress = (done: number, total: number, status: ProgressEvent["status"]) => void;

function summarise(samples: readonly SampleResult[], names: readonly string[], ctx: RunContext): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  if (samples.length === 0) return out;
  for (const name of names) {
    const values = samples.map((s) => s.scores[name] ?? 0);
    out[name] = { mean: mean(values), ci: bootstrapCI(values, ctx.bootstrap), n: values.length };
  }
  return out;
}

async function runGenerate(task: GenerateTask, ctx: RunContext, progress: Progress): Promise<Extract<TaskResult, { status: "completed" }>> {
  const examples = [...task.examples()];
  const metricNames = Object.keys(task.metrics);
  const sampling: SamplingOptions = { ...DEFAULT_SAMPLING, ...task.sampling, signal: ctx.signal };
  const samples: SampleResult[] = [];
  progress(0, examples.length, "running");
  for (let i = 0; i < examples.length; i += ctx.batchSize) {
    ctx.signal?.throwIfAborted();
    const batch = examples.slice(i, i + ctx.batchSize);
    const outputs = await ctx.model.generate(batch.map((e) => e.prompt), sampling);
    if (outputs.length !== batch.length) {
      throw new RangeError(`Cannot score ${task.name}: the model must return ${batch.length} outputs, got ${outputs.length}`);
    }
    for (const [j, ex] of batch.entries()) {
      const prediction = outputs[j] as string;
      const scores: Record<string, number> = {};
      for (const name of metricNames) scores[name] = (task.metrics[name] as (p: string, r: readonly string[]) => number)(prediction, ex.references);
      samples.push({ id: ex.id, metadata: ex.metadata, scores, prediction, target: ex.references });
    }
    progress(samples.length, examples.length, "running");
  }
  return {
    status: "completed",
    task: task.name,
    kind: task.kind,
    metrics: summarise(samples, metricNames, ctx),
    samples,
    config: task.config ?? {},
    durationMs: 0,
  };
}

/** UTF-8 byte length, the denominator of `acc_norm`. */
function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Index of the largest value; ties go to the first, as numpy's argmax. */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

async function runChoice(task: LoglikelihoodTask, ctx: RunContext, progress: Progress): Promise<Extract<TaskResult, { status: "completed" }>> {
  const model = ctx.model;
  const score = model.logLikelihood?.bind(model);
  if (score === undefined) throw new TypeError(`Cannot run ${task.name}: the model must implement logLikelihood`);
  const examples = [...task.examples()];
  const samples: SampleResult[] = [];
  progress(0, examples.length, "running");
  for (let i = 0; i < examples.length; i += ctx.batchSize) {
    ctx.signal?.throwIfAborted();
    const batch = examples.slice(i, i + ctx.batchSize);
    const requests = batch.flatMap((e) => e.choices.map((c) => ({ context: e.context, continuation: c })));
    const results = await score(requests, { signal: ctx.signal });
    if (results.length !== requests.length) {
      throw new RangeError(`Cannot score ${task.name}: the model must return ${requests.length} log-likelihoods, got ${results.length}`);
    }
    let k = 0;
    for (const ex of batch) {
      const lls = ex.choices.map(() => (results[k++] as { logprob: number }).logprob);
      const pred = argmax(lls);
      const predNorm = argmax(lls.map((ll, c) => ll / Math.max(1, byteLength(ex.choices[c] as string))));
      samples.push({
        id: ex.id,
        metadata: ex.metadata,
        scores: { acc: pred === ex.gold ? 1 : 0, acc_norm: predNorm === ex.gold ? 1 : 0 },
        prediction: pred,
        target: ex.gold,
      });
    }
    progress(samples.length, examples.length, "running");
  }
  return {
    status: "completed",
    task: task.name,
    kind: task.kind,
    metrics: summarise(samples, ["acc", "acc_norm"], ctx),
    samples,
    config: task.config ?? {},
    durationMs: 0,
  };
}
