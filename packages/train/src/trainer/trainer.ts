// The training loop: batches → gradients (accumulated) → clip → update, metrics.jsonl, atomic checkpoints, resume.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { appendJsonl } from "@longpo/io";
import * as tf from "@tensorflow/tfjs-core";
import type { Progress } from "@longpo/prefgen";
import { lengthGroupedBatches, padBatch } from "./length-grouped-batches.ts";
import { learningRateAt } from "./lr-schedule.ts";
import { Optimizer } from "./optimizer.ts";
import { methodNeedsReference, type TrainConfig, TrainConfigError } from "./train-config.ts";
import { type GradDiagnostics, lossTermDiagnostics } from "./grad-diagnostics.ts";
import { clipGradients, microBatchGradients, type MicroBatch, type StepLossOptions, type StepMetrics, type TrainablePolicy } from "./train-step.ts";
import {
  findResumePoint,
  listCheckpoints,
  nonFiniteOptimizerSlot,
  nonFiniteParameter,
  quarantineCheckpoint,
  removeStaleTemporaries,
  writeFolderAtomically,
} from "./checkpoint-folders.ts";
import { collapseWatch } from "./collapse-watch.ts";
import { configChanges, describeChanges } from "./config-changes.ts";
import { type TrainerPosition, writeTrainerState } from "./trainer-state.ts";
import type { TrainingExample } from "./training-example.ts";

export { listCheckpoints, writeFolderAtomically } from "./checkpoint-folders.ts";

/** One training line of `metrics.jsonl` (`tokens_per_second` counts real tokens, not padding). */
export interface MetricsLine extends Omit<StepMetrics, "tokens">, Partial<GradDiagnostics> {
  step: number;
  epoch: number;
  grad_norm: number;
  learning_rate: number;
  tokens_per_second: number;
}

/** Everything a run needs; the model is reached only through `policy`, `saveModel` and `loadWeights`. */
export interface TrainerOptions {
  config: TrainConfig;
  policy: TrainablePolicy;
  /** Tokenized pairs with their reference log-probs filled in (see `attachReferenceLogps`). */
  examples: readonly TrainingExample[];
  padId: number;
  /** Write the policy as a Hugging Face folder (model.safetensors, config.json, tokenizer files) into `dir`. */
  saveModel(dir: string): Promise<void>;
  /** Load the policy's weights from a checkpoint folder written by `saveModel` (needed for resume). */
  loadWeights?(dir: string): Promise<void>;
  /** Continue from the newest checkpoint in `config.outputDir` that loads and is finite (newer ones are skipped, saying why). */
  resume?: boolean;
  /** Let a resumed run use a config that differs from its checkpoint's (the old one is kept beside the new one). */
  allowConfigChange?: boolean;
  /** The policy's vocabulary size, so that a collapse to a uniform prediction (NLL = ln V) is named as such. */
  vocabSize?: number;
  /** Called with each warning (skipped checkpoints, accepted config change, collapse); also appended to `train.log`. */
  onWarning?(message: string): void;
  progress?: Progress;
  /** Called after every logged step. */
  onLog?(line: MetricsLine): void;
  /** Checked after every step; when it returns true the run saves a checkpoint and stops (e.g. on SIGTERM). */
  shouldStop?(step: number): boolean;
  /**
   * Called every `config.evalEvery` steps (and after the last) with the live policy; its numbers are written to
   * `metrics.jsonl` as a line `{ step, "eval/<name>": value }`.
   */
  evaluate?(step: number): Promise<Record<string, number>>;
  /**
   * Where micro-batch gradients come from when not from `policy` in this thread: e.g. a `ReplicaPool` that
   * shards each micro-batch over worker threads (data-parallel), at the policy's current weights.
   */
  gradients?: GradientSource;
}

/** Computes one micro-batch's gradients (by parameter name; the caller disposes them) and metrics. */
export interface GradientSource {
  compute(mb: MicroBatch, opts: StepLossOptions): Promise<{ grads: Map<string, tf.Tensor>; metrics: StepMetrics }>;
}

/** How a run ended. */
export type TrainResult =
  | { status: "completed"; steps: number; modelDir: string; lastMetrics: MetricsLine | undefined }
  | { status: "stopped"; step: number; checkpoint: string }
  | { status: "diverged"; step: number; lastCheckpoint: string | undefined; error: string };

