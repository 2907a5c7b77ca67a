// SPPO with hard win probabilities (Wu et al. 2024, eq. 4.7 with P = 1 for the winner).
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { logRatios, referenceRewards } from "./_shared.ts";

/** `(c − 1/(2β))² + (r + 1/(2β))²`. */
export const sppoHard: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta }) {
    const { chosen, rejected } = logRatios(terms);
    const half = 1 / (2 * beta);
    const losses = tf.add(tf.square(tf.sub(chosen, half)), tf.square(tf.add(rejected, half))) as tf.Tensor1D; // (B)
    return { losses, ...referenceRewards(terms, beta) };
  },
};
