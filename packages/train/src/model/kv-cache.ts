// KvCache: the keys and values of past tokens, per layer, so that each new token costs O(T), not a full forward.

import * as tf from "@tensorflow/tfjs-core";

/**
 * Past keys and values of a batch, grown by each `LlamaModel.forward(ids, { cache })`. Every row holds the same
 * number of cache slots (`length`); left padding occupies slots whose `keyValid` is 0. Owns its tensors:
 * call `dispose()` when done.
 *
 * @example
 * const cache = new KvCache(model.config.numLayers, 2);
 * model.forward(prompt, { cache, attentionMask }); model.forward(next, { cache }); cache.dispose();
 */
export class KvCache {
  readonly batch: number;
  readonly #keys: (tf.Tensor4D | null)[];
  readonly #values: (tf.Tensor4D | null)[];
  #keyValid: Uint8Array;
  #realTokens: number[];
  #length = 0;

  /**
   * @param numLayers one entry per decoder layer
   * @param batch rows B
   */
  constructor(numLayers: number, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`Cannot create KvCache: batch must be a positive integer, got ${batch}`);
    }
    this.batch = batch;
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

  /** Layer `i`'s past keys and values, each (B, nKv, length, hd), or null before the first forward. */
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
