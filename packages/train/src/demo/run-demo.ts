// `longpo demo`: M0 short and long, LongPO stage 1 on self-generated pairs, SFT and DPO baselines, a table and a report.
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readMetricsJsonl, runSuite, type TaskResult, writeFileAtomic, writeReport } from "@longpo/eval";
import { z } from "zod";
import { type InferenceModel, llamaEvalModel } from "../adapters/llama-adapters.ts";
import { type OpenedModel, readModelFolder } from "../cli/open-model.ts";
import { trainFromFiles } from "../cli/train-command.ts";
import { type BackendPreference, selectBackend } from "../model/backend.ts";
import { saveCheckpoint } from "../model/checkpoint.ts";
import { withRopeTheta } from "../model/config.ts";
import type { ReplicaPool } from "../parallel/replica-pool.ts";
import { replicaPoolFor } from "../parallel/replica-pool-for.ts";
import { defaultWorkerCount, MAX_WORKERS } from "../parallel/worker-count.ts";
import { createProgress, type OverallProgress, startOverallProgress } from "@longpo/prefgen";
import { inferenceEngine, openInference } from "../native/open-inference.ts";
import { buildTrainConfig } from "../trainer/train-config.ts";
import { longDialogue } from "@longpo/prefgen";
import { fileSlug, type MethodCurves, writeDemoCharts } from "./demo-charts.ts";
import { demoProgressPlan } from "./demo-progress-plan.ts";
import { countWorldTokens } from "./m0-data.ts";
import { M0Recipe } from "./m0-recipe.ts";
import { makeWorldPairs, type WorldPairsStats } from "./world-pairs.ts";
import { DEFAULT_DEPTHS, worldQaTask } from "./world-qa-task.ts";
import { createWorld, type World } from "./world.ts";

/** The shipped M0 folder (`packages/train/models/m0`), found from this file in `src/` or `dist/`. */
export function shippedM0Dir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models", "m0");
}

const TrainBudget = z.strictObject({
  steps: z.number().int().positive().default(80).describe("optimizer steps of each method (the same budget for all)"),
  batchSize: z.number().int().positive().default(8).describe("pairs per step"),
  learningRate: z.number().positive().default(1e-4).describe("peak learning rate"),
  warmupRatio: z.number().min(0).max(1).default(0.1).describe("share of the steps spent in linear warm-up"),
  schedule: z.enum(["constant", "linear", "cosine"]).default("constant").describe("learning-rate schedule after warm-up"),
  beta: z.number().positive().default(0.1).describe("β of LongPO and DPO"),
  lambda: z.number().nonnegative().default(1).describe("λ of LongPO (nll + λ·pref)"),
  contextLossWeight: z.number().nonnegative().default(0).describe("weight of the long input's tokens in the NLL of LongPO and SFT (0: answers only)"),
});

