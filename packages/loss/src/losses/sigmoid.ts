// DPO's logistic loss (Rafailov et al. 2023); with ε > 0, conservative DPO.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards, smoothedLogistic } from "./_shared.ts";

/** `−(1−ε)·logσ(βΔ) − ε·logσ(−βΔ)`. */
export const sigmoid: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, labelSmoothing }) {
    const z = tf.mul(margin(terms), beta) as tf.Tensor1D; // (B)
    return { losses: smoothedLogistic(z, labelSmoothing), ...referenceRewards(terms, beta) };
  },
};
