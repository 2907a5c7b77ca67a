// Causal grouped-query attention computed in query blocks, as loops of rank-2 products (fast on wasm).

import * as tf from "@tensorflow/tfjs-core";

/** Which keys each query may see: causal order, left padding and Mistral's sliding window. */
export interface AttentionMask {
  /** Batch size B. */
  batch: number;
  /** New (query) tokens per row, T. */
  queryLength: number;
  /** Keys already in the cache before these queries; keys number S = pastLength + T. */
  pastLength: number;
  /** (B, S) row-major, 1 where the key is a real token, 0 for padding. */
  keyValid: Uint8Array;
  /** A query at cache index i sees keys j with i − j < slidingWindow; null sees all earlier keys. */
  slidingWindow: number | null;
}

/** A large finite negative: masked scores vanish in softmax; fully masked (padding) rows stay finite. */
const MASKED = -1e9;

/** The key range [kStart, kEnd) that queries [t0, t1) of a row can see, and the additive mask over it. */
export interface BlockBias {
  kStart: number;
  kEnd: number;
  /** (t1 − t0, kEnd − kStart): 0 where allowed, −1e9 where masked. */
  bias: Float32Array;
}

/**
 * The additive mask for queries [t0, t1) of batch row `b`. Keys after the block's last query are left out
 * entirely (causal), as are keys before the sliding window of its first query.
 */
export function blockBias(mask: AttentionMask, b: number, t0: number, t1: number, allKeys = false): BlockBias {
  const { pastLength, slidingWindow, keyValid } = mask;
  const keys = pastLength + mask.queryLength;
  const kEnd = allKeys ? keys : pastLength + t1;
  const kStart = slidingWindow === null || allKeys ? 0 : Math.max(0, pastLength + t0 - slidingWindow + 1);
  const width = kEnd - kStart;
  const bias = new Float32Array((t1 - t0) * width);
  const valid = keyValid.subarray(b * keys, (b + 1) * keys);
  for (let r = 0; r < t1 - t0; r++) {
    const i = pastLength + t0 + r; // this query's cache index
    const lo = slidingWindow === null ? 0 : i - slidingWindow + 1;
    const row = r * width;
    for (let j = kStart; j < kEnd; j++) {
      bias[row + j - kStart] = j <= i && j >= lo && valid[j] === 1 ? 0 : MASKED;
    }
  }
  return { kStart, kEnd, bias };
}

/**
 * Builds block masks once per forward pass and shares them across heads and layers. The tensors are kept out
 * of any enclosing `tf.tidy`; call `dispose()` when the pass is done (saved copies live on in the backward pass).
 */
export class BlockBiasCache {
  readonly #mask: AttentionMask;
  readonly #entries = new Map<string, { kStart: number; kEnd: number; bias: tf.Tensor2D }>();
  #all: tf.Tensor3D | null = null;

  constructor(mask: AttentionMask) {
    this.#mask = mask;
  }

  get mask(): AttentionMask {
    return this.#mask;
  }

