// Backend parity checks: the same tiny Llama run on the active backend, read back asynchronously, compared to cpu.
// Used by webgpu-parity.test.ts (Deno's software adapter) and scripts/gpu-check.ts (a hardware GPU).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sequenceLogps } from "@longpo/loss";
import * as tf from "@tensorflow/tfjs-core";
import { llamaPolicy } from "./adapters/llama-policy.ts";
import type { ModelConfig } from "./model/config.ts";
import { saveCheckpoint } from "./model/checkpoint.ts";
import { generate } from "./model/generate.ts";
import { LlamaModel } from "./model/llama.ts";
import { tinyConfig } from "./model/_test-configs.ts";
import { charTokenizer, TEST_VOCAB, toyPairs } from "./trainer/_test-helpers.ts";
import { padBatch } from "./trainer/length-grouped-batches.ts";
import { attachReferenceLogps } from "./trainer/reference-logps.ts";
import { buildTrainConfig } from "./trainer/train-config.ts";
import { microBatchGradients } from "./trainer/train-step.ts";
import { type MetricsLine, train } from "./trainer/trainer.ts";
import { buildTrainingExample } from "./trainer/training-example.ts";

/** The parity model: `tinyConfig` (2 layers, 4 query heads over 2 KV heads, untied head) with the test tokenizer's vocabulary. */
export function parityConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return tinyConfig({ vocabSize: TEST_VOCAB, ...overrides });
}

/** Everything one backend computed, as host numbers. */
export interface ParityNumbers {
  /** Forward logits of a right-padded (2, 12) batch, attention in query blocks of 4. */
  logits: Float32Array;
  /** The same with q/k/v biases, a tied head and a sliding window of 5. */
  logitsVariant: Float32Array;
  /** `sequenceLogps(...).sum` of those logits, (2). */
  sequenceLogps: Float32Array;
  /** Gradients of one LongPO micro-batch (2 pairs, long input, precomputed short-input reference), by name. */
  grads: Map<string, Float32Array>;
  /** The same step with layer checkpointing (the recomputing custom gradient). */
  gradsCheckpointed: Map<string, Float32Array>;
  /** That step's loss. */
  stepLoss: number;
  /** Greedy tokens of two prompts of different lengths (left padding, KV cache). */
  greedy: number[][];
  /** Reference log-probs of the training pairs (short input), chosen and rejected. */
  referenceLogps: number[];
  /** Losses of a short LongPO run. */
  trainLosses: number[];
}

/** How many training steps the parity run takes. */
export const PARITY_TRAIN_STEPS = 4;

/** Reads every tensor of a map back asynchronously, then frees them. */
async function readAll(grads: Map<string, tf.Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, g] of grads) {
    out.set(k, (await g.data()) as Float32Array);
    g.dispose();
  }
  return out;
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from((await t.data()) as Float32Array);
  } finally {
    t.dispose();
  }
}

const IDS = [
  [1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 2, 0],
  [1, 50, 51, 52, 53, 54, 55, 2, 0, 0, 0, 0],
];

/**
 * Runs every parity check on the backend that is active now (set it with `selectBackend` first). Only
 * asynchronous reads, so it runs where synchronous ones cannot (webgpu under Deno).
 *
 * @param seed the model's weights
 */
