// KvCache: the keys and values of past tokens, per layer, so that each new token costs O(T), not a full forward.

import * as tf from "@tensorflow/tfjs-core";

/** The part of the wasm backend that writes into a tensor's memory. */
interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * Past keys and values of a batch, grown by each `LlamaModel.forward(ids, { cache })`. Every row holds the same
 * number of cache slots (`length`); left padding occupies slots whose `keyValid` is 0. Owns its tensors:
 * call `dispose()` when done.
 *
 * Each layer's keys and values live in a buffer of `capacity` slots, allocated once (or grown by at least 1/8 when a
 * forward needs more), and new slots are written into it in place on wasm: a decoding step copies only its own
 * keys, not the whole cache. Attention reads the whole buffer; slots at or past `length` are never visible (they
 * lie after every query).
 *
 * @example
 * const cache = new KvCache(model.config.numLayers, 2, promptLength + maxNewTokens);
 * model.forward(prompt, { cache, attentionMask }); model.forward(next, { cache }); cache.dispose();
 */
export class KvCache {
  readonly batch: number;
  readonly #keys: (tf.Tensor4D | null)[];
  readonly #values: (tf.Tensor4D | null)[];
  #keyValid: Uint8Array;
  #realTokens: number[];
  #length = 0;
  #capacity: number;

