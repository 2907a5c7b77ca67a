// ORPO's odds-ratio term (Hong et al. 2024); the caller adds the NLL of the chosen response.
import * as tf from "@tensorflow/tfjs-core";
import { log1mexp } from "../log1mexp.ts";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";

/**
 * `−β·logσ(log_odds)` with `log_odds = (π̄_c − π̄_r) − (log1mexp(π̄_c) − log1mexp(π̄_r))` on token-averaged
 * log-probs (which must be < 0); rewards `βπ̄_c`, `βπ̄_r`.
 */
export const orpo: PreferenceLossDefinition = {
  needs: { reference: false, tokenCounts: true },
  compute(terms, { beta }) {
    const chosen = tf.div(terms.policyChosenLogps, terms.chosenTokens); // (B) π̄_c
    const rejected = tf.div(terms.policyRejectedLogps, terms.rejectedTokens); // (B) π̄_r
    const logOdds = tf.sub(tf.sub(chosen, rejected), tf.sub(log1mexp(chosen), log1mexp(rejected))); // (B)
    return {
      losses: tf.mul(logSigmoid(logOdds), -beta) as tf.Tensor1D,
      chosenRewards: tf.mul(chosen, beta) as tf.Tensor1D, // (B)
      rejectedRewards: tf.mul(rejected, beta) as tf.Tensor1D, // (B)
    };
  },
};
