// NativeKvCache: the decode graph's keys and values in host memory, fixed capacity, written in place.

/** Masked attention scores, as the TF.js model: finite, so fully masked padding rows stay finite. */
const MASKED = -1e9;

/**
 * Per layer, keys stored transposed (B, nKv, hd, C) and values (B, nKv, C, hd), of which the first `length` slots
 * per row are filled; the decode graph reads them as inputs and returns only the new keys and values, which
 * `append` writes after the filled slots (growing the capacity by a quarter when full, never per token).
 */
export class NativeKvCache {
  readonly batch: number;
  readonly #layers: number;
  readonly #heads: number;
  readonly #hd: number;
  readonly #window: number | null;
  #capacity = 1; // one masked slot before the first tokens: no zero-sized tensors
  #length = 0;
  #keys: Float32Array[];
  #values: Float32Array[];
  #valid: Uint8Array; // (B, C)
  readonly realTokens: number[];

  constructor(batch: number, layers: number, kvHeads: number, headDim: number, slidingWindow: number | null) {
    this.batch = batch;
    this.#layers = layers;
    this.#heads = kvHeads;
    this.#hd = headDim;
    this.#window = slidingWindow;
    this.#keys = Array.from({ length: layers }, () => new Float32Array(batch * kvHeads * headDim));
    this.#values = Array.from({ length: layers }, () => new Float32Array(batch * kvHeads * headDim));
    this.#valid = new Uint8Array(batch);
    this.realTokens = new Array<number>(batch).fill(0);
  }

  get capacity(): number {
    return this.#capacity;
  }

  get length(): number {
    return this.#length;
  }

  /** Layer l's cache: keys (B, nKv, hd, C) and values (B, nKv, C, hd), row-major. */
  layer(l: number): { keys: Float32Array; values: Float32Array } {
    return { keys: this.#keys[l]!, values: this.#values[l]! };
  }

  /**
   * The additive mask (B, 1, T, C + T) for T new tokens: query q (cache index length + q) sees filled valid slots and
   * the new valid tokens up to itself, inside the sliding window.
   *
   * @param newValid (B·T) 1 for a real new token, 0 for padding
   */
  bias(newValid: Uint8Array, t: number): Float32Array {
    const c = this.#capacity;
    const s = c + t;
    const out = new Float32Array(this.batch * t * s).fill(MASKED);
    const w = this.#window ?? Number.POSITIVE_INFINITY;
    for (let b = 0; b < this.batch; b++) {
      for (let q = 0; q < t; q++) {
        const i = this.#length + q;
        const row = (b * t + q) * s;
        for (let j = Math.max(0, i - w + 1); j < this.#length; j++) if (this.#valid[b * c + j] === 1) out[row + j] = 0;
        for (let n = Math.max(0, q - w + 1); n <= q; n++) if (newValid[b * t + n] === 1) out[row + c + n] = 0;
      }
    }
    return out;
  }

  /**
   * Writes T new tokens' keys (B, nKv, hd, T) and values (B, nKv, T, hd) of every layer after the filled slots.
   *
   * @param newValid (B·T) 1 for a real new token
   */
  append(keys: readonly Float32Array[], values: readonly Float32Array[], newValid: Uint8Array, t: number): void {
    const need = this.#length + t;
    if (need > this.#capacity) this.#grow(need + Math.max(16, Math.ceil(need / 4)));
    const { batch, length } = this;
    const c = this.#capacity;
    const hd = this.#hd;
    const rows = batch * this.#heads;
    for (let l = 0; l < this.#layers; l++) {
      const k = this.#keys[l]!;
      const v = this.#values[l]!;
      const nk = keys[l]!;
      const nv = values[l]!;
      for (let r = 0; r < rows; r++) {
        for (let d = 0; d < hd; d++) k.set(nk.subarray((r * hd + d) * t, (r * hd + d + 1) * t), (r * hd + d) * c + length);
        v.set(nv.subarray(r * t * hd, (r + 1) * t * hd), (r * c + length) * hd);
      }
    }
    for (let b = 0; b < batch; b++) {
      this.#valid.set(newValid.subarray(b * t, (b + 1) * t), b * c + length);
      for (let i = 0; i < t; i++) this.realTokens[b]! += newValid[b * t + i]!;
    }
    this.#length = need;
  }

  #grow(capacity: number): void {
    const old = this.#capacity;
    const hd = this.#hd;
    const rows = this.batch * this.#heads;
    const len = this.#length;
    this.#keys = this.#keys.map((k) => {
      const next = new Float32Array(rows * hd * capacity);
      for (let i = 0; i < rows * hd; i++) next.set(k.subarray(i * old, i * old + len), i * capacity);
      return next;
    });
    this.#values = this.#values.map((v) => {
      const next = new Float32Array(rows * capacity * hd);
      for (let r = 0; r < rows; r++) next.set(v.subarray(r * old * hd, (r * old + len) * hd), r * capacity * hd);
      return next;
    });
    const valid = new Uint8Array(this.batch * capacity);
    for (let b = 0; b < this.batch; b++) valid.set(this.#valid.subarray(b * old, b * old + len), b * capacity);
    this.#valid = valid;
    this.#capacity = capacity;
  }
}
