// AOT, unpaired (Melnyk et al. 2024): chosen and rejected log-ratios sorted separately.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { logRatios, referenceRewards, smoothedLogistic } from "./_shared.ts";
import { sortAscending } from "./_sort.ts";

/** `δ = sort(c) − sort(r)` over the batch, then the label-smoothed logistic loss of `βδ`. */
export const aotUnpaired: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, labelSmoothing }) {
    const { chosen, rejected } = logRatios(terms);
    const z = tf.mul(tf.sub(sortAscending(chosen), sortAscending(rejected)), beta) as tf.Tensor1D; // (B)
    return { losses: smoothedLogistic(z, labelSmoothing), ...referenceRewards(terms, beta) };
  },
};
