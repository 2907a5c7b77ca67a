// log(1 − eˣ) for x ≤ 0, in the stable two-branch form.
import * as tf from "@tensorflow/tfjs-core";

const LN_HALF = -Math.LN2;

/**
 * `log1mexp(x) = log(1 − eˣ)` for `x ≤ 0` (Mächler 2012): `log(−expm1(x))` when `x > −ln 2`,
 * `log1p(−eˣ)` otherwise. Each branch is evaluated on an input clamped to its own side so that neither produces a
 * non-finite value that the other branch would have to mask, and the branch is picked with `step`, whose gradient
 * is zero, so the result is differentiable on every backend (`where` with a condition computed from a
 * differentiated tensor has no gradient on wasm). `x = 0` gives `−Infinity`; `x > 0` gives NaN. The wasm backend's
 * `log1p` is `log(1 + x)`, so there the far tail (x < −16) is exact to ~1e-7 absolute rather than relative,
 * which is far below what ORPO's log-odds (sums of O(1) terms) can notice.
 *
 * @param x log-probabilities, any shape
 * @returns a tensor of the same shape
 * @example
 * ```ts
 * log1mexp(tf.tensor1d([-1])).print(); // [-0.4586751] = log(1 − e⁻¹)
 * ```
 */
export function log1mexp<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const nearZero = tf.step(tf.sub(x, LN_HALF)); // 1 where x > −ln 2
    const small = tf.log(tf.neg(tf.expm1(tf.maximum(x, LN_HALF))));
    const large = tf.log1p(tf.neg(tf.exp(tf.minimum(x, LN_HALF))));
    return tf.add(tf.mul(nearZero, small), tf.mul(tf.sub(1, nearZero), large)) as T;
  });
}
