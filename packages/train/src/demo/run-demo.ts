// `longpo demo`: M0 short and long, LongPO stage 1 on self-generated pairs, SFT and DPO baselines, a table and a report.
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type MetricsRow, readMetricsJsonl, runSuite, type TaskResult, writeFileAtomic, writeReport } from "@longpo/eval";
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
import { longDialogue } from "@longpo/prefgen";
import { fileSlug, type MethodCurves, writeDemoCharts } from "./demo-charts.ts";
import { demoProgressPlan } from "./demo-progress-plan.ts";
import { DEFAULT_DEMO_ROWS, DEMO_ROW_NAMES, DEMO_ROWS, demoRowTrainConfig, TrainBudget } from "./demo-rows.ts";
import { DemoRow, demoTable, diagnosticsTable, lengthScore, meanOverSeeds, type RowMetrics, type SeedScore, seedTable } from "./demo-table.ts";
import { countWorldTokens } from "./m0-data.ts";
import { M0Recipe } from "./m0-recipe.ts";
import { makeWorldPairs, type WorldPairsStats } from "./world-pairs.ts";
import { DEFAULT_DEPTHS, worldQaTask } from "./world-qa-task.ts";
import { createWorld, type World } from "./world.ts";

/** The shipped M0 folder (`packages/train/models/m0`), found from this file in `src/` or `dist/`. */
export function shippedM0Dir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models", "m0");
}

/** Everything `runDemo` does is configuration; `quick` shrinks it to a CI-sized run. */
export const DemoConfig = z.strictObject({
  pairSeed: z.number().int().nonnegative().default(1).describe("seed of the pair documents (which documents, chunks and template questions)"),
  trainSeeds: z.array(z.number().int().nonnegative()).min(1).default([1, 2]).describe(
    "seeds of the training data order: each trained row is trained once per seed and the table reports their mean ± SE",
  ),
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
  restatementsPerChunk: z.number().int().nonnegative().default(2).describe(
    "facts of earlier chunks restated in each later chunk of the pair documents (long-range structure); evaluation documents state each fact once",
  ),
  thetaFactors: z.array(z.number().positive()).min(1).default([1, 2, 4, 8]).describe("RoPE θ multipliers tried on M0 at the long length"),
  thetaSweepExamplesPerCell: z.number().int().positive().default(100).describe("examples per depth of the θ sweep"),
  evalExamplesPerCell: z.number().int().positive().default(100).describe("examples per depth (4 depths) and length"),
  evalSeed: z.number().int().default(2002).describe("seed of the test set (evaluation documents and questions); settings are never chosen on it"),
  validationSeed: z.number().int().default(3003).describe("seed of the validation set: the θ sweep runs on it, and so do the rows with evaluateOn validation"),
  evaluateOn: z.enum(["test", "validation"]).default("test").describe("which set the table's rows are scored on: search settings on validation, report test"),
  pairDocuments: z.number().int().positive().default(320).describe("long documents drawn for pairs (one pair each at most)"),
  questions: z.enum(["self", "self-copy", "self-grounded", "template"]).default("self-copy").describe(
    "who writes the questions: M0 (self), M0 with the first word copied from the chunk (self-copy), M0 filtered by the world's facts (self-grounded), or a template",
  ),
  turns: z.number().int().positive().default(4).describe("(chunk, question) turns per long document, on distinct chunks (at most lengthFactor)"),
  minChosenProb: z.number().min(0).max(1).default(0).describe("keep a turn only when M0 gives its own chosen answer at least this probability on the chunk"),
  keepIdentical: z.boolean().default(false).describe("keep pairs whose chosen equals rejected"),
  rows: z.array(z.enum(DEMO_ROW_NAMES)).min(1).default([...DEFAULT_DEMO_ROWS]).describe(
    `trained rows, in this order: ${DEMO_ROW_NAMES.map((n) => `${n} (${DEMO_ROWS[n].about})`).join("; ")}`,
  ),
  train: TrainBudget.default(() => TrainBudget.parse({})).describe("the training budget, the same for every row"),
});
export type DemoConfig = z.infer<typeof DemoConfig>;