  /**
   * @param numLayers one entry per decoder layer
   * @param batch rows B
   * @param capacity slots to allocate up front (prompt plus new tokens); default: what the first forward needs
   */
  constructor(numLayers: number, batch: number, capacity = 0) {
    if (!Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`Cannot create KvCache: batch must be a positive integer, got ${batch}`);
    }
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Cannot create KvCache: capacity must be a non-negative integer, got ${capacity}`);
    }
    this.batch = batch;
    this.#capacity = capacity;
    this.#keys = Array.from({ length: numLayers }, () => null);
    this.#values = Array.from({ length: numLayers }, () => null);
    this.#keyValid = new Uint8Array(0);
    this.#realTokens = Array.from({ length: batch }, () => 0);
  }

  /** Cache slots per row (past tokens including padding). */
  get length(): number {
    return this.#length;
  }

  /** (B, length) row-major: 1 for a real token's slot, 0 for padding. */
  get keyValid(): Uint8Array {
    return this.#keyValid;
  }

  /** Real (unpadded) tokens seen per row; the next real token of row b takes RoPE position realTokens[b]. */
  get realTokens(): readonly number[] {
    return this.#realTokens;
  }

  /** Slots allocated per row and layer (≥ `length`). */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Layer `i`'s key and value buffers, each (B, nKv, slots, hd) with slots ≥ `length` (slots from `length` on are
   * unused), or null before the first forward.
   */
  layer(i: number): { keys: tf.Tensor4D; values: tf.Tensor4D } | null {
    const keys = this.#keys[i];
    const values = this.#values[i];
    return keys === undefined || keys === null || values === undefined || values === null ? null : { keys, values };
  }

  /** Replaces layer `i`'s keys and values (kept out of any tidy; the old ones are disposed). */
  setLayer(i: number, keys: tf.Tensor4D, values: tf.Tensor4D): void {
    this.#keys[i]?.dispose();
    this.#values[i]?.dispose();
    this.#keys[i] = tf.keep(keys);
    this.#values[i] = tf.keep(values);
  }

  /**
   * Makes room for T more slots: the capacity grows to at least `length + T`, and by at least 1/8 (64 slots or more)
   * when it must grow at all, so that decoding without a capacity given copies the cache rarely.
   *
   * @returns the capacity (slots per row) the buffers will have
   */
  reserve(t: number): number {
    const need = this.#length + t;
    if (need > this.#capacity) {
      this.#capacity = this.#length === 0 ? need : Math.max(need, this.#capacity + Math.max(64, this.#capacity >> 3));
    }
    return this.#capacity;
  }

  /**
   * Writes T new keys and values of layer `i` at slots [length, length + T) (`append` advances `length` once all
   * layers are written), growing the buffers first when they are too small.
   *
   * @param keys (B, nKv, T, hd)
   * @param values (B, nKv, T, hd)
   * @returns layer i's buffers, (B, nKv, slots, hd)
   */
  write(i: number, keys: tf.Tensor4D, values: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const [b, heads, t, hd] = keys.shape;
    const need = this.#length + t;
    const cap = this.reserve(t);
    const grow = (old: tf.Tensor4D | null | undefined): tf.Tensor4D => {
      if (old !== null && old !== undefined && old.shape[2] === cap) return old;
      const fresh = tf.tidy(() =>
        old === null || old === undefined
          ? tf.zeros([b, heads, cap, hd])
          : tf.pad(tf.slice(old, [0, 0, 0, 0], [b, heads, this.#length, hd]), [[0, 0], [0, 0], [0, cap - this.#length], [0, 0]])
      ) as tf.Tensor4D; // (B, nKv, cap, hd)
      old?.dispose();
      return tf.keep(fresh);
    };
    const kBuf = grow(this.#keys[i]);
    const vBuf = grow(this.#values[i]);
    if (tf.getBackend() === "wasm") {
      writeSlots(kBuf, keys, this.#length);
      writeSlots(vBuf, values, this.#length);
      this.#keys[i] = kBuf;
      this.#values[i] = vBuf;
    } else {
      // Other backends have no writable view of a tensor's memory: rebuild the buffer around the new slots.
      const put = (buf: tf.Tensor4D, x: tf.Tensor4D) => {
        const out = tf.tidy(() => {
          const parts = [tf.slice(buf, [0, 0, 0, 0], [b, heads, this.#length, hd]), x];
          if (cap > need) parts.push(tf.slice(buf, [0, 0, need, 0], [b, heads, cap - need, hd]));
          return tf.concat(parts, 2) as tf.Tensor4D; // (B, nKv, cap, hd)
        });
        buf.dispose();
        return tf.keep(out);
      };
      this.#keys[i] = put(kBuf, keys);
      this.#values[i] = put(vBuf, values);
    }
    return { keys: this.#keys[i]!, values: this.#values[i]! };
  }

  /** Records T new slots per row: `mask` (B, T) row-major, 1 for real tokens. Called once per forward. */
  append(mask: Uint8Array, t: number): void {
    const old = this.#length;
    const next = new Uint8Array(this.batch * (old + t));
    for (let b = 0; b < this.batch; b++) {
      next.set(this.#keyValid.subarray(b * old, (b + 1) * old), b * (old + t));
      const row = mask.subarray(b * t, (b + 1) * t);
      next.set(row, b * (old + t) + old);
      let real = 0;
      for (let i = 0; i < t; i++) real += row[i]!;
      this.#realTokens[b]! += real;
    }
    this.#keyValid = next;
    this.#length = old + t;
  }

  /** Frees every cached tensor. */
  dispose(): void {
    for (let i = 0; i < this.#keys.length; i++) {
      this.#keys[i]?.dispose();
      this.#values[i]?.dispose();
      this.#keys[i] = null;
      this.#values[i] = null;
    }
  }
}

/** Copies x (B, nKv, T, hd) into buf (B, nKv, slots, hd) at slot `at`, in the wasm heap (the buffer changes in place). */
function writeSlots(buf: tf.Tensor4D, x: tf.Tensor4D, at: number): void {
  const backend = tf.backend() as unknown as HeapBackend;
  const [b, heads, t, hd] = x.shape;
  const slots = buf.shape[2];
  const src = backend.typedArrayFromHeap(x as unknown as tf.TensorInfo);
  const dst = backend.typedArrayFromHeap(buf as unknown as tf.TensorInfo);
  const run = t * hd;
  for (let r = 0; r < b * heads; r++) dst.set(src.subarray(r * run, (r + 1) * run), (r * slots + at) * hd);
}
