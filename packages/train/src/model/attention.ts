// Causal grouped-query attention computed in query blocks, as loops of rank-2 products (fast on wasm).

import * as tf from "@tensorflow/tfjs-core";
import { filledTensor } from "./wasm-kernels.ts";

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
  /** Key slots the key tensors hold (a preallocated cache's capacity, ≥ S); the slots past S are never seen. */
  keySlots?: number;
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
  const keys = mask.keySlots ?? mask.pastLength + mask.queryLength;
  const { kStart, kEnd } = allKeys ? { kStart: 0, kEnd: keys } : blockKeyRange(mask, t0, t1);
  const bias = new Float32Array((t1 - t0) * (kEnd - kStart));
  writeBlockBias(mask, b, t0, t1, kStart, kEnd, bias);
  return { kStart, kEnd, bias };
}

/** Writes the additive mask of queries [t0, t1) over keys [kStart, kEnd) of row b into `out`, row-major. */
function writeBlockBias(
  mask: AttentionMask,
  b: number,
  t0: number,
  t1: number,
  kStart: number,
  kEnd: number,
  out: Float32Array,
): void {
  const { pastLength, slidingWindow, keyValid } = mask;
  const keys = pastLength + mask.queryLength;
  const width = kEnd - kStart;
  const valid = keyValid.subarray(b * keys, (b + 1) * keys);
  for (let r = 0; r < t1 - t0; r++) {
    const i = pastLength + t0 + r; // this query's cache index
    const lo = slidingWindow === null ? 0 : i - slidingWindow + 1;
    const row = r * width;
    for (let j = kStart; j < kEnd; j++) {
      out[row + j - kStart] = j <= i && j >= lo && valid[j] === 1 ? 0 : MASKED;
    }
  }
}

/** The keys [kStart, kEnd) that queries [t0, t1) can see at all: none after the last query, none before the window. */
export function blockKeyRange(mask: AttentionMask, t0: number, t1: number): { kStart: number; kEnd: number } {
  const { pastLength, slidingWindow } = mask;
  return {
    kStart: slidingWindow === null ? 0 : Math.max(0, pastLength + t0 - slidingWindow + 1),
    kEnd: pastLength + t1,
  };
}

/**
 * `blockBias` as a tensor. On wasm the mask is written straight into the new tensor's memory (no (block · S) array
 * passes through JavaScript's heap, whose garbage would otherwise pile up on long sequences).
 *
 * @returns (t1 − t0, kEnd − kStart), 0 where allowed and −1e9 where masked
 */
export function blockBiasTensor(mask: AttentionMask, b: number, t0: number, t1: number): tf.Tensor2D {
  const { kStart, kEnd } = blockKeyRange(mask, t0, t1);
  const shape: [number, number] = [t1 - t0, kEnd - kStart];
  const fill = (out: Float32Array) => writeBlockBias(mask, b, t0, t1, kStart, kEnd, out);
  return (tf.getBackend() === "wasm" ? filledTensor(shape, fill) : tf.tensor2d(blockBias(mask, b, t0, t1).bias, shape));
}

/** Block masks are kept for the whole pass (shared by heads and layers) while they total at most this many floats. */
const MEMO_LIMIT = 1 << 23;

