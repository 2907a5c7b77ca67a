// matmul2d: a rank-2 product whose forward and backward both stay on the fast (flag-free) matmul path of wasm.

import * as tf from "@tensorflow/tfjs-core";

/**
 * `a @ b` for 2-D tensors. Its gradient materialises the transposes with `tf.transpose` instead of passing
 * transpose flags to `matMul`: on tfjs-backend-wasm only flag-free rank-2 products reach XNNPACK (~40 GFLOP/s,
 * versus ~3 with a flag), and tfjs's own matMul gradient uses flags.
 *
 * @param a (M, K)
 * @param b (K, N)
 * @returns (M, N)
 * @example
 * const y = matmul2d(x, w); // (N, out)
 */
export const matmul2d: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [
          tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), // (M, K)
          tf.matMul(tf.transpose(sa), dy as tf.Tensor2D), // (K, N)
        ];
      }),
    };
  }) as never,
) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * A linear layer `x @ w + bias` with `w` stored as (in, out), the layout the fast path wants.
 *
 * @param x (N, in)
 * @param w (in, out)
 * @param bias (out), optional
 * @returns (N, out)
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const y = matmul2d(x, w); // (N, out)
    return bias === undefined ? y : tf.add(y, bias);
  });
}