/** The number of optimizer steps a config and data size give. */
export function totalTrainSteps(config: TrainConfig, examples: number): number {
  if (config.maxSteps !== undefined) return config.maxSteps;
  const batches = Math.ceil(examples / config.batchSize);
  return Math.max(1, Math.ceil((batches * config.epochs) / config.gradientAccumulation));
}

/**
 * Train the policy on preference pairs (or SFT), writing `metrics.jsonl`, `checkpoint-<step>/` folders (model +
 * trainer state) and the final model in `model/` under `config.outputDir`.
 *
 * The data position is the number of micro-batches consumed; epoch e's order is a pure function of (seed, e),
 * so a resumed run replays exactly the batches, learning rates and optimizer moments of an uninterrupted one.
 * A non-finite loss stops the run before the update; the checkpoint whose weights gave it, if one was saved at that
 * point, is set aside as `checkpoint-<step>.nonfinite`, and the result names the last good one. Non-finite weights
 * or optimizer moments are never saved. A resume refuses a changed config unless `allowConfigChange` is set.
 *
 * @example
 * const result = await train({ config, policy, examples, padId: 0, saveModel: (d) => save(d) });
 */
export async function train(o: TrainerOptions): Promise<TrainResult> {
  const { config, policy, examples, padId } = o;
  if (examples.length === 0) throw new RangeError("Cannot train: the pair file must hold at least one usable pair, got none");
  const out = config.outputDir;
  await mkdir(out, { recursive: true });
  await removeStaleTemporaries(out);
  const metricsPath = join(out, "metrics.jsonl");
  const totalSteps = totalTrainSteps(config, examples.length);
  const optimizer = new Optimizer(
    { name: config.optimizer, beta1: config.adamBeta1, beta2: config.adamBeta2, epsilon: config.adamEpsilon, weightDecay: config.weightDecay },
    new Map(policy.parameters),
  );
  const warn = async (message: string) => {
    await appendText(join(out, "train.log"), `warning: ${message}\n`);
    o.onWarning?.(message);
  };
  let step = 0;
  let microBatch = 0;
  let lastCheckpoint: string | undefined;
  const good: string[] = []; // checkpoints known to load, newest last
  if (o.resume === true && (await listCheckpoints(out)).length > 0) {
    if (o.loadWeights === undefined) throw new RangeError("Cannot resume: the trainer needs loadWeights to restore the policy");
    const point = await findResumePoint(out, o.loadWeights, policy.parameters);
    if (point === undefined) throw new RangeError(`Cannot resume from ${out}: its checkpoints disappeared`);
    const changes = configChanges(point.position.config, config);
    if (changes.length > 0 && o.allowConfigChange !== true) {
      throw new TrainConfigError(`Cannot resume from ${point.dir}: the config changed: ${describeChanges(changes)} (pass --allow-config-change to accept)`);
    }
    for (const s of point.skipped) await warn(`resume skipped ${s.dir}: ${s.reason}`);
    if (changes.length > 0) {
      const kept = join(out, `train_config.until-step-${point.position.step}.json`);
      await writeFile(kept, `${JSON.stringify(point.position.config, null, 2)}\n`);
      await warn(`resuming from ${point.dir} with a changed config: ${describeChanges(changes)}; the previous config is kept in ${kept}`);
    }
    optimizer.loadState(point.optimizer);
    step = point.position.step;
    microBatch = point.position.microBatch;
    lastCheckpoint = point.dir;
    good.push(point.dir);
    await truncateMetrics(metricsPath, step);
  } else {
    await writeFile(metricsPath, "");
    await rm(join(out, "train.log"), { force: true }); // a fresh run starts a fresh log; a resumed one appends
  }
  await writeFile(join(out, "train_config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const collapsed = collapseWatch(o.vocabSize);

  const referenceInput = config.method === "longpo" ? "short" : "long";
  const lengths = examples.map((e) => Math.max(e.chosen.ids.length, e.rejected.ids.length));
  const perEpoch = Math.ceil(examples.length / config.batchSize);
  const orders = new Map<number, number[][]>();
  const batchAt = (k: number): number[] => {
    const epoch = Math.floor(k / perEpoch);
    let order = orders.get(epoch);
    if (order === undefined) {
      orders.clear();
      order = lengthGroupedBatches(lengths, config.batchSize, config.seed, epoch);
      orders.set(epoch, order);
    }
    return order[k % perEpoch] ?? [];
  };

  /** Save a checkpoint; returns why it was not saved when the weights or moments are not finite. */
  const save = async (dir: string): Promise<string | undefined> => {
    const opt = await optimizer.state();
    const bad = (await nonFiniteParameter(policy.parameters)) ?? nonFiniteOptimizerSlot(opt);
    if (bad !== undefined) return bad;
    const position: TrainerPosition = { step, microBatch, epoch: Math.floor(microBatch / perEpoch), seed: config.seed, totalSteps, config };
    await writeFolderAtomically(dir, async (tmp) => {
      await o.saveModel(tmp);
      await writeTrainerState(tmp, position, opt);
    });
    good.push(dir);
    return undefined;
  };
  const diverged = (problem: string, atStep = step): TrainResult => {
    o.progress?.finish("diverged");
    const where = lastCheckpoint === undefined ? "no good checkpoint was saved" : `the last good checkpoint is ${lastCheckpoint}`;
    return { status: "diverged", step: atStep, lastCheckpoint, error: `Cannot continue training: ${problem}; ${where}` };
  };

  let lastMetrics: MetricsLine | undefined;
  try {
    while (step < totalSteps) {
      const started = Date.now();
      const sums = new Map<string, tf.Tensor>();
      const agg: Record<string, number> = {};
      let tokens = 0;
      let diagnostics: GradDiagnostics | undefined;
      let diagnosticMs = 0;
      for (let a = 0; a < config.gradientAccumulation; a++) {
        const idx = batchAt(microBatch);
        microBatch++;
        const mb = makeMicroBatch(examples, idx, padId, config.method === "sft", methodNeedsReference(config.method), referenceInput);
        // Before this step's update, on its first micro-batch: what each loss term's gradient looks like.
        if (a === 0 && config.diagnosticsEvery > 0 && (step + 1) % config.diagnosticsEvery === 0) {
          const t = Date.now();
          diagnostics = await lossTermDiagnostics(policy, mb, config);
          diagnosticMs = Date.now() - t; // not counted in tokens_per_second
        }
        const { grads, metrics } = o.gradients === undefined ? await microBatchGradients(policy, mb, config) : await o.gradients.compute(mb, config);
        for (const [k, g] of grads) {
          const prev = sums.get(k);
          sums.set(k, prev === undefined ? g : addAndDispose(prev, g));
        }
        for (const [k, v] of Object.entries(metrics)) agg[k] = (agg[k] ?? 0) + (k === "tokens" ? v : v / config.gradientAccumulation);
        tokens += metrics.tokens;
      }
      const loss = agg.loss ?? Number.NaN;
      if (!Number.isFinite(loss)) {
        for (const g of sums.values()) g.dispose();
        // The weights of a checkpoint saved after step `step` gave this loss: it is not a good one.
        let aside = "";
        const atThisStep = join(out, `checkpoint-${step}`);
        if (good.at(-1) === atThisStep) {
          good.pop();
          aside = `, set aside as ${await quarantineCheckpoint(atThisStep)}`;
          lastCheckpoint = good.at(-1);
        }
        return diverged(`the loss is ${loss} at step ${step + 1}${aside === "" ? "" : ` (the weights of ${atThisStep} gave it${aside})`}`, step + 1);
      }
      const scaled = new Map<string, tf.Tensor>();
      for (const [k, g] of sums) {
        scaled.set(k, scaleAndDispose(g, 1 / config.gradientAccumulation));
      }
      const gradNorm = await clipGradients(scaled, config.maxGradNorm);
      const lr = learningRateAt(step, { schedule: config.schedule, learningRate: config.learningRate, totalSteps, warmupRatio: config.warmupRatio });
      optimizer.apply(scaled, lr);
      for (const g of scaled.values()) g.dispose();
      step++;
      const seconds = Math.max(1e-3, (Date.now() - started - diagnosticMs) / 1000);
      const line: MetricsLine = {
        step,
        epoch: microBatch / perEpoch,
        loss,
        nll: agg.nll ?? 0,
        "rewards/chosen": agg["rewards/chosen"] ?? 0,
        "rewards/rejected": agg["rewards/rejected"] ?? 0,
        "rewards/margins": agg["rewards/margins"] ?? 0,
        "rewards/accuracies": agg["rewards/accuracies"] ?? 0,
        "logps/chosen": agg["logps/chosen"] ?? 0,
        "logps/rejected": agg["logps/rejected"] ?? 0,
        grad_norm: gradNorm,
        learning_rate: lr,
        tokens_per_second: tokens / seconds,
        ...diagnostics,
      };
      lastMetrics = line;
      if (step % config.logEvery === 0 || step === totalSteps) {
        await appendLine(metricsPath, line);
        o.onLog?.(line);
      }
      o.progress?.update(step, `loss ${loss.toFixed(4)}`);
      const collapse = collapsed({ step, loss, nll: line.nll, gradNorm });
      if (collapse !== undefined) await warn(collapse);
      if (o.evaluate !== undefined && config.evalEvery > 0 && (step % config.evalEvery === 0 || step === totalSteps)) {
        const scores = await o.evaluate(step);
        const evalLine: Record<string, number> = { step };
        for (const [k, v] of Object.entries(scores)) evalLine[`eval/${k}`] = v;
        await appendLine(metricsPath, evalLine);
      }
      const stop = step < totalSteps && o.shouldStop?.(step) === true;
      if (stop || (config.saveEvery > 0 && step % config.saveEvery === 0 && step < totalSteps)) {
        const dir = join(out, `checkpoint-${step}`);
        const bad = await save(dir);
        if (bad !== undefined) return diverged(`after step ${step} the ${bad}, so ${dir} was not saved`);
        lastCheckpoint = dir;
      }
      if (stop && lastCheckpoint !== undefined) {
        o.progress?.finish("stopped");
        return { status: "stopped", step, checkpoint: lastCheckpoint };
      }
    }
    const finalCheckpoint = join(out, `checkpoint-${step}`);
    const bad = await save(finalCheckpoint);
    if (bad !== undefined) return diverged(`after step ${step} the ${bad}, so ${finalCheckpoint} was not saved`);
    const modelDir = join(out, "model");
    await writeFolderAtomically(modelDir, (tmp) => o.saveModel(tmp));
    o.progress?.finish();
    return { status: "completed", steps: step, modelDir, lastMetrics };
  } finally {
    optimizer.dispose();
  }
}

function makeMicroBatch(
  examples: readonly TrainingExample[],
  idx: readonly number[],
  padId: number,
  sft: boolean,
  needsReference: boolean,
  referenceInput: "short" | "long",
): MicroBatch {
  const picked = idx.map((i) => examples[i] as TrainingExample);
  const seqs = sft ? picked.map((e) => e.chosen) : [...picked.map((e) => e.chosen), ...picked.map((e) => e.rejected)];
  const refChosen = new Float32Array(picked.length);
  const refRejected = new Float32Array(picked.length);
  picked.forEach((e, i) => {
    if (needsReference && (e.refChosenLogps === undefined || e.refRejectedLogps === undefined)) {
      throw new RangeError(`Cannot build micro-batch: pair "${e.id}" must carry ${referenceInput}-input reference log-probs, got none`);
    }
    refChosen[i] = e.refChosenLogps ?? 0;
    refRejected[i] = e.refRejectedLogps ?? 0;
  });
  return { pairs: picked.length, sequences: padBatch(seqs, padId), refChosenLogps: refChosen, refRejectedLogps: refRejected };
}

function addAndDispose(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const s = tf.add(a, b);
  a.dispose();
  b.dispose();
  return s;
}

function scaleAndDispose(a: tf.Tensor, k: number): tf.Tensor {
  if (k === 1) return a;
  const s = tf.mul(a, k);
  a.dispose();
  return s;
}

async function appendText(path: string, text: string): Promise<void> {
  await writeFile(path, text, { flag: "a" });
}

async function appendLine(path: string, line: object): Promise<void> {
  appendJsonl(path, line);
}

/** Keep the metrics lines of steps ≤ `step` (a resumed run rewrites what came after its checkpoint). */
async function truncateMetrics(path: string, step: number): Promise<void> {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch {
    // no metrics yet
  }
  const kept = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((l) => {
      try {
        return (JSON.parse(l) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  await writeFile(path, kept.map((l) => `${l}\n`).join(""));
}
