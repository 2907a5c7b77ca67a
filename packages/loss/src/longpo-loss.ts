// LongPO's objective (eq. 14): NLL on the chosen long sequence plus λ times DPO with a short-context reference.
import * as tf from "@tensorflow/tfjs-core";
import { preferenceLoss } from "./preference-loss.ts";

/** `(B)` log-probs, summed over response tokens (and over turns for multi-turn data), plus the NLL scalar. */
export interface LongpoLossInputs {
  /** log π_θ(y_S | x_L): the policy on the long input, chosen (short-context) response. */
  policyChosenLogps: tf.Tensor1D;
  /** log π_θ(y_L | x_L): the policy on the long input, rejected (long-context) response. */
  policyRejectedLogps: tf.Tensor1D;
  /** log π_S(y_S | x_S): the frozen short model on the short chunk, chosen response. */
  refChosenLogps: tf.Tensor1D;
  /** log π_S(y_L | x_S): the frozen short model on the short chunk, rejected response. */
  refRejectedLogps: tf.Tensor1D;
  /** Mean token cross-entropy of the policy on `[x_L ; y_S]`, a scalar (see `nllLoss`). */
  nll: tf.Scalar;
}

/** LongPO's two hyper-parameters (the paper: β = 0.1, λ = 0.01; the released scripts use β = 0.01). */
export interface LongpoLossOptions {
  /** β > 0: strength of the short-to-long pull toward the reference. */
  beta: number;
  /** λ ≥ 0: weight of the preference term against the NLL. */
  lambda: number;
}

/** The LongPO objective and its parts. */
export type LongpoLossOutput = {
  /** `nll + λ·mean(preference)`, a scalar to minimise. */
  loss: tf.Scalar;
  /** Per-pair `−logσ(βΔ)`, `(B)`. */
  preference: tf.Tensor1D;
  /** The NLL term as given (a copy the caller owns). */
  nll: tf.Scalar;
  /** `β(π_c − ref_c)`, `(B)`. */
  chosenRewards: tf.Tensor1D;
  /** `β(π_r − ref_r)`, `(B)`. */
  rejectedRewards: tf.Tensor1D;
};

/**
 * `L = L_NLL + λ·mean(−logσ(βΔ))` with `Δ = (π_c − π_r) − (ref_c − ref_r)` (LongPO eq. 14). The short-to-long
 * constraint is not a separate term: it is the reference seeing the short chunk `x_S` while the policy sees `x_L`.
 *
 * @param inputs `(B)` log-probs and the NLL scalar
 * @param options `{ beta, lambda }`
 * @returns `{ loss, preference: (B), nll, chosenRewards: (B), rejectedRewards: (B) }`
 * @throws {TypeError} when an input is missing or not a float32 tensor of the right rank
 * @throws {RangeError} when batch sizes differ or β, λ are out of range
 * @example
 * ```ts
 * const out = longpoLoss({
 *   policyChosenLogps: tf.tensor1d([-10]), policyRejectedLogps: tf.tensor1d([-12]),
 *   refChosenLogps: tf.tensor1d([-11]), refRejectedLogps: tf.tensor1d([-11]), nll: tf.scalar(2),
 * }, { beta: 0.5, lambda: 0.01 });
 * out.loss.print(); // 2 + 0.01·log(1 + e⁻¹) = 2.0031326
 * ```
 */
export function longpoLoss(inputs: LongpoLossInputs, options: LongpoLossOptions): LongpoLossOutput {
  const { beta, lambda } = options;
  if (typeof lambda !== "number" || !(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new RangeError(`Cannot compute LongPO loss: lambda must be a finite number ≥ 0, got ${String(lambda)}`);
  }
  for (const name of ["refChosenLogps", "refRejectedLogps"] as const) {
    if (inputs[name] === undefined) throw new TypeError(`Cannot compute LongPO loss: ${name} must be given, got none`);
  }
  const { nll } = inputs;
  if (!(nll instanceof tf.Tensor) || nll.rank !== 0 || nll.dtype !== "float32") {
    const got = nll instanceof tf.Tensor ? `${nll.dtype} tensor of shape (${nll.shape.join(", ")})` : typeof nll;
    throw new TypeError(`Cannot compute LongPO loss: nll must be a float32 scalar tensor, got ${got}`);
  }
  return tf.tidy(() => {
    const { losses, chosenRewards, rejectedRewards } = preferenceLoss(inputs, { type: "sigmoid", beta });
    return {
      loss: tf.add(nll, tf.mul(tf.mean(losses), lambda)) as tf.Scalar, // LongPO eq. 14
      preference: losses,
      nll: tf.clone(nll),
      chosenRewards,
      rejectedRewards,
    };
  });
}
