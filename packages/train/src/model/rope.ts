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

/** R (d, d) with x·R = rotateHalf(x) = [−x₂, x₁] for x = [x₁, x₂]. */
function rotateHalfMatrix(d: number): tf.Tensor2D {
  const r = new Float32Array(d * d);
  for (let i = 0; i < d / 2; i++) {
    r[(i + d / 2) * d + i] = -1; // out[i] = −x[i + d/2]
    r[i * d + i + d / 2] = 1; // out[i + d/2] = x[i]
  }
  return tf.tensor2d(r, [d, d]);
}

/**
 * Applies RoPE to every head: `x·cos + rotateHalf(x)·sin`. rotateHalf is a product with a constant (d, d) matrix R
 * (a flag-free rank-2 matmul; wasm's `Reverse` and strided slices are slow), and since Rᵀ = −R the gradient is
 * dx = dy·cos − (dy·sin)·R.
 *
 * @param x (N, numHeads·d)
 * @param cos (N, 1, d)
 * @param sin (N, 1, d)
 * @param numHeads heads packed in x's last axis
 * @returns (N, numHeads·d)
 * @example
 * const q2 = applyRope(q, cos, sin, numHeads);
 */
export function applyRope(x: tf.Tensor2D, cos: tf.Tensor3D, sin: tf.Tensor3D, numHeads: number): tf.Tensor2D {
  const n = x.shape[0];
  const d = cos.shape[2];
  const rotate = (t: tf.Tensor, r: tf.Tensor2D) =>
    tf.reshape(tf.matMul(tf.reshape(t, [n * numHeads, d]) as tf.Tensor2D, r), [n, numHeads, d]); // (N, nH, d)
  const f = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = rotateHalfMatrix(d);
    save([r, cos, sin]);
    const xh = tf.reshape(xs, [n, numHeads, d]); // (N, nH, d)
    return {
      value: tf.reshape(tf.add(tf.mul(xh, cos), tf.mul(rotate(xh, r), sin)), [n, numHeads * d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sr, sc, ss] = saved as [tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
        const g = tf.reshape(dy, [n, numHeads, d]); // (N, nH, d)
        return tf.reshape(tf.sub(tf.mul(g, sc), rotate(tf.mul(g, ss), sr)), [n, numHeads * d]);
      }),
    };
  }) as never);
  return f(x) as tf.Tensor2D;
}
