// One micro-batch's loss and gradients (LongPO, DPO-style preference losses, SFT), then clipping and the update.
import * as tf from "@tensorflow/tfjs-core";
import { longpoLoss, preferenceLoss, type PreferenceLossType, readRewardMetrics, sequenceLogps } from "@longpo/loss";
import type { PaddedBatch } from "./length-grouped-batches.ts";
import type { TrainMethod } from "./train-config.ts";

// Op gradients are registered by the model's backend selection (model/gradients.ts `registerGradients`).

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
  /** Weight of the context (non-response) tokens in the NLL term of sft and longpo; 0 (default): responses only. */
  contextLossWeight?: number;
  /**
   * Set when this micro-batch is one shard of a larger batch (data-parallel training): the whole batch's pair
   * count and NLL denominator. The loss is then `−Σ_shard logp / nllDenominator + λ·Σ_shard pref / pairs`, so the
   * shards' gradients sum to the whole batch's gradient (and their losses to its loss).
   */
  batchTotals?: { pairs: number; nllDenominator: number };
}

/**
 * Forward and backward of one micro-batch. The reference log-probs are constants (computed before training),
 * so only the policy is differentiated.
 *
 * - longpo: `nll + λ·mean(−log σ(z))` (`longpoLoss`), with z from the long-input policy and the short-input
 *   reference and the NLL the mean token cross-entropy of the chosen long sequences (LongPO eq. 14).
 *   With `contextLossWeight` c > 0 the NLL (of sft and longpo) is the weighted mean over every real token of the
 *   chosen sequences, `(Σ_resp CE + c·Σ_ctx CE) / (N_resp + c·N_ctx)`: c = 1 is the paper's whole-sequence NLL,
 *   c = 0.1 the document-LM weight of the toy studies' M0. The preference terms always read response tokens only.
 * - sft: the NLL alone (no rejected forward).
 * - dpo (= `sigmoid`) and any other `preferenceLosses` type: the mean of `preferenceLoss` (the reference saw
 *   the long input). Rewards are the loss package's (TRL's) for each type.
 *
 * Reads its scalars back asynchronously (`data()`), so it runs on GPU backends (webgpu has no synchronous read
 * under Deno) without stalling them.
 *
 * @returns gradients by parameter name (caller disposes), the metrics, and the policy's log-prob of each row's
 *   response (rows 0..P−1 chosen, then rejected).
 */