/** The `--quick` budget: every phase runs, on a few examples (identical answers kept, so pairs never run out). */
export const QUICK_DEMO: z.input<typeof DemoConfig> = {
  thetaFactors: [1, 4],
  thetaSweepExamplesPerCell: 2,
  evalExamplesPerCell: 4,
  pairDocuments: 16,
  keepIdentical: true,
  trainSeeds: [1],
  train: { steps: 2, batchSize: 4, diagnosticsEvery: 1 },
};

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

const pct = (x: number): string => (100 * x).toFixed(1);

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
        evaluate(evalPool, model, opened, world, `m0-theta-x${factor}`, [longLength], config.thetaSweepExamplesPerCell, config.validationSeed, config), promptTokens(longLength, n));
      thetaSweep.push({ factor, longAccuracy: lengthScore(result, longLength).accuracy, n });
    } finally {
      await model.dispose();
    }
  }
  const best = thetaSweep.reduce((a, b) => (b.longAccuracy > a.longAccuracy ? b : a));
  log(`θ sweep: ${thetaSweep.map((s) => `×${s.factor} ${pct(s.longAccuracy)}%`).join(", ")}; best ×${best.factor}`);
  const rows: DemoRow[] = [];
  const rowSeed = config.evaluateOn === "test" ? config.evalSeed : config.validationSeed;
  /** Score a model on the table's set (short + long); `folder` names its per-model report. */
  const scoreModel = async (folder: string, model: InferenceModel) => {
    const { result, suite } = await timed(`eval ${folder} (short + long)`, () =>
      evaluate(evalPool, model, opened, world, folder, [shortLength, longLength], config.evalExamplesPerCell, rowSeed, config), promptTokens(shortLength, cell) + promptTokens(longLength, cell));
    await writeReport(join(reportDir, "models", fileSlug(folder)), suite);
    return { short: lengthScore(result, shortLength), long: lengthScore(result, longLength) };
  };
  const factors = best.factor === 1 ? [1] : [1, best.factor];
  for (const factor of factors) {
    const model = await open(opened, m0Theta * factor);
    try {
      const name = factor === 1 ? "M0" : `M0 θ×${factor}`;
      rows.push({ model: name, ropeTheta: m0Theta * factor, ...(await scoreModel(name, model)) });
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
        seed: config.pairSeed,
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

  // 3. The same pairs and budget for every row and training seed, from the same starting policy.
  const rowMetrics: RowMetrics[] = [];
  for (const rowName of config.rows) {
    const spec = DEMO_ROWS[rowName];
    const seeds: SeedScore[] = [];
    const seedMetrics: MetricsRow[][] = [];
    for (const seed of config.trainSeeds) {
      // every pair fits maxLength: the trainer drops none
      const trainConfig = demoRowTrainConfig(rowName, config.train, { seed, maxLength: longestDialogue, outputDir: join(outDir, `train-${rowName}-seed${seed}`) });
      const run = `${rowName} seed ${seed}`;
      const result = await timed(`train ${run}`, () =>
        trainFromFiles({ modelDir: policyInit, pairsFile, config: trainConfig, workers: config.workers ?? defaultWorkerCount(), io: { out: (s) => log(s.trimEnd()), err: (s) => log(s.trimEnd()) } }));
      if (result.status !== "completed") throw new Error(`Cannot finish the demo: ${run} training ended ${result.status}`);
      const metrics = await readMetricsJsonl(join(trainConfig.outputDir, "metrics.jsonl"));
      const phase = phases[phases.length - 1] as DemoPhase; // the training phase `timed` just pushed
      phase.tokensPerSecond = metrics.reduce((a, r) => a + (r.tokens_per_second ?? 0), 0) / Math.max(1, metrics.length);
      const trainSeconds = phase.seconds;
      seedMetrics.push(metrics);
      await writeFileAtomic(join(reportDir, `metrics-${rowName}-seed${seed}.jsonl`), metrics.map((m) => JSON.stringify(m)).join("\n") + "\n");
      const trained = await readModelFolder(result.modelDir);
      const model = await open(trained);
      try {
        seeds.push({ seed, trainSeconds, ...(await scoreModel(`${spec.label} seed ${seed}`, model)) });
      } finally {
        await model.dispose();
      }
    }
    rowMetrics.push({ label: spec.label, lambda: spec.loss.method === "longpo" ? spec.loss.lambda : 1, seeds: seedMetrics });
    const trainSeconds = seeds.reduce((a, x) => a + x.trainSeconds, 0) / seeds.length;
    rows.push({ model: spec.label, ropeTheta: policyTheta, short: meanOverSeeds(seeds.map((x) => x.short)), long: meanOverSeeds(seeds.map((x) => x.long)), trainSeconds, seeds });
  }

  // 4. Report: table, JSON, charts (all models compared, by depth, training curves overlaid, a heatmap per model).
  // the training curves drawn are each row's first seed's
  const curves: MethodCurves[] = rowMetrics.map((r) => ({ label: r.label, rows: r.seeds[0] ?? [] }));
  const files = await writeDemoCharts(reportDir, rows, curves);
  await evalPool.pool?.close();
  const wallSeconds = (Date.now() - started) / 1000;
  const result: DemoResult = { config, backend: backend.name, m0Theta, bestThetaFactor: best.factor, thetaSweep, pairs: stats, rows, phases, wallSeconds, reportDir, files };
  const table = demoTable(rows);
  const md = [
    "# longpo demo",
    "",
    `Backend ${backend.name}; inference ${engine}; wall time ${wallSeconds.toFixed(0)} s; M0 from ${m0Dir}.`,
    `Seeds: pairs ${config.pairSeed}, training ${config.trainSeeds.join(" and ")}, ${config.evaluateOn} set ${rowSeed} (test ${config.evalSeed}, validation ${config.validationSeed}; the θ sweep ran on validation).`,
    `Short = ${shortLength}-token documents, long = ${longLength} (${config.lengthFactor}×); ${cell} examples per length per model (exact match, greedy); trained rows: the mean of ${config.trainSeeds.length} training seed${config.trainSeeds.length === 1 ? "" : "s"}, ± sqrt(p̄(1−p̄)/n + s²/k) (test-set binomial error plus the seeds' spread).`,
    `Policy RoPE θ ${policyTheta} (best of the M0 sweep: ${thetaSweep.map((s) => `×${s.factor} ${pct(s.longAccuracy)}%`).join(", ")}).`,
    `Pairs: ${stats.pairs} from ${stats.documents} documents, ${stats.turns} turns (${config.turns} per document), questions ${config.questions} (parsed ${stats.questionsParsed}, grounded ${stats.questionsGrounded} of ${stats.questionsWritten} written); chosen correct in ${stats.chosenCorrect} of ${stats.questionsKept} turns asked; ${stats.turnsConfident} turns with M0's answer probability ≥ ${config.minChosenProb}, rejected correct in ${stats.rejectedCorrect} of them; chosen correct in ${stats.turnsChosenCorrect} of the ${stats.turns} kept turns; mean reference margin ${stats.meanReferenceMargin.toFixed(2)} nats.`,
    `Training: ${config.train.steps} steps × ${config.train.batchSize} pairs (${config.train.steps * config.train.batchSize} pair-steps per seed), lr ${config.train.learningRate}, ${config.train.schedule} after ${config.train.warmupRatio * 100}% warm-up; rows: ${config.rows.map((n) => `${DEMO_ROWS[n].label} = ${DEMO_ROWS[n].about}`).join("; ")}.`,
    "",
    table,
    "",
    "Per training seed:",
    "",
    seedTable(rows),
    "",
    `Gradient diagnostics (every ${config.train.diagnosticsEvery} steps, on the step's first micro-batch; means over the logged steps of every seed):`,
    "",
    diagnosticsTable(rowMetrics),
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
