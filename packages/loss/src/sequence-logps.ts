// Summed log-probability of label tokens under a causal LM's logits, without a one-hot or a log-softmax copy.
import * as tf from "@tensorflow/tfjs-core";
import { rowLogSumExp } from "./_row-log-sum-exp.ts";

/** Per-sequence result of {@link sequenceLogps}. */
export type SequenceLogps = {
  /** Summed log-probability of the masked-in labels, `(B)`. */
  sum: tf.Tensor1D;
  /** How many labels are masked in, `(B)` float32. */
  count: tf.Tensor1D;
};

/**
 * Log-probability of each sequence's labels under `logits`, summed over the masked-in positions.
 *
 * `logits[b, t]` scores `labels[b, t]`: no shift happens here. For a causal LM whose logits at position `t`
 * predict token `t + 1`, the caller passes `logits[:, :-1]` with `labels = inputIds[:, 1:]` and the matching mask
 * (TRL's convention; `count` then equals the number of completion tokens).
 *
 * Masked-out positions do not influence the result or its gradient: their labels are replaced by 0 before the
 * gather (so `-100` or any padding id is fine there) and their log-probabilities are selected away, not
 * multiplied by zero, so even NaN or infinite logits there leave `sum` unchanged. Labels at masked-in positions
 * must lie in `[0, V)`.
 *
 * Memory: the forward pass keeps only `(B, T)` tensors besides the logits (log-sum-exp in row blocks, the label
 * logit by a flat `gather`); the backward pass, a custom gradient, builds `softmax(logits)·(−w)` and adds `w` at
 * the label positions with `tensorScatterUpdate` (`w = mask·dy`), so at most two `(B, T, V)` temporaries exist
 * at once besides the logits. B = 2, T = 4096, V = 32000 (1 GiB of logits) runs forward and backward on wasm.
 *
 * @param logits `(B, T, V)` float32 scores
 * @param labels `(B, T)` int32 token ids
 * @param mask `(B, T)` 0/1 (any dtype; nonzero means masked in)
 * @returns `{ sum: (B), count: (B) }`; `sum` is differentiable with respect to `logits`
 * @throws {TypeError} when a rank or dtype is wrong
 * @throws {RangeError} when shapes disagree or a masked-in label is outside `[0, V)`
 * @example
 * ```ts
 * const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]]]); // (1, 2, 2)
 * const { sum } = sequenceLogps(logits, tf.tensor2d([[0, 1]], undefined, "int32"), tf.tensor2d([[1, 1]]));
 * sum.print(); // [log(1/2) + log(3/4)] = [-0.9808293]
 * ```
 */
export function sequenceLogps(logits: tf.Tensor3D, labels: tf.Tensor2D, mask: tf.Tensor2D): SequenceLogps {
  const [B, T, V] = checkInputs(logits, labels, mask);
  return tf.tidy(() => {
    const maskedIn = tf.notEqual(mask, 0); // (B, T) bool
    const maskFloat = tf.cast(maskedIn, "float32"); // (B, T)
    const safeLabels = tf.where(maskedIn, labels, tf.zerosLike(labels)); // (B, T) int32
    // Flat index of logits[b, t, label[b, t]] in the (B·T·V) view: picks the label logit without a one-hot.
    const flatIndex = tf.add(tf.mul(tf.range(0, B * T, 1, "int32"), tf.scalar(V, "int32")), tf.reshape(safeLabels, [B * T])); // (B·T)
    const maskedInFlat = tf.reshape(maskedIn, [B * T]); // (B·T)

    const summed = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
      const rows = tf.reshape(x, [B * T, V]) as tf.Tensor2D; // (B·T, V)
      const labelLogits = tf.gather(tf.reshape(x, [B * T * V]), flatIndex); // (B·T)
      const tokenLogps = tf.where(maskedInFlat, tf.sub(labelLogits, rowLogSumExp(rows)), tf.zerosLike(labelLogits)); // (B·T)
      save([x, flatIndex, maskFloat]);
      return {
        value: tf.sum(tf.reshape(tokenLogps, [B, T]), 1), // (B)
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, index, weight] = saved as [tf.Tensor3D, tf.Tensor1D, tf.Tensor2D];
          const w = tf.mul(weight, tf.expandDims(dy, 1)); // (B, T)
          // d sum / d logits = w·(onehot(label) − softmax). The inner tidy frees softmax before the scatter.
          const scaled = tf.tidy(() => tf.reshape(tf.mul(tf.softmax(xs), tf.neg(tf.expandDims(w, 2))), [B * T * V])); // (B·T·V)
          const atLabels = tf.add(tf.gather(scaled, index), tf.reshape(w, [B * T])); // (B·T)
          return tf.reshape(tf.tensorScatterUpdate(scaled, tf.expandDims(index, 1), atLabels), [B, T, V]); // (B, T, V)
        },
      };
    });

    return {
      sum: summed(logits) as tf.Tensor1D, // (B)
      count: tf.sum(maskFloat, 1) as tf.Tensor1D, // (B)
    };
  });
}

function checkInputs(logits: tf.Tensor, labels: tf.Tensor, mask: tf.Tensor): [number, number, number] {
  const what = "Cannot compute sequence log-probs";
  if (!(logits instanceof tf.Tensor) || logits.rank !== 3 || logits.dtype !== "float32") {
    throw new TypeError(`${what}: logits must be a (B, T, V) float32 tensor, got ${describe(logits)}`);
  }
  if (!(labels instanceof tf.Tensor) || labels.rank !== 2 || labels.dtype !== "int32") {
    throw new TypeError(`${what}: labels must be a (B, T) int32 tensor, got ${describe(labels)}`);
  }
  if (!(mask instanceof tf.Tensor) || mask.rank !== 2) {
    throw new TypeError(`${what}: mask must be a (B, T) tensor, got ${describe(mask)}`);
  }
  const [B, T, V] = logits.shape as [number, number, number];
  for (const [name, t] of [["labels", labels], ["mask", mask]] as const) {
    if (t.shape[0] !== B || t.shape[1] !== T) {
      throw new RangeError(`${what}: ${name} must have the logits' (B, T) = (${B}, ${T}), got (${t.shape.join(", ")})`);
    }
  }
  if (B * T * V > 2 ** 31 - 1) {
    throw new RangeError(`${what}: B·T·V must stay below 2³¹ for int32 indexing, got ${B * T * V}`);
  }
  const ids = labels.dataSync();
  const keep = mask.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (keep[i] !== 0 && (id < 0 || id >= V)) {
      const b = Math.floor(i / T);
      throw new RangeError(`${what}: masked-in labels must lie in [0, ${V}), got ${id} at (${b}, ${i - b * T})`);
    }
  }
  return [B, T, V];
}

function describe(x: unknown): string {
  return x instanceof tf.Tensor ? `${x.dtype} tensor of shape (${x.shape.join(", ")})` : typeof x;
}
