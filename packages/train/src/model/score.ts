// scoreCompletions: summed log-probability of each completion given its prompt (reference log-probs, eval).

import { sequenceLogps } from "@longpo/loss";
import * as tf from "@tensorflow/tfjs-core";
import type { LlamaModel } from "./llama.ts";

/** One completion to score after its prompt. */
export interface ScoreItem {
  promptIds: number[];
  completionIds: number[];
}

/** log π(completion | prompt), summed over the completion's tokens (no length normalisation), and their count. */
export interface CompletionScore {
  logprob: number;
  tokens: number;
}

/** Options of `scoreCompletions`. */
export interface ScoreOptions {
  /** Sequences per forward pass. Default 4. */
  batchSize?: number;
  /** Positions per LM-head chunk, bounding the (B, chunk, V) logits in memory. Default: about 8M logits. */
  headChunk?: number;
  /** Attention query block (see `ForwardOptions.queryBlockSize`). */
  queryBlockSize?: number;
}

/**
 * Scores completions given prompts, batched (items of similar length share a batch; right padding). The LM
 * head runs in chunks of positions, so long sequences never hold all (T, V) logits at once.
 *
 * @param items each with a non-empty prompt (at least BOS); an empty completion scores 0 over 0 tokens
 * @returns one score per item, in the items' order
 * @throws {RangeError} for an empty prompt or a non-positive batch size
 * @example
 * const [s] = await scoreCompletions(model, [{ promptIds: [1, 15, 7], completionIds: [42, 2] }]);
 * s.logprob; // Σ log p(42 | 1 15 7) + log p(2 | 1 15 7 42)
 */
export async function scoreCompletions(
  model: LlamaModel,
  items: ScoreItem[],
  options: ScoreOptions = {},
): Promise<CompletionScore[]> {
  const batchSize = options.batchSize ?? 4;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot score completions: batchSize must be a positive integer, got ${batchSize}`);
  }
  items.forEach((item, i) => {
    if (item.promptIds.length === 0) {
      throw new RangeError(`Cannot score completions: every prompt must hold a token (at least BOS), got an empty one at ${i}`);
    }
  });
  const scores: CompletionScore[] = items.map((item) => ({ logprob: 0, tokens: item.completionIds.length }));
  const order = items
    .map((item, i) => ({ i, length: item.promptIds.length + item.completionIds.length }))
    .filter((_, i) => items[i]!.completionIds.length > 0)
    .sort((a, b) => a.length - b.length)
    .map((e) => e.i);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const sums = await scoreBatch(model, batch.map((i) => items[i]!), options);
    batch.forEach((i, k) => (scores[i]!.logprob = sums[k]!));
  }
  return scores;
}

/** Summed completion log-probs of one right-padded batch. */
async function scoreBatch(model: LlamaModel, items: ScoreItem[], options: ScoreOptions): Promise<number[]> {
  const { vocabSize, padTokenId } = model.config;
  const b = items.length;
  const t = Math.max(...items.map((it) => it.promptIds.length + it.completionIds.length));
  const ids: number[][] = [];
  const mask: number[][] = [];
  const labels: number[][] = [];
  const lossMask: number[][] = [];
  for (const { promptIds, completionIds } of items) {
    const seq = [...promptIds, ...completionIds];
    const padding = t - seq.length;
    ids.push([...seq, ...Array.from({ length: padding }, () => padTokenId ?? 0)]);
    mask.push([...seq.map(() => 1), ...Array.from({ length: padding }, () => 0)]);
    // logits at position p score token p + 1: completion token j sits at p = prompt + j − 1
    labels.push(Array.from({ length: t }, (_, p) => (p + 1 < seq.length ? seq[p + 1]! : 0)));
    lossMask.push(Array.from({ length: t }, (_, p) => (p + 1 >= promptIds.length && p + 1 < seq.length ? 1 : 0)));
  }
  const first = Math.min(...items.map((it) => it.promptIds.length - 1)); // earliest position that scores a token
  const chunk = options.headChunk ?? Math.max(1, Math.floor(8_388_608 / (b * vocabSize)));
  const hidden = tf.tidy(() =>
    model.forwardHidden(tf.tensor2d(ids, [b, t], "int32"), {
      attentionMask: mask,
      ...(options.queryBlockSize === undefined ? {} : { queryBlockSize: options.queryBlockSize }),
    })
  ); // (B, T, H)
  const totals = new Array<number>(b).fill(0);
  try {
    for (let p0 = first; p0 < t - 1; p0 += chunk) {
      const len = Math.min(chunk, t - 1 - p0);
      const sum = tf.tidy(() => {
        const logits = model.logits(tf.slice(hidden, [0, p0, 0], [b, len, hidden.shape[2]])); // (B, len, V)
        // Labels and mask are cut on the host: sequenceLogps reads them synchronously, which a GPU backend can
        // do only for tensors made from host data.
        const l = tf.tensor2d(labels.map((r) => r.slice(p0, p0 + len)), [b, len], "int32"); // (B, len)
        const m = tf.tensor2d(lossMask.map((r) => r.slice(p0, p0 + len)), [b, len]); // (B, len)
        return sequenceLogps(logits, l, m).sum; // (B)
      });
      const values = await sum.data();
      sum.dispose();
      values.forEach((v, k) => (totals[k]! += v));
    }
  } finally {
    hidden.dispose();
  }
  return totals;
}
