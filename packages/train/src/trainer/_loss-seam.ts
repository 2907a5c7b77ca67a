// TEMPORARY local seam until @longpo/loss lands: the few loss functions the train step calls, written plainly.
// Replace every import of this file by "@longpo/loss" and delete it. Not exported, not the real package.
import * as tf from "@tensorflow/tfjs-core";

export function sequenceLogps(logits: tf.Tensor3D, labels: tf.Tensor2D, mask: tf.Tensor2D): { sum: tf.Tensor1D; count: tf.Tensor1D } {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const flat = tf.reshape(logits, [B * T, V]); // (B·T, V)
    const logp = tf.sub(flat, tf.logSumExp(flat, 1, true)); // (B·T, V)
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.reshape(labels, [B * T]), V)), 1); // (B·T)
    const sum = tf.sum(tf.mul(tf.reshape(picked, [B, T]), mask), 1) as tf.Tensor1D; // (B)
    return { sum, count: tf.sum(mask, 1) as tf.Tensor1D };
  });
}

const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x)));

export function preferenceLoss(
  i: { policyChosenLogps: tf.Tensor1D; policyRejectedLogps: tf.Tensor1D; refChosenLogps: tf.Tensor1D; refRejectedLogps: tf.Tensor1D },
  o: { type: string; beta: number },
): { losses: tf.Tensor1D } {
  return tf.tidy(() => {
    const z = tf.mul(tf.sub(tf.sub(i.policyChosenLogps, i.policyRejectedLogps), tf.sub(i.refChosenLogps, i.refRejectedLogps)), o.beta);
    return { losses: tf.neg(logSigmoid(z)) as tf.Tensor1D };
  });
}
