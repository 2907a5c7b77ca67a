// Robust DPO (Chowdhury et al. 2024): unbiased under a known rate ε of flipped labels.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards } from "./_shared.ts";

/** `(−(1−ε)·logσ(βΔ) + ε·logσ(−βΔ)) / (1−2ε)`. */
export const robust: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, labelSmoothing: eps }) {
    const z = tf.mul(margin(terms), beta); // (B)
    const clean = tf.mul(logSigmoid(z), -(1 - eps)); // (B)
    const flipped = tf.mul(logSigmoid(tf.neg(z)), eps); // (B)
    const losses = tf.div(tf.add(clean, flipped), 1 - 2 * eps) as tf.Tensor1D; // (B)
    return { losses, ...referenceRewards(terms, beta) };
  },
};
