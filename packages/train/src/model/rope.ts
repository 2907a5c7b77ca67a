// Rotary position embedding (rotate-half layout, as Hugging Face Llama), with per-token positions.

import * as tf from "@tensorflow/tfjs-core";

/**
 * cos and sin tables for the given token positions: row i holds angle(positions[i], j) = pos·invFreq[j mod d/2]
 * for j < d (the two halves repeat), times `attentionScaling` (YaRN's temperature; 1 otherwise).
 *
 * @param invFreq (d/2) inverse frequencies from `ropeFrequencies`
 * @param positions one position per token (N)
 * @param attentionScaling multiplies cos and sin
 * @returns cos and sin, each (N, d) row-major
 */
export function ropeTables(
  invFreq: Float32Array,
  positions: ArrayLike<number>,
  attentionScaling: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const d = 2 * half;
  const cos = new Float32Array(positions.length * d);
  const sin = new Float32Array(positions.length * d);
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i]!;
    for (let j = 0; j < half; j++) {
      // float32 angle, as PyTorch computes inv_freq · position in float32
      const angle = Math.fround(pos * invFreq[j]!);
      const c = Math.cos(angle) * attentionScaling;
      const s = Math.sin(angle) * attentionScaling;
      cos[i * d + j] = c;
      cos[i * d + j + half] = c;
      sin[i * d + j] = s;
      sin[i * d + j + half] = s;
    }
  }
  return { cos, sin };
}

/**
 * Applies RoPE to every head: `x·cos + rotateHalf(x)·sin`, where rotateHalf([a, b]) = [−b, a] per head.
 * The half swap is a `reverse` over a (2, d/2) view, and the sign lives in `sin` (see `signedSin`).
 *
 * @param x (N, numHeads·d)
 * @param cos (N, 1, d)
 * @param sinSigned (N, 1, d) from `signedSin`: the first half negated
 * @param numHeads heads packed in x's last axis
 * @returns (N, numHeads·d)
 * @example
 * const q2 = applyRope(q, cos, signedSin(sin), numHeads);
 */
export function applyRope(x: tf.Tensor2D, cos: tf.Tensor3D, sinSigned: tf.Tensor3D, numHeads: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const d = cos.shape[2];
    const xh = tf.reshape(x, [n, numHeads, d]); // (N, nH, d)
    const swapped = tf.reshape(tf.reverse(tf.reshape(x, [n, numHeads, 2, d / 2]), 2), [n, numHeads, d]); // [b, a]
    const out = tf.add(tf.mul(xh, cos), tf.mul(swapped, sinSigned)); // (N, nH, d)
    return tf.reshape(out, [n, numHeads * d]);
  });
}

/** sin with its first half negated, so that swap(x)·signedSin = rotateHalf(x)·sin. */
export function signedSin(sin: Float32Array, d: number): Float32Array {
  const out = new Float32Array(sin);
  for (let i = 0; i < out.length; i += d) {
    for (let j = 0; j < d / 2; j++) out[i + j] = -out[i + j]!;
  }
  return out;
}
