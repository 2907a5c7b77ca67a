// SimPO (Meng et al. 2024): reference-free, token-averaged, with a target margin γ.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { smoothedLogistic } from "./_shared.ts";

/** `−(1−ε)·logσ(β(π̄_c − π̄_r) − γ) − ε·logσ(−(β(π̄_c − π̄_r) − γ))`; rewards `βπ̄_c`, `βπ̄_r`. */
export const simpo: PreferenceLossDefinition = {
  needs: { reference: false, tokenCounts: true },
  compute(terms, { beta, gamma, labelSmoothing }) {
    const chosenRewards = tf.mul(tf.div(terms.policyChosenLogps, terms.chosenTokens), beta) as tf.Tensor1D; // (B)
    const rejectedRewards = tf.mul(tf.div(terms.policyRejectedLogps, terms.rejectedTokens), beta) as tf.Tensor1D; // (B)
    const z = tf.sub(tf.sub(chosenRewards, rejectedRewards), gamma) as tf.Tensor1D; // (B)
    return { losses: smoothedLogistic(z, labelSmoothing), chosenRewards, rejectedRewards };
  },
};
