// logσ(x) built from ops whose gradients work on every backend.
import * as tf from "@tensorflow/tfjs-core";

/**
 * Log-sigmoid, `logσ(x) = −softplus(−x)`: finite for every finite `x` (−1e4 gives −1e4, 1e4 gives 0).
 *
 * `tf.logSigmoid` is avoided on purpose: its custom gradient closes over its input without saving it and crashes
 * on the wasm backend when that input is an intermediate tensor.
 *
 * @param x any float tensor
 * @returns a tensor of the same shape
 * @example
 * ```ts
 * logSigmoid(tf.tensor1d([0])).print(); // [-0.6931472]
 * ```
 */
export function logSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}