/** Everything `runDemo` does is configuration; `quick` shrinks it to a CI-sized run. */
export const DemoConfig = z.strictObject({
  seed: z.number().int().nonnegative().default(1).describe("seed of the pair documents (which documents, chunks and template questions) and of the training data order; the world and the test set stay the same"),
  modelDir: z.string().optional().describe("M0 folder; default the shipped packages/train/models/m0 (its m0-recipe.json fixes the world: world.seed)"),
  outDir: z.string().default("runs/demo").describe("report and work folder"),
  backend: z.enum(["auto", "webgpu", "tensorflow-gpu", "tensorflow", "wasm", "cpu"]).default("auto").describe("TensorFlow.js backend (auto: the fastest present)"),
  workers: z.number().int().min(1).max(MAX_WORKERS).optional().describe("model replicas in worker threads (default: every core)"),
  inference: z.enum(["auto", "native", "tfjs"]).default("auto").describe(
    "engine of evaluation, pair generation and reference scoring: native (ONNX Runtime), tfjs, or auto (native where it loads)",
  ),
  shortLength: z.number().int().positive().default(64).describe("document tokens of the short setting (M0's trained length)"),
  lengthFactor: z.number().int().min(2).default(4).describe("long documents are this many short chunks"),
  factsPerChunk: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([2, 3]).describe("[least, most] facts per short chunk"),
  restatementsPerChunk: z.number().int().nonnegative().default(0).describe(
    "facts of earlier chunks restated in each later chunk of the pair documents (long-range structure); evaluation documents state each fact once",
  ),
  thetaFactors: z.array(z.number().positive()).min(1).default([1, 2, 4, 8]).describe("RoPE θ multipliers tried on M0 at the long length"),
  thetaSweepExamplesPerCell: z.number().int().positive().default(25).describe("examples per depth of the θ sweep"),
  evalExamplesPerCell: z.number().int().positive().default(100).describe("examples per depth (4 depths) and length"),
  evalSeed: z.number().int().default(2002).describe("seed of the test set (evaluation documents and questions; the θ sweep uses evalSeed + 7)"),
  pairDocuments: z.number().int().positive().default(320).describe("long documents drawn for pairs (one pair each at most)"),
  questions: z.enum(["self", "self-copy", "self-grounded", "template"]).default("self-copy").describe(
    "who writes the questions: M0 (self), M0 with the first word copied from the chunk (self-copy), M0 filtered by the world's facts (self-grounded), or a template",
  ),
  turns: z.number().int().positive().default(4).describe("(chunk, question) turns per long document, on distinct chunks (at most lengthFactor)"),
  minChosenProb: z.number().min(0).max(1).default(0).describe("keep a turn only when M0 gives its own chosen answer at least this probability on the chunk"),
  keepIdentical: z.boolean().default(false).describe("keep pairs whose chosen equals rejected"),
  methods: z.array(z.enum(["longpo", "sft", "dpo"])).min(1).default(["longpo", "sft", "dpo"]).describe("methods trained, in this order"),
  train: TrainBudget.default(() => TrainBudget.parse({})).describe("the training budget, the same for every method"),
});
export type DemoConfig = z.infer<typeof DemoConfig>;

/** The `--quick` budget: every phase runs, on a few examples (identical answers kept, so pairs never run out). */
export const QUICK_DEMO: z.input<typeof DemoConfig> = {
  thetaFactors: [1, 4],
  thetaSweepExamplesPerCell: 2,
  evalExamplesPerCell: 4,
  pairDocuments: 16,
  keepIdentical: true,
  train: { steps: 2, batchSize: 4 },
};

/** Accuracy of one model at one length, overall and by depth (percent → accuracy). */
export const LengthScore = z.object({
  length: z.number().int().positive(),
  accuracy: z.number().min(0).max(1),
  /** Standard error of the accuracy, sqrt(p(1−p)/n). */
  se: z.number().min(0),
  n: z.number().int().nonnegative(),
  byDepth: z.record(z.string(), z.number().min(0).max(1)),
});
export type LengthScore = z.infer<typeof LengthScore>;

/** One row of the demo's table. */
export const DemoRow = z.object({
  model: z.string(),
  ropeTheta: z.number().positive(),
  short: LengthScore,
  long: LengthScore,
  trainSeconds: z.number().nonnegative().optional(),
});
export type DemoRow = z.infer<typeof DemoRow>;

/** A timed phase, for BENCHMARKS.md. */
export const DemoPhase = z.object({
  name: z.string(),
  seconds: z.number().nonnegative(),
  tokens: z.number().nonnegative().optional(),
  tokensPerSecond: z.number().nonnegative().optional(),
});
export type DemoPhase = z.infer<typeof DemoPhase>;

/** The schema of `report/summary.json` (a {@link DemoResult}); tools and tests read the report through it. */
export const DemoSummary = z.object({
  config: DemoConfig,
  backend: z.string(),
  m0Theta: z.number().positive(),
  bestThetaFactor: z.number().positive(),
  thetaSweep: z.array(z.object({ factor: z.number().positive(), longAccuracy: z.number().min(0).max(1), n: z.number().int() })),
  pairs: z.record(z.string(), z.unknown()),
  rows: z.array(DemoRow).min(1),
  phases: z.array(DemoPhase).min(1),
  wallSeconds: z.number().nonnegative(),
  reportDir: z.string(),
  files: z.array(z.string()),
});

/** What `runDemo` measured and wrote. */
export interface DemoResult {
  config: DemoConfig;
  backend: string;
  m0Theta: number;
  bestThetaFactor: number;
  thetaSweep: { factor: number; longAccuracy: number; n: number }[];
  pairs: WorldPairsStats;
  rows: DemoRow[];
  phases: DemoPhase[];
  wallSeconds: number;
  reportDir: string;
  files: string[];
}

