// APO-down (D'Oosterlinck et al. 2024, eq. 8): when the chosen answers are worse than the model's own.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards } from "./_shared.ts";

/** `σ(βc) + 1 − σ(βΔ)`. */
export const apoDown: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta }) {
    const rewards = referenceRewards(terms, beta);
    const losses = tf.add(tf.sigmoid(rewards.chosenRewards), tf.sub(1, tf.sigmoid(tf.mul(margin(terms), beta)))) as tf.Tensor1D; // (B)
    return { losses, ...rewards };
  },
};
