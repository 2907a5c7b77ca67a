// Mean token cross-entropy over masked-in positions: the SFT term of LongPO, ORPO and CPO.
import * as tf from "@tensorflow/tfjs-core";
import { sequenceLogps } from "./sequence-logps.ts";

/**
 * Mean negative log-likelihood of the masked-in labels, averaged over every masked-in token of the batch (not per
 * sequence first), as PyTorch's `cross_entropy` with `ignore_index` computes it. Shares {@link sequenceLogps}'s
 * conventions (no shift; masked-out labels may be anything) and its memory behaviour. A batch with no masked-in
 * position gives 0, not NaN, so that a padded micro-batch cannot poison a training step.
 *
 * @param logits `(B, T, V)` float32 scores
 * @param labels `(B, T)` int32 token ids
 * @param mask `(B, T)` 0/1
 * @returns a float32 scalar, differentiable with respect to `logits`
 * @throws {TypeError} when a rank or dtype is wrong
 * @throws {RangeError} when shapes disagree or a masked-in label is outside `[0, V)`
 * @example
 * ```ts
 * const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]]]); // (1, 2, 2)
 * nllLoss(logits, tf.tensor2d([[0, 1]], undefined, "int32"), tf.tensor2d([[1, 1]])).print(); // (log 2 + log 4/3) / 2
 * ```
 */
export function nllLoss(logits: tf.Tensor3D, labels: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const { sum, count } = sequenceLogps(logits, labels, mask); // (B), (B)
    return tf.div(tf.sub(0, tf.sum(sum)), tf.maximum(tf.sum(count), 1)) as tf.Scalar; // 0 − x: +0, not −0, when empty
  });
}
