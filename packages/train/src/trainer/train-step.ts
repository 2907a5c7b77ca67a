// One micro-batch's loss and gradients (LongPO, DPO-style preference losses, SFT), then clipping and the update.
import * as tf from "@tensorflow/tfjs-core";
// Gradients are registered separately from the ops in tfjs-core; training needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { preferenceLoss, sequenceLogps } from "./_loss-seam.ts";
import type { PaddedBatch } from "./length-grouped-batches.ts";
import type { TrainMethod } from "./train-config.ts";

/** What the trainer needs of a policy: logits of right-padded ids, and its trainable parameters by name. */
export interface TrainablePolicy {
  /** Next-token logits (B, T, V) for ids (B, T). */
  logits(ids: tf.Tensor2D): tf.Tensor3D;
  /** Trainable parameters keyed by their checkpoint names. */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
}

/**
 * One micro-batch: the policy's sequences padded together (rows 0..B-1 chosen, B..2B-1 rejected; chosen only
 * for SFT) and the reference log-probs of each pair.
 */
export interface MicroBatch {
  pairs: number;
  sequences: PaddedBatch;
  refChosenLogps: Float32Array;
  refRejectedLogps: Float32Array;
}

/** Plain-number results of one micro-batch (TRL's metric names). */
export interface StepMetrics {
  loss: number;
  nll: number;
  "rewards/chosen": number;
  "rewards/rejected": number;
  "rewards/margins": number;
  "rewards/accuracies": number;
  "logps/chosen": number;
  "logps/rejected": number;
  tokens: number;
}

/** Loss options of a step. */
export interface StepLossOptions {
  method: TrainMethod;
  beta: number;
  lambda: number;
}

/**
 * Forward and backward of one micro-batch. The reference log-probs are constants (computed before training),
 * so only the policy is differentiated.
 *
 * - longpo: `nll + λ·mean(−log σ(z))`, with z from the long-input policy and the short-input reference and
 *   the NLL the mean token cross-entropy of the chosen long sequences (LongPO eq. for L_LongPO).
 * - sft: the NLL alone (no rejected forward).
 * - dpo and other preference types: mean of the preference loss (the reference saw the long input).
 *
 * @returns gradients by parameter name (caller disposes) and the metrics.
 */
export function microBatchGradients(
  policy: TrainablePolicy,
  mb: MicroBatch,
  opts: StepLossOptions,
): { grads: Map<string, tf.Tensor>; metrics: StepMetrics } {
  const { pairs, sequences: s } = mb;
  const sft = opts.method === "sft";
  const rows = sft ? pairs : 2 * pairs;
  if (s.batch !== rows) {
    throw new RangeError(`Cannot run train step: the padded batch must hold ${rows} rows for ${pairs} pairs, got ${s.batch}`);
  }
  const chosenTokens = s.labelCounts.slice(0, pairs).reduce((a, b) => a + b, 0);
  if (chosenTokens === 0) throw new RangeError("Cannot run train step: the chosen responses must hold tokens, got none");
  const names = new Map<string, string>();
  for (const [name, v] of policy.parameters) names.set(v.name, name);
  let logpsOut: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const ids = tf.tensor2d(s.ids, [rows, s.length], "int32"); // (R, T)
    const targets = tf.tensor2d(s.targets, [rows, s.length], "int32"); // (R, T)
    const mask = tf.tensor2d(s.targetMask, [rows, s.length]); // (R, T)
    const logits = policy.logits(ids); // (R, T, V)
    const { sum } = sequenceLogps(logits, targets, mask); // (R)
    logpsOut = tf.keep(sum);
    const chosen = sft ? sum : (tf.slice(sum, [0], [pairs]) as tf.Tensor1D); // (P)
    const nll = tf.div(tf.neg(tf.sum(chosen)), chosenTokens) as tf.Scalar;
    if (sft) return nll;
    const rejected = tf.slice(sum, [pairs], [pairs]) as tf.Tensor1D; // (P)
    const { losses } = preferenceLoss(
      {
        policyChosenLogps: chosen,
        policyRejectedLogps: rejected,
        refChosenLogps: tf.tensor1d(mb.refChosenLogps),
        refRejectedLogps: tf.tensor1d(mb.refRejectedLogps),
      },
      { type: opts.method === "longpo" ? "sigmoid" : opts.method === "dpo" ? "sigmoid" : opts.method, beta: opts.beta },
    );
    const pref = tf.mean(losses) as tf.Scalar;
    return opts.method === "longpo" ? (tf.add(nll, tf.mul(pref, opts.lambda)) as tf.Scalar) : pref;
  }, [...policy.parameters.values()]);
  const loss = value.dataSync()[0] ?? Number.NaN;
  value.dispose();
  const logps = logpsOut === undefined ? new Float32Array(rows) : (logpsOut.dataSync() as Float32Array);
  logpsOut?.dispose();
  const named = new Map<string, tf.Tensor>();
  for (const [vname, g] of Object.entries(grads)) named.set(names.get(vname) ?? vname, g);
  return { grads: named, metrics: pairMetrics(loss, logps, mb, opts, chosenTokens, s) };
}

function pairMetrics(loss: number, logps: Float32Array, mb: MicroBatch, opts: StepLossOptions, chosenTokens: number, s: PaddedBatch): StepMetrics {
  const P = mb.pairs;
  let chosenSum = 0;
  let rejectedSum = 0;
  let rc = 0;
  let rr = 0;
  let acc = 0;
  for (let i = 0; i < P; i++) {
    const pc = logps[i] ?? 0;
    chosenSum += pc;
    if (opts.method === "sft") continue;
    const pr = logps[P + i] ?? 0;
    rejectedSum += pr;
    const cr = opts.beta * (pc - (mb.refChosenLogps[i] ?? 0));
    const rj = opts.beta * (pr - (mb.refRejectedLogps[i] ?? 0));
    rc += cr;
    rr += rj;
    if (cr > rj) acc += 1;
  }
  return {
    loss,
    nll: -chosenSum / chosenTokens,
    "rewards/chosen": rc / P,
    "rewards/rejected": rr / P,
    "rewards/margins": (rc - rr) / P,
    "rewards/accuracies": acc / P,
    "logps/chosen": chosenSum / P,
    "logps/rejected": rejectedSum / P,
    tokens: s.batch * s.length,
  };
}

/**
 * Scale gradients in place so that their global L2 norm is at most `maxNorm` (0: no clipping), as
 * `torch.nn.utils.clip_grad_norm_` does.
 *
 * @returns the norm before clipping.
 */
export function clipGradients(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares));
  });
  const n = norm.dataSync()[0] ?? Number.NaN;
  norm.dispose();
  if (maxNorm > 0 && n > maxNorm) {
    const scale = maxNorm / (n + 1e-6);
    for (const [k, g] of grads) {
      grads.set(k, tf.tidy(() => tf.mul(g, scale)));
      g.dispose();
    }
  }
  return n;
}
