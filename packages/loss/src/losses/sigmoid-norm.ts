// Length-normalised DPO: the logistic loss on token-averaged log-ratios.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { averagedMargin, referenceRewards, smoothedLogistic } from "./_shared.ts";

/** `−logσ(βΔ̄)` with `Δ̄ = c/n_c − r/n_r`. */
export const sigmoidNorm: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: true },
  compute(terms, { beta }) {
    const z = tf.mul(averagedMargin(terms), beta) as tf.Tensor1D; // (B)
    return { losses: smoothedLogistic(z, 0), ...referenceRewards(terms, beta) };
  },
};
