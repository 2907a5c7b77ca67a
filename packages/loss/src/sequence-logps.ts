// Summed log-probability of label tokens under a causal LM's logits, without a one-hot or a log-softmax copy.
import * as tf from "@tensorflow/tfjs-core";
import { HOST_ASSEMBLY_ELEMENTS, labelLogpGradient } from "./_label-logp-gradient.ts";
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
 * must lie in `[0, V)`; checking that reads `labels` and `mask` back synchronously (B·T numbers), which is free
 * for tensors made from host data; on webgpu, pass such tensors (a device-computed label tensor cannot be read
 * synchronously there).
 *
 * Memory: the forward pass keeps only `(B, T)` tensors besides the logits (log-sum-exp in 16 MiB row blocks, the
 * label logit by a flat `gather`). The backward pass is a custom gradient, `w·(onehot(label) − softmax(logits))`
 * with `w = mask·dy`, that holds two `(B, T, V)` temporaries at once besides the logits. On wasm, from 2²⁶
 * elements (256 MiB) of logits up, it instead reads the logits in place (tf would save a copy: wasm's Identity
 * kernel copies) and assembles the gradient in host memory, so the 4 GiB wasm heap holds only the logits and their
 * gradient; the logits must then stay alive until the backward pass, as they do under `tf.grad` or
 * `optimizer.minimize` unless the call sits in an inner `tf.tidy`. B = 2, T = 4096, V = 32000 (1 GiB of logits)
 * runs forward and backward on wasm; a trainer that needs more calls this on slices of T and adds the sums.
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
  return sequenceLogpsTuned(logits, labels, mask, {});
}

/** Memory strategy of {@link sequenceLogpsTuned}; the defaults depend on the backend and the size of the logits. */
export interface SequenceLogpsTuning {
  /**
   * Read the logits in place in the backward pass instead of saving them (default: on wasm from 2²⁶ elements up,
   * where saving would copy them, since the wasm Identity kernel copies), and build the gradient on the host.
   */
  large?: boolean;
  /** Elements per softmax block when the gradient is built on the host. */
  blockElements?: number;
}

/**
 * {@link sequenceLogps} with its memory strategy chosen by the caller; the package does not re-export it (tests use
 * it to exercise the large-logits path on small inputs).
 */
export function sequenceLogpsTuned(
  logits: tf.Tensor3D,
  labels: tf.Tensor2D,
  mask: tf.Tensor2D,
  tuning: SequenceLogpsTuning,
): SequenceLogps {
  const [B, T, V] = checkInputs(logits, labels, mask);
  // The host path is for wasm's 4 GiB heap; on webgpu it would need synchronous reads, so it is never the default.
  const large = tuning.large ?? (tf.getBackend() === "wasm" && B * T * V >= HOST_ASSEMBLY_ELEMENTS);
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
      // tf saves by cloning, and on wasm a clone is a copy: large logits are read in place in the backward pass.
      save(large ? [flatIndex, maskFloat] : [x, flatIndex, maskFloat]);
      return {
        value: tf.sum(tf.reshape(tokenLogps, [B, T]), 1), // (B)
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, index, weight] = (large ? [x, ...saved] : saved) as [tf.Tensor3D, tf.Tensor1D, tf.Tensor2D];
          if (xs.isDisposed) {
            throw new Error(
              "Cannot compute the gradient of sequenceLogps: large logits are read in place and must stay alive until " +
                "the backward pass, but they were disposed (do not wrap the call in tf.tidy inside the loss function)",
            );
          }
          const w = tf.reshape(tf.mul(weight, tf.expandDims(dy, 1)), [B * T]) as tf.Tensor1D; // (B·T) mask·dy
          const rows = tf.reshape(xs, [B * T, V]) as tf.Tensor2D; // (B·T, V)
          const rowsGrad = labelLogpGradient(rows, index, w, { onHost: large, blockElements: tuning.blockElements }); // (B·T, V)
          return tf.reshape(rowsGrad, [B, T, V]); // (B, T, V)
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
  const ids = readForCheck(labels, "labels");
  const keep = readForCheck(mask, "mask");
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (keep[i] !== 0 && (id < 0 || id >= V)) {
      const b = Math.floor(i / T);
      throw new RangeError(`${what}: masked-in labels must lie in [0, ${V}), got ${id} at (${b}, ${i - b * T})`);
    }
  }
  return [B, T, V];
}

/**
 * The values of a small `(B, T)` input, read synchronously for the range check. Free for tensors made from host
 * data (every backend keeps those on the host until first used); a GPU backend cannot always read a tensor that a
 * device op produced synchronously (webgpu under Deno has no such path), so that case gets a clear error.
 */
function readForCheck(t: tf.Tensor, name: string): ArrayLike<number> {
  try {
    return t.dataSync() as ArrayLike<number>;
  } catch (e) {
    throw new TypeError(
      `Cannot compute sequence log-probs: ${name} must be readable synchronously for the range check, but the ` +
        `${tf.getBackend()} backend failed to read it (${e instanceof Error ? e.message : String(e)}); make ${name} ` +
        "from host data (tf.tensor) rather than from a device op",
    );
  }
}

function describe(x: unknown): string {
  return x instanceof tf.Tensor ? `${x.dtype} tensor of shape (${x.shape.join(", ")})` : typeof x;
}