export async function parityNumbers(seed = 3, log: (line: string) => void = () => {}): Promise<ParityNumbers> {
  let last = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    log(`${name}: ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
  const config = parityConfig();
  const model = LlamaModel.random(config, seed);
  const variant = LlamaModel.random(parityConfig({ attentionBias: true, tieWordEmbeddings: true, slidingWindow: 5 }), seed);
  const dir = await mkdtemp(join(tmpdir(), "longpo-parity-"));
  try {
    const [b, t] = [IDS.length, IDS[0]!.length];
    const labels = IDS.map((r) => [...r.slice(1), 0]);
    const mask = IDS.map((r) => r.map((_, i) => (i >= 2 && r[i + 1] !== undefined && r[i + 1] !== 0 ? 1 : 0)));
    // A fresh ids tensor per forward: the model checks ids on the host, which webgpu cannot read back synchronously.
    const forward = (m: LlamaModel) => tf.tidy(() => m.forward(tf.tensor2d(IDS, [b, t], "int32"), { queryBlockSize: 4 })); // (2, 12, V)
    const logitsT = forward(model);
    const sumT = tf.tidy(() => sequenceLogps(logitsT, tf.tensor2d(labels, [b, t], "int32"), tf.tensor2d(mask, [b, t])).sum); // (2)
    const logits = await readAndDispose(logitsT);
    const seqLogps = await readAndDispose(sumT);
    const logitsVariant = await readAndDispose(forward(variant));
    phase("forward and sequenceLogps");

    const examples = toyPairs(4).map((p) => buildTrainingExample(charTokenizer, p, "short"));
    const { examples: scored } = await attachReferenceLogps(examples, llamaPolicy(model), { padId: 0 });
    phase("reference scoring");
    const referenceLogps = scored.flatMap((e) => [e.refChosenLogps ?? Number.NaN, e.refRejectedLogps ?? Number.NaN]);
    const two = scored.slice(0, 2);
    const mb = {
      pairs: 2,
      sequences: padBatch([...two.map((e) => e.chosen), ...two.map((e) => e.rejected)], 0),
      refChosenLogps: Float32Array.from(two.map((e) => e.refChosenLogps ?? 0)),
      refRejectedLogps: Float32Array.from(two.map((e) => e.refRejectedLogps ?? 0)),
    };
    const loss = { method: "longpo" as const, beta: 0.1, lambda: 0.5 };
    const step = await microBatchGradients(llamaPolicy(model, { queryBlockSize: 8 }), mb, loss);
    const grads = await readAll(step.grads);
    phase("LongPO step");
    const checkpointed = await microBatchGradients(llamaPolicy(model, { queryBlockSize: 8, checkpointLayers: true }), mb, loss);
    const gradsCheckpointed = await readAll(checkpointed.grads);
    phase("LongPO step, checkpointed");

    const prompts = [[1, 3, 60, 61, 62, 4], [1, 3, 70, 4]];
    const greedy = (await generate(model, prompts, { maxNewTokens: 6, temperature: 0, eosTokenIds: [] })).map((r) => r.tokenIds);
    phase("greedy generation");

    const { config: trainConfig } = buildTrainConfig({
      method: "longpo", beta: 0.1, lambda: 0.5, contextLossWeight: 0, learningRate: 1e-2, schedule: "constant", warmupRatio: 0,
      batchSize: 2, gradientAccumulation: 1, maxSteps: PARITY_TRAIN_STEPS, logEvery: 1, seed: 1, outputDir: join(dir, "train"),
    });
    const trainLosses: number[] = [];
    const result = await train({
      config: trainConfig,
      policy: llamaPolicy(model),
      examples: scored,
      padId: 0,
      saveModel: async (to) => saveCheckpoint(to, { config, weights: await model.readWeights() }),
      onLog: (line: MetricsLine) => trainLosses.push(line.loss),
    });
    phase("training");
    if (result.status !== "completed") throw new Error(`Cannot finish the parity run: training ended ${result.status}`);
    return {
      logits,
      logitsVariant,
      sequenceLogps: seqLogps,
      grads,
      gradsCheckpointed,
      stepLoss: step.metrics.loss,
      greedy,
      referenceLogps,
      trainLosses,
    };
  } finally {
    model.dispose();
    variant.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One compared quantity: the largest difference found and the tolerance it must stay within. */
export interface ParityRow {
  check: string;
  /** max |got − ref| / (atol + rtol·|ref|) over the elements: ≤ 1 passes. */
  worst: number;
  maxAbsDiff: number;
  tolerance: string;
  ok: boolean;
}

/**
 * Tolerances. float32 kernels sum in different orders on each backend (cpu loops, a GPU reduces in
 * workgroups), so results agree to a few ulps per op, not bit for bit: 1e-5 relative on logits and log-probs
 * (measured on Deno's llvmpipe adapter: under 1% of it). Gradients are compared relative to the largest gradient
 * of their tensor, since tiny entries carry cancellation error (measured: under 1% of 1e-4). The training losses
 * get the log-probs' tolerance: a 4-step run matched cpu exactly there once clipGradients stopped using AddN.
 */
export const TOLERANCES = {
  logits: { rtol: 1e-5, atol: 1e-5 },
  logps: { rtol: 1e-5, atol: 1e-5 },
  grads: { rtol: 1e-4, scaleAtol: 1e-4 },
  train: { rtol: 1e-5, atol: 1e-5 },
} as const;

function closeness(check: string, got: ArrayLike<number>, ref: ArrayLike<number>, rtol: number, atol: number): ParityRow {
  let worst = got.length === ref.length ? 0 : Number.POSITIVE_INFINITY;
  let maxAbsDiff = 0;
  for (let i = 0; i < Math.min(got.length, ref.length); i++) {
    const d = Math.abs((got[i] as number) - (ref[i] as number));
    const ratio = d / (atol + rtol * Math.abs(ref[i] as number));
    if (!(ratio <= worst)) worst = ratio; // NaN propagates
    if (!(d <= maxAbsDiff)) maxAbsDiff = d;
  }
  return { check, worst, maxAbsDiff, tolerance: `${atol} + ${rtol}·|ref|`, ok: worst <= 1 };
}

function gradCloseness(check: string, got: Map<string, Float32Array>, ref: Map<string, Float32Array>): ParityRow {
  const { rtol, scaleAtol } = TOLERANCES.grads;
  let worst = got.size === ref.size ? 0 : Number.POSITIVE_INFINITY;
  let maxAbsDiff = 0;
  for (const [name, r] of ref) {
    const g = got.get(name);
    if (g === undefined) return { check, worst: Number.POSITIVE_INFINITY, maxAbsDiff: Number.NaN, tolerance: "-", ok: false };
    const scale = r.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const row = closeness(check, g, r, rtol, scaleAtol * scale + 1e-12);
    if (!(row.worst <= worst)) worst = row.worst;
    if (!(row.maxAbsDiff <= maxAbsDiff)) maxAbsDiff = row.maxAbsDiff;
  }
  return { check, worst, maxAbsDiff, tolerance: `${scaleAtol}·max|ref| + ${rtol}·|ref|`, ok: worst <= 1 };
}

/** Compares one backend's numbers with the cpu's, one row per check. */
export function compareParity(got: ParityNumbers, ref: ParityNumbers): ParityRow[] {
  const { logits, logps, train: tr } = TOLERANCES;
  const same = got.greedy.length === ref.greedy.length && got.greedy.every((r, i) => r.join(",") === ref.greedy[i]?.join(","));
  return [
    closeness("forward logits", got.logits, ref.logits, logits.rtol, logits.atol),
    closeness("forward logits (biases, tied head, sliding window)", got.logitsVariant, ref.logitsVariant, logits.rtol, logits.atol),
    closeness("sequenceLogps", got.sequenceLogps, ref.sequenceLogps, logps.rtol, logps.atol),
    closeness("reference log-probs (short input)", got.referenceLogps, ref.referenceLogps, logps.rtol, logps.atol),
    closeness("LongPO step loss", [got.stepLoss], [ref.stepLoss], logps.rtol, logps.atol),
    gradCloseness("LongPO step gradients", got.grads, ref.grads),
    gradCloseness("LongPO step gradients (checkpointed layers)", got.gradsCheckpointed, ref.gradsCheckpointed),
    { check: "greedy tokens", worst: same ? 0 : Number.POSITIVE_INFINITY, maxAbsDiff: same ? 0 : Number.NaN, tolerance: "identical", ok: same },
    closeness(`training losses (${PARITY_TRAIN_STEPS} steps)`, got.trainLosses, ref.trainLosses, tr.rtol, tr.atol),
  ];
}
