// Ascending sort of a (B) vector with a gradient on every backend (TopK has no registered gradient).
import * as tf from "@tensorflow/tfjs-core";

/** Sorts `x` ascending; the gradient routes each sorted slot's upstream gradient back to its source element. */
export function sortAscending(x: tf.Tensor1D): tf.Tensor1D {
  const n = x.shape[0];
  const sorted = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [v, save] = args as [tf.Tensor1D, tf.GradSaveFunc];
    const { values, indices } = tf.topk(tf.neg(v), n); // (B) descending of −v, (B) int32
    save([indices]);
    return {
      value: tf.neg(values), // (B) ascending
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // permutation[k, i] = 1 when sorted slot k came from element i, so dx = permutationᵀ · dy.
        const permutation = tf.cast(tf.oneHot(saved[0] as tf.Tensor1D, n), "float32"); // (B, B)
        return tf.reshape(tf.matMul(tf.transpose(permutation), tf.reshape(dy, [n, 1])), [n]); // (B)
      },
    };
  });
  return sorted(x) as tf.Tensor1D;
}
