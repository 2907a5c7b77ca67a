// rmsNorm: root-mean-square layer norm (Llama), with a hand-written gradient that needs few kernels.

import * as tf from "@tensorflow/tfjs-core";

/**
 * `x / sqrt(mean(x²) + eps) * weight` over the last axis, as Hugging Face's `LlamaRMSNorm` (float32).
 *
 * The gradient is written out: with r = (mean(x²) + eps)^(-1/2), g = dy·w and n the row length,
 * dx = r·(g − x·r²·mean(g·x)) and dw = Σ_rows dy·x·r.
 *
 * @param x (N, H)
 * @param weight (H)
 * @param eps the ε inside the square root
 * @returns (N, H)
 * @example
 * const h = rmsNorm(x, w, 1e-5); // (N, H)
 */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((xs: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(xs), -1, true), eps)); // (N, 1)
    save([xs, w, r]);
    return {
      value: tf.mul(tf.mul(xs, r), w), // (N, H)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sx, sw, sr] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        const xr = tf.mul(sx, sr); // (N, H) normalised input
        const g = tf.mul(dy, sw); // (N, H)
        const dot = tf.mean(tf.mul(g, xr), -1, true); // (N, 1) = r·mean(g·x)
        const dx = tf.mul(tf.sub(g, tf.mul(xr, dot)), sr); // (N, H)
        const dw = tf.sum(tf.mul(dy, xr), 0); // (H)
        return [dx, dw];
      }),
    };
  }) as never);
  return f(x, weight) as tf.Tensor2D;
}
