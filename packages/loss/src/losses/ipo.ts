// IPO (Azar et al. 2023, eq. 17) on token-averaged log-ratios, as TRL computes it.
import * as tf from "@tensorflow/tfjs-core";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { averagedMargin, referenceRewards } from "./_shared.ts";

/** `(Δ̄ − 1/(2β))²` with `Δ̄ = c/n_c − r/n_r`. */
export const ipo: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: true },
  compute(terms, { beta }) {
    const losses = tf.square(tf.sub(averagedMargin(terms), 1 / (2 * beta))) as tf.Tensor1D; // (B)
    return { losses, ...referenceRewards(terms, beta) };
  },
};
