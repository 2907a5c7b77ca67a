// CPO's preference term (Xu et al. 2024): DPO without a reference model; the caller adds the NLL.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { smoothedLogistic } from "./_shared.ts";

/** `−(1−ε)·logσ(β(π_c − π_r)) − ε·logσ(−β(π_c − π_r))` on summed log-probs; rewards `βπ_c`, `βπ_r`. */
export const cpo: PreferenceLossDefinition = {
  needs: { reference: false, tokenCounts: false },
  compute(terms, { beta, labelSmoothing }) {
    const z = tf.mul(tf.sub(terms.policyChosenLogps, terms.policyRejectedLogps), beta) as tf.Tensor1D; // (B)
    return {
      losses: smoothedLogistic(z, labelSmoothing),
      chosenRewards: tf.mul(terms.policyChosenLogps, beta) as tf.Tensor1D, // (B)
      rejectedRewards: tf.mul(terms.policyRejectedLogps, beta) as tf.Tensor1D, // (B)
    };
  },
};
