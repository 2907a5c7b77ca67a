// The gradient of Σ w·log softmax(rows)[label] with respect to the rows, built in one of two ways by memory budget.
import * as tf from "@tensorflow/tfjs-core";

/** Above this many elements (256 MiB of float32), the wasm backend assembles the gradient on the host. */
export const HOST_ASSEMBLY_ELEMENTS = 1 << 26;
/** Rows per softmax block on the host path: at most this many elements (16 MiB of float32). */
const BLOCK_ELEMENTS = 1 << 22;

export interface LabelLogpGradientOptions {
  /** Build the gradient in a host `Float32Array` (default: on wasm when rows hold ≥ 2²⁶ elements). */
  onHost?: boolean | undefined;
  /** Elements per softmax block on the host path. */
  blockElements?: number | undefined;
}

/**
 * `d/d rows of Σᵢ wᵢ·log softmax(rowsᵢ)[labelᵢ] = wᵢ·(onehot(labelᵢ) − softmax(rowsᵢ))`, shape `(N, V)`.
 *
 * On the device (every backend): `softmax(rows)·(−w)`, then `+w` at the labels with `tensorScatterUpdate`. Each op
 * makes a new `(N, V)` tensor, so two of them live at once besides the rows: 3× the rows in all.
 *
 * On the host (wasm, large rows): softmax of 16 MiB row blocks is read back into one `Float32Array`, scaled and
 * corrected there, and uploaded once, so the wasm heap holds only the rows and the gradient: 2× the rows. This is
 * what lets B = 2, T = 4096, V = 32000 (1 GiB of logits) train within wasm's 4 GiB heap, at the cost of 1 GiB of
 * ordinary process memory and a copy out and back in. Rows with `w = 0` come out as exact zeros, whatever they hold.
 *
 * @param rows `(N, V)` float32 logits
 * @param flatIndex `(N)` int32 flat indices `i·V + labelᵢ`
 * @param w `(N)` float32 weights (mask times upstream gradient)
 */
export function labelLogpGradient(
  rows: tf.Tensor2D,
  flatIndex: tf.Tensor1D,
  w: tf.Tensor1D,
  options: LabelLogpGradientOptions = {},
): tf.Tensor2D {
  const [n, v] = rows.shape;
  const onHost = options.onHost ?? (tf.getBackend() === "wasm" && n * v >= HOST_ASSEMBLY_ELEMENTS);
  return onHost ? onHostGradient(rows, flatIndex, w, options.blockElements ?? BLOCK_ELEMENTS) : onDeviceGradient(rows, flatIndex, w);
}

function onDeviceGradient(rows: tf.Tensor2D, flatIndex: tf.Tensor1D, w: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, v] = rows.shape;
    // The inner tidy frees softmax before the scatter allocates: two (N, V) temporaries at a time, not three.
    const scaled = tf.tidy(() => tf.reshape(tf.mul(tf.softmax(rows), tf.neg(tf.expandDims(w, 1))), [n * v])); // (N·V)
    const atLabels = tf.add(tf.gather(scaled, flatIndex), w); // (N)
    return tf.reshape(tf.tensorScatterUpdate(scaled, tf.expandDims(flatIndex, 1), atLabels), [n, v]) as tf.Tensor2D; // (N, V)
  });
}

function onHostGradient(rows: tf.Tensor2D, flatIndex: tf.Tensor1D, w: tf.Tensor1D, blockElements: number): tf.Tensor2D {
  const [n, v] = rows.shape;
  const weights = w.dataSync();
  const index = flatIndex.dataSync();
  const out = new Float32Array(n * v);
  const blockRows = Math.max(1, Math.floor(blockElements / v));
  for (let start = 0; start < n; start += blockRows) {
    const end = Math.min(n, start + blockRows);
    tf.tidy(() => {
      const rowIndex = tf.reshape(tf.range(start, end, 1, "int32"), [end - start, 1]); // (rows, 1)
      out.set(tf.softmax(tf.gatherND(rows, rowIndex) as tf.Tensor2D).dataSync(), start * v); // (rows, V) on the host
    });
    for (let i = start; i < end; i++) {
      const weight = weights[i] as number;
      const base = i * v;
      if (weight === 0) {
        out.fill(0, base, base + v);
        continue;
      }
      for (let j = base; j < base + v; j++) out[j] = (out[j] as number) * -weight;
      const at = index[i] as number;
      out[at] = (out[at] as number) + weight;
    }
  }
  return tf.tensor2d(out, [n, v]);
}
