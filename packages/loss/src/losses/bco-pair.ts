// BCO for pairs (Jung et al. 2024): each reward classified against a running mean δ.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { referenceRewards } from "./_shared.ts";

/** `−logσ(βc − δ) − logσ(−(βr − δ))`; δ comes from the caller (a running mean of rewards), 0 by default. */
export const bcoPair: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, delta }) {
    const rewards = referenceRewards(terms, beta);
    const chosenTerm = logSigmoid(tf.sub(rewards.chosenRewards, delta)); // (B)
    const rejectedTerm = logSigmoid(tf.neg(tf.sub(rewards.rejectedRewards, delta))); // (B)
    return { losses: tf.neg(tf.add(chosenTerm, rejectedTerm)) as tf.Tensor1D, ...rewards };
  },
};
