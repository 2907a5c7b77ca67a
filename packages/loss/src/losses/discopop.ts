// DiscoPOP (Chris Lu et al. 2024, eq. 5): a log-ratio-modulated blend of logistic and exponential losses.
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "../log-sigmoid.ts";
import type { PreferenceLossDefinition } from "../preference-loss-definition.ts";
import { margin, referenceRewards } from "./_shared.ts";

/**
 * `−logσ(z)·(1 − m) + e^(−z)·m` with `z = βΔ`, `m = σ(z/τ)`. The exponential term is evaluated as
 * `exp(−z + logσ(z/τ))`, which stays finite where `e^(−z)` alone overflows (z = −1e4 with τ < 1).
 */
export const discopop: PreferenceLossDefinition = {
  needs: { reference: true, tokenCounts: false },
  compute(terms, { beta, tau }) {
    const z = tf.mul(margin(terms), beta); // (B)
    const logistic = tf.mul(tf.neg(logSigmoid(z)), tf.sigmoid(tf.div(tf.neg(z), tau))); // (B) −logσ(z)·(1 − m)
    const exponential = tf.exp(tf.add(tf.neg(z), logSigmoid(tf.div(z, tau)))); // (B) e^(−z)·m
    return { losses: tf.add(logistic, exponential) as tf.Tensor1D, ...referenceRewards(terms, beta) };
  },
};
