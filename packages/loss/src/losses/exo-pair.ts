// EXO for pairs (Ji et al. 2024, eq. 16): KL from the model's pair distribution to a smoothed label.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards } from "./_shared.ts";

/** ε used when the caller leaves label smoothing at 0 (TRL's default for `exo_pair`). */
const DEFAULT_EPSILON = 1e-3;

/** `σ(βΔ)(logσ(βΔ) − log(1−ε)) + σ(−βΔ)(logσ(−βΔ) − log ε)`, ε = 1e-3 when 0. */
export const exoPair: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, labelSmoothing }) {
    const eps = labelSmoothing === 0 ? DEFAULT_EPSILON : labelSmoothing;
    const z = tf.mul(margin(terms), beta); // (B)
    const chosenPart = tf.mul(tf.sigmoid(z), tf.sub(logSigmoid(z), Math.log1p(-eps))); // (B)
    const rejectedPart = tf.mul(tf.sigmoid(tf.neg(z)), tf.sub(logSigmoid(tf.neg(z)), Math.log(eps))); // (B)
    return { losses: tf.add(chosenPart, rejectedPart) as tf.Tensor1D, ...referenceRewards(terms, beta) };
  },
};