/**
 * Builds block masks and, when they are small (≤ 32 MiB in all), keeps them for the whole pass so that heads and
 * layers share them; larger ones are built per use, keeping attention memory O(block · S). `get` returns a
 * `release` to call when done with the tensor; call `dispose()` when the pass is done.
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

  get(b: number, t0: number, t1: number): { kStart: number; kEnd: number; bias: tf.Tensor2D; release(): void } {
    const { batch, queryLength, pastLength } = this.#mask;
    const key = `${b}:${t0}:${t1}`;
    const memo = batch * queryLength * (pastLength + queryLength) <= MEMO_LIMIT;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (!memo) {
        const bias = tf.keep(blockBiasTensor(this.#mask, b, t0, t1));
        return { ...blockKeyRange(this.#mask, t0, t1), bias, release: () => bias.dispose() };
      }
      const { kStart, kEnd, bias } = blockBias(this.#mask, b, t0, t1);
      entry = { kStart, kEnd, bias: tf.keep(tf.tensor2d(bias, [t1 - t0, kEnd - kStart])) };
      this.#entries.set(key, entry);
    }
    return { ...entry, release: () => {} };
  }

  /** (B, T, S): the mask of every query over every key, for the batched path. */
  all(): tf.Tensor3D {
    if (this.#all === null) {
      const { batch, queryLength: t, pastLength } = this.#mask;
      const s = this.#mask.keySlots ?? pastLength + t;
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
 * Attention of one key/value head and its G query heads over one batch row, in query blocks:
 * softmax(q·kᵀ/√d + mask)·v. Rows of q are ordered (query, head-in-group). One custom-gradient op for all
 * blocks, so the backward pass leaves no per-block slices or paddings behind; it is written out with flag-free
 * rank-2 products that transpose only (·, hd)-sized operands: dP = dO·vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√d, dkᵀ = (q/√d)ᵀ·dS, dvᵀ = dOᵀ·P. With `recompute`, P is recomputed block by block in the
 * backward pass instead of kept, so memory stays O(block · S).
 *
 * @param q (T·G, hd)
 * @param k (S, hd)
 * @param v (S, hd)
 * @returns (T·G, hd)
 */
function headAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  b: number,
  masks: BlockBiasCache,
  groups: number,
  queryBlockSize: number,
  recompute: boolean,
): tf.Tensor2D {
  const mask = masks.mask;
  const t = mask.queryLength;
  const [s, hd] = k.shape;
  const scale = 1 / Math.sqrt(hd);
  const blocks: [number, number][] = [];
  for (let t0 = 0; t0 < t; t0 += queryBlockSize) blocks.push([t0, Math.min(t, t0 + queryBlockSize)]);
  const rows = (x: tf.Tensor2D, t0: number, t1: number) =>
    t1 - t0 === t ? x : tf.slice(x, [t0 * groups, 0], [(t1 - t0) * groups, hd]);
  const keys = (x: tf.Tensor2D, kStart: number, kEnd: number) =>
    kStart === 0 && kEnd === s ? x : tf.slice(x, [kStart, 0], [kEnd - kStart, hd]);
  const probabilities = (qb: tf.Tensor2D, kb: tf.Tensor2D, bias: tf.Tensor2D): tf.Tensor2D => {
    const [queries, width] = bias.shape;
    const scores = tf.matMul(tf.mul(qb, scale), tf.transpose(kb)); // (M, Sk)
    const masked = tf.add(tf.reshape(scores, [queries, groups, width]), tf.reshape(bias, [queries, 1, width]));
    return tf.softmax(tf.reshape(masked, [queries * groups, width])) as tf.Tensor2D; // (M, Sk)
  };
  const f = tf.customGrad(((qs: tf.Tensor2D, ks: tf.Tensor2D, vs: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const outs: tf.Tensor2D[] = [];
    const kept: tf.Tensor2D[] = [];
    for (const [t0, t1] of blocks) {
      const { kStart, kEnd, bias, release } = masks.get(b, t0, t1);
      const [o, p] = tf.tidy(() => {
        const pb = probabilities(rows(qs, t0, t1), keys(ks, kStart, kEnd), bias); // (M, Sk)
        return [tf.matMul(pb, keys(vs, kStart, kEnd)), pb]; // (M, hd), (M, Sk)
      });
      release();
      outs.push(o!);
      if (recompute) p!.dispose();
      else kept.push(p!);
    }
    save([qs, ks, vs, ...kept]);
    return {
      value: outs.length === 1 ? outs[0]! : tf.concat(outs, 0), // (T·G, hd)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sq, sk, sv] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // Summed over blocks; the first block's gradient starts the sum (no zeros tensor and add).
        let dk: tf.Tensor | null = null; // (S, hd)
        let dv: tf.Tensor | null = null; // (S, hd)
        const dqs: tf.Tensor2D[] = [];
        blocks.forEach(([t0, t1], i) => {
          const [dq, nextDk, nextDv] = tf.tidy(() => {
            const { kStart, kEnd } = blockKeyRange(mask, t0, t1);
            const qb = rows(sq, t0, t1); // (M, hd)
            const kb = keys(sk, kStart, kEnd); // (Sk, hd)
            const vb = keys(sv, kStart, kEnd); // (Sk, hd)
            const dO = rows(dy as tf.Tensor2D, t0, t1); // (M, hd)
            const p = recompute
              ? probabilities(qb, kb, blockBiasTensor(mask, b, t0, t1))
              : (saved[3 + i] as tf.Tensor2D); // (M, Sk)
            const dP = tf.matMul(dO, tf.transpose(vb)); // (M, Sk)
            const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor2D; // (M, Sk)
            const dkb = tf.transpose(tf.matMul(tf.transpose(tf.mul(qb, scale) as tf.Tensor2D), dS)); // (hd, Sk) → (Sk, hd)
            const dvb = tf.transpose(tf.matMul(tf.transpose(dO), p)); // (hd, Sk) → (Sk, hd)
            const around = (x: tf.Tensor) =>
              kStart === 0 && kEnd === s ? x : tf.pad(x, [[kStart, s - kEnd], [0, 0]]); // (S, hd)
            const sum = (acc: tf.Tensor | null, x: tf.Tensor) => (acc === null ? around(x) : tf.add(acc, around(x)));
            return [tf.mul(tf.matMul(dS, kb), scale), sum(dk, dkb), sum(dv, dvb)];
          });
          dk?.dispose();
          dv?.dispose();
          dk = nextDk!;
          dv = nextDv!;
          dqs.push(dq!);
        });
        return [dqs.length === 1 ? dqs[0]! : tf.concat(dqs, 0), dk ?? tf.zerosLike(sk), dv ?? tf.zerosLike(sv)];
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
    const outs = qRows.map((qi, i) =>
      headAttention(qi, kRows[i]!, vRows[i]!, Math.floor(i / numKvHeads), masks, groups, queryBlockSize, recompute)
    );
    return toOutput(tf.stack(outs));
  });
}
