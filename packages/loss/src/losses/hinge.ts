// The hinge loss of RSO / SLiC (Liu et al. 2023, Zhao et al. 2023).
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards } from "./_shared.ts";

/** `relu(1 − βΔ)`. */
export const hinge: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta }) {
    const losses = tf.relu(tf.sub(1, tf.mul(margin(terms), beta))) as tf.Tensor1D; // (B)
    return { losses, ...referenceRewards(terms, beta) };
  },
};