  get(b: number, t0: number, t1: number): { kStart: number; kEnd: number; bias: tf.Tensor2D } {
    const key = `${b}:${t0}:${t1}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const { kStart, kEnd, bias } = blockBias(this.#mask, b, t0, t1);
      entry = { kStart, kEnd, bias: tf.keep(tf.tensor2d(bias, [t1 - t0, kEnd - kStart])) };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** (B, T, S): the mask of every query over every key, for the batched path. */
  all(): tf.Tensor3D {
    if (this.#all === null) {
      const { batch, queryLength: t, pastLength } = this.#mask;
      const s = pastLength + t;
      const data = new Float32Array(batch * t * s);
      for (let b = 0; b < batch; b++) data.set(blockBias(this.#mask, b, 0, t, true).bias, b * t * s);
      this.#all = tf.keep(tf.tensor3d(data, [batch, t, s]));
    }
    return this.#all;
  }

  dispose(): void {
    for (const e of this.#entries.values()) e.bias.dispose();
    this.#entries.clear();
    this.#all?.dispose();
    this.#all = null;
  }
}

/** Up to this many new queries per row, attention runs as one batched product (the decoding path). */
const BATCHED_MAX_QUERIES = 4;

/** Shape facts of one attention call. */
export interface AttentionShape {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Queries per block; peak memory of the scores is O(blockSize · S) per head group. */
  queryBlockSize: number;
  /** Recompute the probabilities in the backward pass instead of keeping them (O(block·S) training memory). */
  recompute: boolean;
}

/**
 * softmax(q·kᵀ/√d + bias)·v for one block of queries of one key/value head and its G query heads.
 * Rows of q are ordered (query, head-in-group). The backward pass is written out with flag-free rank-2 products,
 * and transposes only (·, hd)-sized operands: dP = dO·vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS·k/√d,
 * dkᵀ = (q/√d)ᵀ·dS, dvᵀ = dOᵀ·P.
 */
function attentionBlock(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  bias: tf.Tensor2D,
  groups: number,
  recompute: boolean,
): tf.Tensor2D {
  const scale = 1 / Math.sqrt(q.shape[1]);
  const probabilities = (qq: tf.Tensor2D, kk: tf.Tensor2D, bb: tf.Tensor2D): tf.Tensor2D => {
    const [queries, width] = bb.shape;
    const scores = tf.matMul(tf.mul(qq, scale), tf.transpose(kk)); // (M, Sk)
    const masked = tf.add(tf.reshape(scores, [queries, groups, width]), tf.reshape(bb, [queries, 1, width]));
    return tf.softmax(tf.reshape(masked, [queries * groups, width])) as tf.Tensor2D; // (M, Sk)
  };
  const f = tf.customGrad(((qs: tf.Tensor, ks: tf.Tensor, vs: tf.Tensor, save: tf.GradSaveFunc) => {
    const p = probabilities(qs as tf.Tensor2D, ks as tf.Tensor2D, bias);
    save(recompute ? [qs, ks, vs, bias] : [qs, ks, vs, bias, p]);
    return {
      value: tf.matMul(p, vs as tf.Tensor2D), // (M, hd)
      // tidy: tfjs keeps a gradFunc's temporaries until the whole backward pass ends otherwise.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sq, sk, sv, sb] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const sp = saved[4] as tf.Tensor2D | undefined ?? probabilities(sq, sk, sb); // (M, Sk)
        const dO = dy as tf.Tensor2D; // (M, hd)
        const dP = tf.matMul(dO, tf.transpose(sv)); // (M, Sk)
        const dS = tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))); // (M, Sk)
        const dq = tf.mul(tf.matMul(dS, sk), scale); // (M, hd)
        const dk = tf.transpose(tf.matMul(tf.transpose(tf.mul(sq, scale)), dS)); // (hd, Sk) → (Sk, hd)
        const dv = tf.transpose(tf.matMul(tf.transpose(dO), sp)); // (hd, Sk) → (Sk, hd)
        return [dq, dk, dv];
      }),
    };
  }) as never);
  return f(q, k, v) as tf.Tensor2D;
}

/**
 * Causal grouped-query attention over queries q and keys/values k, v (cached keys first), in query blocks.
 *
 * @param q (B·T, numHeads·headDim), RoPE applied
 * @param k (B, numKvHeads, S, headDim), RoPE applied, S = pastLength + T
 * @param v (B, numKvHeads, S, headDim)
 * @param masks block masks for this pass
 * @param shape heads, head size, block size, recomputation
 * @returns (B·T, numHeads·headDim)
 */
export function attention(
  q: tf.Tensor2D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  masks: BlockBiasCache,
  shape: AttentionShape,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { numHeads, numKvHeads, headDim, queryBlockSize, recompute } = shape;
    const { batch, queryLength: t } = masks.mask;
    const s = k.shape[2];
    const groups = numHeads / numKvHeads;
    // (B, T, nKv, G, hd) → (B, nKv, T, G, hd): each (row, kv head) owns T·G contiguous query rows.
    const qHeads = tf.reshape(
      tf.transpose(tf.reshape(q, [batch, t, numKvHeads, groups, headDim]), [0, 2, 1, 3, 4]),
      [batch * numKvHeads, t * groups, headDim],
    ) as tf.Tensor3D;
    const toOutput = (o: tf.Tensor) =>
      tf.reshape(
        tf.transpose(tf.reshape(o, [batch, numKvHeads, t, groups, headDim]), [0, 2, 1, 3, 4]),
        [batch * t, numHeads * headDim],
      ) as tf.Tensor2D;
    if (t <= BATCHED_MAX_QUERIES) {
      // Decoding: a few queries against many keys. One batched product over all (row, kv head) pairs costs
      // fewer kernel calls than the loop; its slower rank-3 matmul hardly matters at these sizes.
      const k3 = tf.reshape(k, [batch * numKvHeads, s, headDim]);
      const v3 = tf.reshape(v, [batch * numKvHeads, s, headDim]);
      const scores = tf.matMul(tf.mul(qHeads, 1 / Math.sqrt(headDim)), k3, false, true); // (B·nKv, T·G, S)
      const masked = tf.add(
        tf.reshape(scores, [batch, numKvHeads, t, groups, s]),
        tf.reshape(masks.all(), [batch, 1, t, 1, s]),
      );
      const p = tf.softmax(tf.reshape(masked, [batch * numKvHeads, t * groups, s])); // (B·nKv, T·G, S)
      return toOutput(tf.matMul(p, v3)); // (B·T, nH·hd)
    }
    const qRows = tf.unstack(qHeads) as tf.Tensor2D[];
    const kRows = tf.unstack(tf.reshape(k, [batch * numKvHeads, s, headDim])) as tf.Tensor2D[];
    const vRows = tf.unstack(tf.reshape(v, [batch * numKvHeads, s, headDim])) as tf.Tensor2D[];
    const outs: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < numKvHeads; h++) {
        const i = b * numKvHeads + h;
        const qi = qRows[i]!;
        const ki = kRows[i]!;
        const vi = vRows[i]!;
        const blocks: tf.Tensor2D[] = [];
        for (let t0 = 0; t0 < t; t0 += queryBlockSize) {
          const t1 = Math.min(t, t0 + queryBlockSize);
          const { kStart, kEnd, bias } = masks.get(b, t0, t1);
          const qb = t1 - t0 === t ? qi : tf.slice(qi, [t0 * groups, 0], [(t1 - t0) * groups, headDim]);
          const whole = kStart === 0 && kEnd === s;
          const kb = whole ? ki : tf.slice(ki, [kStart, 0], [kEnd - kStart, headDim]);
          const vb = whole ? vi : tf.slice(vi, [kStart, 0], [kEnd - kStart, headDim]);
          blocks.push(attentionBlock(qb, kb, vb, bias, groups, recompute));
        }
        outs.push(blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 0));
      }
    }
    return toOutput(tf.stack(outs));
  });
}