function lengthScore(result: TaskResult, length: number): LengthScore {
  if (result.status !== "completed") throw new Error(`Cannot score: task ${result.task} ${result.status}`);
  const samples = result.samples.filter((s) => s.metadata.length === length);
  const n = samples.length;
  const acc = n === 0 ? 0 : samples.reduce((a, s) => a + (s.scores.exact_match ?? 0), 0) / n;
  const byDepth: Record<string, number> = {};
  for (const d of DEFAULT_DEPTHS) {
    const at = samples.filter((s) => s.metadata.depth === d);
    byDepth[String(d)] = at.length === 0 ? 0 : at.reduce((a, s) => a + (s.scores.exact_match ?? 0), 0) / at.length;
  }
  return { length, accuracy: acc, se: n === 0 ? 0 : Math.sqrt((acc * (1 - acc)) / n), n, byDepth };
}

const pct = (x: number): string => (100 * x).toFixed(1);

/** The demo's table in Markdown: model × short × long × long by depth. */
export function demoTable(rows: readonly DemoRow[]): string {
  const depths = DEFAULT_DEPTHS.map((d) => `${d}%`);
  const head = `| model | RoPE θ | short (${rows[0]?.short.length ?? "?"} tok) | long (${rows[0]?.long.length ?? "?"} tok) | long by depth ${depths.join(" / ")} | train s |`;
  const lines = [head, `|---|---:|---:|---:|---|---:|`];
  for (const r of rows) {
    const by = DEFAULT_DEPTHS.map((d) => pct(r.long.byDepth[String(d)] ?? 0)).join(" / ");
    lines.push(
      `| ${r.model} | ${r.ropeTheta} | ${pct(r.short.accuracy)} ± ${pct(r.short.se)} | ${pct(r.long.accuracy)} ± ${pct(r.long.se)} | ${by} | ${r.trainSeconds === undefined ? "-" : r.trainSeconds.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

/** Markdown lines embedding the charts of {@link writeDemoCharts} (paths relative to the report folder). */
function demoFigures(rows: readonly DemoRow[], withCurves: boolean): string[] {
  return [
    "![every model, short and long](comparison.png)",
    "",
    "![long accuracy by depth](accuracy-by-depth.png)",
    "",
    ...(withCurves ? ["![training curves](training-curves.png)", ""] : []),
    rows.map((r) => `![${r.model}](niah-${fileSlug(r.model)}.png)`).join(" "),
    "",
  ];
}

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Config overrides (see {@link DemoConfig}); `quick` applies {@link QUICK_DEMO} first. */
  readonly config?: z.input<typeof DemoConfig>;
  readonly quick?: boolean;
  /** Log lines (phases, the table); default none. */
  readonly log?: (line: string) => void;
}

async function evaluate(
  evalPool: { pool?: ReplicaPool | undefined },
  model: InferenceModel,
  opened: OpenedModel,
  world: World,
  name: string,
  lengths: number[],
  examplesPerCell: number,
  seed: number,
  config: DemoConfig,
): Promise<{ result: TaskResult; suite: Awaited<ReturnType<typeof runSuite>> }> {
  const task = worldQaTask(world, { name: "world-qa", seed, lengths, examplesPerCell, chunkLength: config.shortLength, factsPerChunk: config.factsPerChunk });
  const total = lengths.length * DEFAULT_DEPTHS.length * examplesPerCell;
  const progress = createProgress(`eval ${name}`, total);
  // One pool serves every evaluation of the run, retargeted to each model (closed at the end of runDemo).
  // ONNX Runtime runs its own threads; worker replicas serve the TF.js engine.
  const pool = "engine" in model ? undefined : (evalPool.pool = await replicaPoolFor(model, config.workers ?? defaultWorkerCount(), {}, undefined, evalPool.pool));
  const suite = await runSuite(llamaEvalModel(model, opened.tokenizer, { name, batchSize: 32, ...(pool === undefined ? {} : { pool }) }), { name: "demo", tasks: [task] }, {
    batchSize: 32,
    onProgress: (e) => progress.update(e.done),
  });
  progress.finish();
  const result = suite.tasks[0];
  if (result === undefined || result.status !== "completed") {
    throw new Error(`Cannot evaluate ${name}: ${result?.status === "errored" ? result.error.message : "the task did not complete"}`);
  }
  return { result, suite };
}

/**
 * Run the demo: evaluate M0 at its short length and at `lengthFactor`× (with a RoPE θ sweep), generate LongPO pairs
 * with M0 (self-written questions, chosen on the chunk, rejected on the long document with the best raised θ,
 * reference log-probs on the chunk), train LongPO, SFT and DPO from M0 with the same pairs and budget, evaluate all,
 * and write the report folder (`report/`: summary.md, summary.json, NIAH heatmaps, training curves, SVG and PNG).
 * @example
 * const r = await runDemo({ quick: true, config: { outDir: "runs/demo-quick" } });
 * console.log(demoTable(r.rows));
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoResult> {
  const base = options.quick === true ? { ...QUICK_DEMO, ...options.config, train: { ...QUICK_DEMO.train, ...options.config?.train } } : (options.config ?? {});
  const config = DemoConfig.parse(base);
  // progress goes to stderr: an overall line with ETA across phases, prefixed to every bar
  const overall = startOverallProgress("demo", demoProgressPlan(config));
  try {
    return await runDemoPhases(config, options.log ?? (() => {}), overall);
  } finally {
    overall.finish();
  }
}

async function runDemoPhases(config: DemoConfig, log: (line: string) => void, overall: OverallProgress): Promise<DemoResult> {
  const started = Date.now();
  const backend = await selectBackend(config.backend as BackendPreference);
  log(`backend ${backend.name} (${backend.reason})`);
  const m0Dir = config.modelDir ?? shippedM0Dir();
  const outDir = resolve(config.outDir);
  const reportDir = join(outDir, "report");
  await mkdir(reportDir, { recursive: true });
  const phases: DemoPhase[] = [];
  const timed = async <T>(name: string, f: () => Promise<T>, tokens?: number): Promise<T> => {
    const t = Date.now();
    const value = await f();
    const seconds = (Date.now() - t) / 1000;
    phases.push(tokens === undefined ? { name, seconds } : { name, seconds, tokens, tokensPerSecond: tokens / seconds });
    log(`${name}: ${seconds.toFixed(1)} s`);
    return value;
  };

  const opened = await readModelFolder(m0Dir);
  // Scoring and generation (evaluation, pairs, reference log-probs) run on the inference engine; training on TF.js.
  const open = (m: OpenedModel, theta?: number) =>
    openInference(theta === undefined ? m.config : withRopeTheta(m.config, theta), m.weights, config.inference, { note: log });
  const recipePath = join(m0Dir, "m0-recipe.json");
  const recipe = M0Recipe.parse(existsSync(recipePath) ? JSON.parse(await readFile(recipePath, "utf8")) : {});
  const world = createWorld(recipe.world);
  const shortLength = config.shortLength;
  const longLength = shortLength * config.lengthFactor;
  const m0Theta = opened.config.ropeTheta;
  const promptTokens = (len: number, n: number) => (len + 11) * n;
  const cell = DEFAULT_DEPTHS.length * config.evalExamplesPerCell;

  // 1. M0: θ sweep at the long length, then short and long with the original and the best θ.
  const evalPool: { pool?: ReplicaPool | undefined } = {};
  const thetaSweep: DemoResult["thetaSweep"] = [];
  let engine = "";
  for (const factor of config.thetaFactors) {
    const model = await open(opened, m0Theta * factor);
    if (engine === "") log(`inference ${(engine = inferenceEngine(model))}`);
    try {
      const n = DEFAULT_DEPTHS.length * config.thetaSweepExamplesPerCell;
      const { result } = await timed(`M0 θ×${factor} sweep eval (long)`, () =>
        evaluate(evalPool, model, opened, world, `m0-theta-x${factor}`, [longLength], config.thetaSweepExamplesPerCell, config.evalSeed + 7, config), promptTokens(longLength, n));
      thetaSweep.push({ factor, longAccuracy: lengthScore(result, longLength).accuracy, n });
    } finally {
      await model.dispose();
    }
  }
  const best = thetaSweep.reduce((a, b) => (b.longAccuracy > a.longAccuracy ? b : a));
  log(`θ sweep: ${thetaSweep.map((s) => `×${s.factor} ${pct(s.longAccuracy)}%`).join(", ")}; best ×${best.factor}`);
  const rows: DemoRow[] = [];
  const evalRow = async (name: string, model: InferenceModel, theta: number, trainSeconds?: number): Promise<void> => {
    const { result, suite } = await timed(`eval ${name} (short + long)`, () =>
      evaluate(evalPool, model, opened, world, name, [shortLength, longLength], config.evalExamplesPerCell, config.evalSeed, config), promptTokens(shortLength, cell) + promptTokens(longLength, cell));
    rows.push({ model: name, ropeTheta: theta, short: lengthScore(result, shortLength), long: lengthScore(result, longLength), ...(trainSeconds === undefined ? {} : { trainSeconds }) });
    await writeReport(join(reportDir, "models", fileSlug(name)), suite);
  };
  const factors = best.factor === 1 ? [1] : [1, best.factor];
  for (const factor of factors) {
    const model = await open(opened, m0Theta * factor);
    try {
      await evalRow(factor === 1 ? "M0" : `M0 θ×${factor}`, model, m0Theta * factor);
    } finally {
      await model.dispose();
    }
  }

  // 2. Pairs: M0 (original θ) writes questions and chosen answers and scores the reference; M0 with the raised θ
  //    answers on the long document (rejected). The policy starts from M0 with the raised θ, saved as its own folder.
  const policyTheta = m0Theta * best.factor;
  const policyInit = join(outDir, "policy-init");
  await saveCheckpoint(policyInit, { config: withRopeTheta(opened.config, policyTheta), weights: opened.weights }, { tokenizerFrom: m0Dir });
  const shortModel = await open(opened);
  const longModel = await open(opened, policyTheta);
  // Worker replicas serve the TF.js engine; ONNX Runtime runs its own threads.
  const workers = config.workers ?? defaultWorkerCount();
  const shortPool = "engine" in shortModel ? undefined : await replicaPoolFor(shortModel, workers);
  const longPool = "engine" in longModel ? undefined : await replicaPoolFor(longModel, workers);
  let pairsResult: Awaited<ReturnType<typeof makeWorldPairs>>;
  try {
    pairsResult = await timed("pair generation (questions, chosen, rejected, reference log-probs)", () =>
      makeWorldPairs(world, shortModel, longModel, opened.tokenizer, {
        seed: config.seed,
        documents: config.pairDocuments,
        chunks: config.lengthFactor,
        chunkLength: shortLength,
        factsPerChunk: config.factsPerChunk,
        restatementsPerChunk: config.restatementsPerChunk,
        questions: config.questions,
        turns: config.turns,
        minChosenProb: config.minChosenProb,
        keepIdentical: config.keepIdentical,
        pools: { short: shortPool, long: longPool },
        progress: (phase, total) => createProgress(`pairs: ${phase}`, total),
      }));
  } finally {
    await shortPool?.close();
    await longPool?.close();
    await shortModel.dispose();
    await longModel.dispose();
  }
  const { pairs, stats } = pairsResult;
  for (const [k, v] of Object.entries(stats.seconds)) phases.push({ name: `pairs: ${k}`, seconds: v });
  log(`pairs: ${stats.pairs} kept of ${stats.documents} documents, ${stats.turns} turns (questions parsed ${stats.questionsParsed}, grounded ${stats.questionsGrounded} of ${stats.questionsWritten}; confident ${stats.turnsConfident}; chosen correct ${stats.chosenCorrect}, rejected correct ${stats.rejectedCorrect}, identical ${stats.identical} of ${stats.questionsKept} turns)`);
  if (pairs.length === 0) throw new Error("Cannot train: pair generation kept no pair (see the pair statistics in the log)");
  // Tokens of the longest long dialogue (the world tokenizer is one token per word).
  const longestDialogue = Math.max(...pairs.flatMap((p) => [countWorldTokens(longDialogue(p, "chosen")), countWorldTokens(longDialogue(p, "rejected"))]));
  const pairsFile = join(outDir, "pairs.jsonl");
  await writeFileAtomic(pairsFile, pairs.map((p) => JSON.stringify(p)).join("\n") + "\n");

  // 3. The same pairs and budget for every method, from the same starting policy.
  const curves: MethodCurves[] = [];
  for (const method of config.methods) {
    const t = config.train;
    const { config: trainConfig } = buildTrainConfig({
      method,
      beta: t.beta,
      lambda: t.lambda,
      ...(method === "dpo" ? {} : { contextLossWeight: t.contextLossWeight }),
      learningRate: t.learningRate,
      schedule: t.schedule,
      warmupRatio: t.warmupRatio,
      weightDecay: 0,
      batchSize: t.batchSize,
      gradientAccumulation: 1,
      maxSteps: t.steps,
      maxLength: longestDialogue, // every pair fits: the trainer drops none
      seed: config.seed,
      logEvery: 1,
      outputDir: join(outDir, `train-${method}`),
    });
    const trainStarted = Date.now();
    const result = await timed(`train ${method}`, () =>
      trainFromFiles({ modelDir: policyInit, pairsFile, config: trainConfig, workers: config.workers ?? defaultWorkerCount(), io: { out: (s) => log(s.trimEnd()), err: (s) => log(s.trimEnd()) } }));
    const trainSeconds = (Date.now() - trainStarted) / 1000;
    if (result.status !== "completed") throw new Error(`Cannot finish the demo: ${method} training ended ${result.status}`);
    const metrics = await readMetricsJsonl(join(trainConfig.outputDir, "metrics.jsonl"));
    const last = phases[phases.length - 1];
    const meanTps = metrics.reduce((a, r) => a + (r.tokens_per_second ?? 0), 0) / Math.max(1, metrics.length);
    if (last !== undefined) last.tokensPerSecond = meanTps;
    curves.push({ method, rows: metrics });
    await writeFileAtomic(join(reportDir, `metrics-${method}.jsonl`), metrics.map((m) => JSON.stringify(m)).join("\n") + "\n");
    const trained = await readModelFolder(result.modelDir);
    const model = await open(trained);
    try {
      await evalRow(method === "longpo" ? "LongPO" : method.toUpperCase(), model, policyTheta, trainSeconds);
    } finally {
      await model.dispose();
    }
  }

  // 4. Report: table, JSON, charts (all models compared, by depth, training curves overlaid, a heatmap per model).
  const files = await writeDemoCharts(reportDir, rows, curves);
  await evalPool.pool?.close();
  const wallSeconds = (Date.now() - started) / 1000;
  const result: DemoResult = { config, backend: backend.name, m0Theta, bestThetaFactor: best.factor, thetaSweep, pairs: stats, rows, phases, wallSeconds, reportDir, files };
  const table = demoTable(rows);
  const md = [
    "# longpo demo",
    "",
    `Backend ${backend.name}; inference ${engine}; seed ${config.seed}; wall time ${wallSeconds.toFixed(0)} s; M0 from ${m0Dir}.`,
    `Short = ${shortLength}-token documents, long = ${longLength} (${config.lengthFactor}×); ${cell} examples per length per model (exact match, greedy).`,
    `Policy RoPE θ ${policyTheta} (best of the M0 sweep: ${thetaSweep.map((s) => `×${s.factor} ${pct(s.longAccuracy)}%`).join(", ")}).`,
    `Pairs: ${stats.pairs} from ${stats.documents} documents, ${stats.turns} turns (${config.turns} per document), questions ${config.questions} (parsed ${stats.questionsParsed}, grounded ${stats.questionsGrounded} of ${stats.questionsWritten} written); chosen correct in ${stats.chosenCorrect} of ${stats.questionsKept} turns asked; ${stats.turnsConfident} turns with M0's answer probability ≥ ${config.minChosenProb}, rejected correct in ${stats.rejectedCorrect} of them; chosen correct in ${stats.turnsChosenCorrect} of the ${stats.turns} kept turns; mean reference margin ${stats.meanReferenceMargin.toFixed(2)} nats.`,
    `Training: ${config.train.steps} steps × ${config.train.batchSize} pairs, lr ${config.train.learningRate}, β ${config.train.beta}, λ ${config.train.lambda}.`,
    "",
    table,
    "",
    ...demoFigures(rows, curves.length > 0),
    "## Phases",
    "",
    "| phase | s | tokens/s |",
    "|---|---:|---:|",
    ...phases.map((p) => `| ${p.name} | ${p.seconds.toFixed(1)} | ${p.tokensPerSecond === undefined ? "-" : p.tokensPerSecond.toFixed(0)} |`),
    "",
  ].join("\n");
  await writeFileAtomic(join(reportDir, "summary.md"), md);
  await writeFileAtomic(join(reportDir, "summary.json"), `${JSON.stringify(result, null, 2)}\n`);
  if (overall.unmatched.length > 0) log(`progress: bars outside the overall plan (its ETA is off): ${overall.unmatched.join(", ")}`);
  files.push(join(reportDir, "summary.md"), join(reportDir, "summary.json"));
  return { ...result, files };
}
