// NCA for pairs (Chen et al. 2024): absolute rewards, not only their margin.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { referenceRewards } from "./_shared.ts";

/** `−logσ(βc) − ½·logσ(−βc) − ½·logσ(−βr)`. */
export const ncaPair: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta }) {
    const rewards = referenceRewards(terms, beta);
    const { chosenRewards: zc, rejectedRewards: zr } = rewards; // (B), (B)
    const losses = tf.sub(
      tf.neg(logSigmoid(zc)),
      tf.mul(tf.add(logSigmoid(tf.neg(zc)), logSigmoid(tf.neg(zr))), 0.5),
    ) as tf.Tensor1D; // (B)
    return { losses, ...rewards };
  },
};