export async function microBatchGradients(
  policy: TrainablePolicy,
  mb: MicroBatch,
  opts: StepLossOptions,
): Promise<{ grads: Map<string, tf.Tensor>; metrics: StepMetrics; rowLogps: Float32Array }> {
  const { pairs, sequences: s } = mb;
  const sft = opts.method === "sft";
  const rows = sft ? pairs : 2 * pairs;
  if (s.batch !== rows) {
    throw new RangeError(`Cannot run train step: the padded batch must hold ${rows} rows for ${pairs} pairs, got ${s.batch}`);
  }
  const chosenTokens = s.labelCounts.slice(0, pairs).reduce((a, b) => a + b, 0);
  if (chosenTokens === 0) throw new RangeError("Cannot run train step: the chosen responses must hold tokens, got none");
  const c = opts.contextLossWeight ?? 0;
  if (!(c >= 0)) throw new RangeError(`Cannot run train step: contextLossWeight must be >= 0, got ${c}`);
  if (c > 0 && opts.method !== "sft" && opts.method !== "longpo") {
    throw new RangeError(`Cannot run train step: contextLossWeight applies to sft and longpo (their NLL term), got method ${opts.method}`);
  }
  const contextTokens = s.contextCounts.slice(0, pairs).reduce((a, b) => a + b, 0);
  const totals = opts.batchTotals;
  const nllDenominator = totals?.nllDenominator ?? chosenTokens + c * contextTokens;
  const names = new Map<string, string>();
  for (const [name, v] of policy.parameters) names.set(v.name, name);
  let kept: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const ids = tf.tensor2d(s.ids, [rows, s.length], "int32"); // (R, T)
    const targets = tf.tensor2d(s.targets, [rows, s.length], "int32"); // (R, T)
    const mask = tf.tensor2d(s.targetMask, [rows, s.length]); // (R, T)
    const logits = policy.logits(ids); // (R, T, V)
    const { sum } = sequenceLogps(logits, targets, mask); // (R)
    const chosen = sft ? sum : (tf.slice(sum, [0], [pairs]) as tf.Tensor1D); // (P)
    let chosenTotal = tf.sum(chosen) as tf.Scalar; // Σ log p of the chosen responses
    if (c > 0) {
      const context = tf.tensor2d(s.contextMask.subarray(0, pairs * s.length), [pairs, s.length]); // (P, T)
      const chosenLogits = sft ? logits : (tf.slice(logits, [0, 0, 0], [pairs, s.length, -1]) as tf.Tensor3D); // (P, T, V)
      const chosenTargets = sft ? targets : (tf.slice(targets, [0, 0], [pairs, s.length]) as tf.Tensor2D); // (P, T)
      chosenTotal = tf.add(chosenTotal, tf.mul(tf.sum(sequenceLogps(chosenLogits, chosenTargets, context).sum), c)) as tf.Scalar;
    }
    const nll = tf.div(tf.neg(chosenTotal), nllDenominator) as tf.Scalar; // (weighted) mean token CE of the chosen sequences
    if (sft) {
      kept = [tf.keep(sum)];
      return nll;
    }
    const rejected = tf.slice(sum, [pairs], [pairs]) as tf.Tensor1D; // (P)
    const inputs = {
      policyChosenLogps: chosen,
      policyRejectedLogps: rejected,
      refChosenLogps: tf.tensor1d(mb.refChosenLogps), // (P), constants
      refRejectedLogps: tf.tensor1d(mb.refRejectedLogps), // (P)
    };
    if (opts.method === "longpo") {
      // LongPO eq. 14: nll + λ·mean(−log σ(βΔ)), reference log-probs from the short input.
      const out = longpoLoss({ ...inputs, nll }, { beta: opts.beta, lambda: opts.lambda });
      kept = [tf.keep(sum), tf.keep(out.chosenRewards), tf.keep(out.rejectedRewards)];
      if (totals !== undefined) return tf.add(nll, tf.mul(tf.sum(out.preference), opts.lambda / totals.pairs)) as tf.Scalar;
      return out.loss;
    }
    const type = (opts.method === "dpo" ? "sigmoid" : opts.method) as PreferenceLossType;
    const out = preferenceLoss(
      {
        ...inputs,
        chosenTokens: tf.tensor1d(s.labelCounts.slice(0, pairs)), // (P)
        rejectedTokens: tf.tensor1d(s.labelCounts.slice(pairs)), // (P)
      },
      { type, beta: opts.beta },
    );
    kept = [tf.keep(sum), tf.keep(out.chosenRewards), tf.keep(out.rejectedRewards)];
    if (totals !== undefined) return tf.div(tf.sum(out.losses), totals.pairs) as tf.Scalar;
    return tf.mean(out.losses) as tf.Scalar;
  }, [...policy.parameters.values()]);
  const loss = (await value.data())[0] ?? Number.NaN;
  value.dispose();
  const [sumT, chosenRewards, rejectedRewards] = kept;
  const logps = ((await sumT?.data()) as Float32Array | undefined) ?? new Float32Array(rows);
  const rewards = chosenRewards !== undefined && rejectedRewards !== undefined ? await readRewardMetrics({ chosenRewards, rejectedRewards }) : undefined;
  for (const t of kept) t.dispose();
  const named = new Map<string, tf.Tensor>();
  for (const [vname, g] of Object.entries(grads)) named.set(names.get(vname) ?? vname, g);
  let chosenSum = 0;
  let rejectedSum = 0;
  for (let i = 0; i < pairs; i++) {
    chosenSum += logps[i] ?? 0;
    if (!sft) rejectedSum += logps[pairs + i] ?? 0;
  }
  return {
    grads: named,
    rowLogps: logps,
    metrics: {
      loss,
      nll: -chosenSum / chosenTokens,
      "rewards/chosen": rewards?.["rewards/chosen"] ?? 0,
      "rewards/rejected": rewards?.["rewards/rejected"] ?? 0,
      "rewards/margins": rewards?.["rewards/margins"] ?? 0,
      "rewards/accuracies": rewards?.["rewards/accuracies"] ?? 0,
      "logps/chosen": chosenSum / pairs,
      "logps/rejected": rejectedSum / pairs,
      tokens: s.tokens,
    },
  };
}

/**
 * Scale gradients in place so that their global L2 norm is at most `maxNorm` (0: no clipping), as
 * `torch.nn.utils.clip_grad_norm_` does.
 *
 * @returns the norm before clipping (read back asynchronously).
 */
export async function clipGradients(grads: Map<string, tf.Tensor>, maxNorm: number): Promise<number> {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    // A chain of adds, not tf.addN: tfjs-backend-webgpu 4.22's AddN binds every input at once and silently returns
    // garbage past the device's storage-buffer limit (8 inputs and up on Deno's adapter). Same order, same sum.
    return tf.sqrt(squares.reduce((a, b) => tf.add(a, b)));
  });
  const n = (await norm.data())[0] ?? Number.NaN;
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
