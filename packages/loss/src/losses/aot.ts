// AOT, paired (Melnyk et al. 2024): distributional dominance through sorted log-ratio margins.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { referenceRewards, smoothedLogistic } from "./_shared.ts";
import { sortAscending } from "./_sort.ts";

/**
 * `δ = sort(π_c − π_r) − sort(ref_c − ref_r)` over the batch, then the label-smoothed logistic loss of `βδ`.
 * Losses belong to sorted slots, not to the input pairs.
 */
export const aot: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, labelSmoothing }) {
    const policy = sortAscending(tf.sub(terms.policyChosenLogps, terms.policyRejectedLogps)); // (B)
    const reference = sortAscending(tf.sub(terms.refChosenLogps, terms.refRejectedLogps)); // (B)
    const z = tf.mul(tf.sub(policy, reference), beta) as tf.Tensor1D; // (B)
    return { losses: smoothedLogistic(z, labelSmoothing), ...referenceRewards(terms, beta) };
  },
};
