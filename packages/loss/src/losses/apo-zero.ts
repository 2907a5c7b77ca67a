// APO-zero (D'Oosterlinck et al. 2024, eq. 7): when the chosen answers beat the model's own.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { referenceRewards } from "./_shared.ts";

/** `1 − σ(βc) + σ(βr)`. */
export const apoZero: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta }) {
    const rewards = referenceRewards(terms, beta);
    const losses = tf.add(tf.sub(1, tf.sigmoid(rewards.chosenRewards)), tf.sigmoid(rewards.rejectedRewards)) as tf.Tensor1D; // (B)
    return { losses, ...rewards };
  },
};
