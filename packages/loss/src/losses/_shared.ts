// Pieces shared by several preference losses.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossTerms } from "../preference-loss-definition.ts";

/** Log-ratios against the reference: `c = π_c − ref_c`, `r = π_r − ref_r`, both `(B)`. */
export function logRatios(terms: PreferenceLossTerms): { chosen: tf.Tensor1D; rejected: tf.Tensor1D } {
  return {
    chosen: tf.sub(terms.policyChosenLogps, terms.refChosenLogps), // (B)
    rejected: tf.sub(terms.policyRejectedLogps, terms.refRejectedLogps), // (B)
  };
}

/** `Δ = c − r`, the DPO margin, `(B)`. */
export function margin(terms: PreferenceLossTerms): tf.Tensor1D {
  const { chosen, rejected } = logRatios(terms);
  return tf.sub(chosen, rejected); // (B)
}

/** `Δ̄ = c/n_c − r/n_r`, the margin of token-averaged log-ratios, `(B)`. */
export function averagedMargin(terms: PreferenceLossTerms): tf.Tensor1D {
  const { chosen, rejected } = logRatios(terms);
  return tf.sub(tf.div(chosen, terms.chosenTokens), tf.div(rejected, terms.rejectedTokens)); // (B)
}

/** Rewards of the reference-based losses: `βc`, `βr`. */
export function referenceRewards(terms: PreferenceLossTerms, beta: number) {
  const { chosen, rejected } = logRatios(terms);
  return { chosenRewards: tf.mul(chosen, beta) as tf.Tensor1D, rejectedRewards: tf.mul(rejected, beta) as tf.Tensor1D };
}

/** Label-smoothed logistic loss `−(1−ε)·logσ(z) − ε·logσ(−z)` (conservative DPO when ε > 0). */
export function smoothedLogistic(z: tf.Tensor1D, labelSmoothing: number): tf.Tensor1D {
  const clean = tf.mul(logSigmoid(z), -(1 - labelSmoothing)); // (B)
  if (labelSmoothing === 0) return clean as tf.Tensor1D;
  return tf.sub(clean, tf.mul(logSigmoid(tf.neg(z)), labelSmoothing)) as tf.Tensor1D; // (B)
}
