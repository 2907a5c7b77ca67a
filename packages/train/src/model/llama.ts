// LlamaModel: a Llama / Mistral / Qwen2 causal LM on TF.js, laid out for the fast paths of the wasm backend.

import * as tf from "@tensorflow/tfjs-core";
import { attention, BlockBiasCache, type AttentionMask } from "./attention.ts";
import { type ModelConfig, parameterShapes, ropeFrequencies, type WeightMap } from "./config.ts";
import type { KvCache } from "./kv-cache.ts";
import { linear, matmul2d } from "./matmul.ts";
import { xoshiro128 } from "@longpo/io";
import { rmsNorm } from "./rms-norm.ts";
import { applyRope, ropeTables } from "./rope.ts";

/** Options of `LlamaModel.forward`. */
export interface ForwardOptions {
  /** (B, T) 1 for real tokens, 0 for (left) padding; a tensor or nested arrays. Default: all real. */
  attentionMask?: tf.Tensor2D | number[][];
  /** (B, T) explicit RoPE positions. Default: each row counts its real tokens from 0 (after any cached ones). */
  positions?: number[][];
  /** Added to every default position (ignored when `positions` is given). Default 0. */
  positionOffset?: number;
  /** Past keys/values; the new tokens' keys/values are appended to it. */
  cache?: KvCache;
  /** Queries per attention block: peak attention memory is O(block · S). Default 256. */
  queryBlockSize?: number;
  /** Recompute each layer (and each attention block) in the backward pass: training memory linear in L·T. */
  checkpointLayers?: boolean;
}

/** One decoder layer's parameters; linear weights are stored (in, out). */
interface LayerWeights {
  inputNorm: tf.Variable;
  q: tf.Variable;
  qBias: tf.Variable | null;
  k: tf.Variable;
  kBias: tf.Variable | null;
  v: tf.Variable;
  vBias: tf.Variable | null;
  o: tf.Variable;
  postNorm: tf.Variable;
  gate: tf.Variable;
  up: tf.Variable;
  down: tf.Variable;
}

const LAYER_KEYS = ["inputNorm", "q", "qBias", "k", "kBias", "v", "vBias", "o", "postNorm", "gate", "up", "down"] as const;
type LayerKey = (typeof LAYER_KEYS)[number];
type LayerTensors = { [K in LayerKey]: tf.Tensor | null };

/** Hugging Face names of a layer's parameters, relative to `model.layers.{i}.`. */
const HF_LAYER_NAMES: Record<LayerKey, string> = {
  inputNorm: "input_layernorm.weight",
  q: "self_attn.q_proj.weight",
  qBias: "self_attn.q_proj.bias",
  k: "self_attn.k_proj.weight",
  kBias: "self_attn.k_proj.bias",
  v: "self_attn.v_proj.weight",
  vBias: "self_attn.v_proj.bias",
  o: "self_attn.o_proj.weight",
  postNorm: "post_attention_layernorm.weight",
  gate: "mlp.gate_proj.weight",
  up: "mlp.up_proj.weight",
  down: "mlp.down_proj.weight",
};

/** Per-pass constants a layer needs: RoPE tables, masks, shapes. */
interface PassContext {
  cos: tf.Tensor3D; // (N, 1, hd)
  sin: tf.Tensor3D; // (N, 1, hd)
  masks: BlockBiasCache;
  batch: number;
  queryLength: number;
  queryBlockSize: number;
  recompute: boolean;
}

let modelCounter = 0;

/** The default attention query block. */
const DEFAULT_QUERY_BLOCK = 256;

/**
 * A Llama-family causal LM (Llama, Mistral, Qwen2): RMSNorm, rotate-half RoPE, grouped-query attention, SwiGLU,
 * optional q/k/v biases, tied or untied head, Mistral's sliding window, left-padded batches, a KV cache.
 *
 * Linear weights live as (in, out) variables so that every product is a flag-free rank-2 `matMul` (the fast
 * path on wasm); `weights()` and `fromWeights` convert to and from Hugging Face's (out, in).
 *
 * @example
 * const model = LlamaModel.random(config, 0);
 * const logits = model.forward(tf.tensor2d([[1, 5, 9]], [1, 3], "int32")); // (1, 3, V)
 * logits.dispose(); model.dispose();
 */
export class LlamaModel {
  readonly config: ModelConfig;
  readonly #embed: tf.Variable; // (V, H)
  readonly #layers: LayerWeights[];
  readonly #finalNorm: tf.Variable; // (H)
  readonly #head: tf.Variable | null; // (H, V), null when tied
  readonly #byName = new Map<string, { variable: tf.Variable; transposed: boolean }>();

  private constructor(config: ModelConfig, weights: WeightMap) {
    this.config = config;
    const id = modelCounter++;
    const make = (name: string): tf.Variable => {
      const w = weights.get(name)!;
      const transposed = w.shape.length === 2 && name !== "model.embed_tokens.weight";
      const variable = tf.tidy(() => {
        const t = tf.tensor(w.data, w.shape, "float32");
        return tf.variable(transposed ? tf.transpose(t) : t, true, `llama${id}/${name}`);
      });
      this.#byName.set(name, { variable, transposed });
      return variable;
    };
    this.#embed = make("model.embed_tokens.weight");
    this.#layers = [];
    for (let i = 0; i < config.numLayers; i++) {
      const p = `model.layers.${i}.`;
      const get = (k: LayerKey) => make(p + HF_LAYER_NAMES[k]);
      const bias = (k: LayerKey) => (config.attentionBias ? get(k) : null);
      this.#layers.push({
        inputNorm: get("inputNorm"),
        q: get("q"),
        qBias: bias("qBias"),
        k: get("k"),
        kBias: bias("kBias"),
        v: get("v"),
        vBias: bias("vBias"),
        o: get("o"),
        postNorm: get("postNorm"),
        gate: get("gate"),
        up: get("up"),
        down: get("down"),
      });
    }
    this.#finalNorm = make("model.norm.weight");
    this.#head = config.tieWordEmbeddings ? null : make("lm_head.weight");
  }

  /**
   * Builds a model from Hugging Face-named weights in PyTorch layout (a linear weight is (out, in)).
   *
   * @throws {TypeError} when a parameter is missing, unexpected or of the wrong shape.
   */
  static fromWeights(config: ModelConfig, weights: WeightMap): LlamaModel {
    const expected = parameterShapes(config);
    for (const [name, shape] of expected) {
      const w = weights.get(name);
      if (w === undefined) throw new TypeError(`Cannot build LlamaModel: weight ${name} must be present, got none`);
      if (w.shape.join(",") !== shape.join(",")) {
        throw new TypeError(
          `Cannot build LlamaModel: weight ${name} must have shape [${shape.join(", ")}], got [${w.shape.join(", ")}]`,
        );
      }
      if (w.data.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new TypeError(
          `Cannot build LlamaModel: weight ${name} must hold ${shape.reduce((a, b) => a * b, 1)} values, got ${w.data.length}`,
        );
      }
    }
    for (const name of weights.keys()) {
      if (!expected.has(name)) throw new TypeError(`Cannot build LlamaModel: weight ${name} is not a parameter of this config`);
    }
    return new LlamaModel(config, weights);
  }

  /**
   * A randomly initialised model, as Hugging Face initialises Llama: N(0, std²) linear and embedding weights,
   * norm weights 1. Biases are drawn N(0, std²) too (HF uses 0) so that tests exercise them.
   *
   * @param seed makes the weights reproducible across runtimes and backends
   * @param std initialiser standard deviation, default 0.02
   */
  static random(config: ModelConfig, seed: number, std = 0.02): LlamaModel {
    const rng = xoshiro128(seed);
    const weights: WeightMap = new Map();
    for (const [name, shape] of parameterShapes(config)) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      if (name.endsWith("layernorm.weight") || name === "model.norm.weight") data.fill(1);
      else for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      weights.set(name, { shape, data });
    }
    return new LlamaModel(config, weights);
  }

  /** Every parameter, in `parameterShapes` order (the order an optimizer sees them). */
  get trainableVariables(): tf.Variable[] {
    return [...this.#byName.values()].map((e) => e.variable);
  }

  /**
   * Copies the parameters back to host memory with Hugging Face names and PyTorch layout, synchronously (cpu,
   * wasm, tfjs-node); on a GPU backend use {@link LlamaModel.readWeights}.
   */
  weights(): WeightMap {
    const out: WeightMap = new Map();
    for (const [name, { variable, transposed }] of this.#byName) {
      const data = tf.tidy(() => (transposed ? tf.transpose(variable) : variable.clone()).dataSync() as Float32Array);
      const shape = transposed ? [...variable.shape].reverse() : [...variable.shape];
      out.set(name, { shape, data: Float32Array.from(data) });
    }
    return out;
  }

  /** {@link LlamaModel.weights} read back asynchronously (`data()`), as GPU backends need (webgpu under Deno). */
  async readWeights(): Promise<WeightMap> {
    const out: WeightMap = new Map();
    for (const [name, { variable, transposed }] of this.#byName) {
      const host = tf.tidy(() => (transposed ? tf.transpose(variable) : variable.clone()));
      try {
        const shape = transposed ? [...variable.shape].reverse() : [...variable.shape];
        out.set(name, { shape, data: Float32Array.from((await host.data()) as Float32Array) });
      } finally {
        host.dispose();
      }
    }
    return out;
  }

  /**
   * Next-token logits.
   *
   * @param inputIds (B, T) int32 token ids
   * @returns (B, T, V) float32 logits; logits[b, t] scores the token after position t
   * @throws {RangeError} for ids outside the vocabulary, a mask of the wrong shape, or a cache of another batch
   */
  forward(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const hidden = this.forwardHidden(inputIds, options); // (B, T, H)
    try {
      return this.logits(hidden);
    } finally {
      hidden.dispose();
    }
  }

  /**
   * The final hidden states (after the last RMSNorm), so that a caller can apply the LM head in chunks.
   *
   * @param inputIds (B, T) int32
   * @returns (B, T, H)
   */
  forwardHidden(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const { config } = this;
    if (inputIds.rank !== 2) {
      throw new TypeError(`Cannot run forward: inputIds must be (B, T), got shape [${inputIds.shape.join(", ")}]`);
    }
    const [batch, t] = inputIds.shape;
    const cache = options.cache;
    if (cache !== undefined && cache.batch !== batch) {
      throw new RangeError(`Cannot run forward: the cache must hold ${batch} rows, got ${cache.batch}`);
    }
    if (cache !== undefined && options.checkpointLayers === true) {
      throw new RangeError("Cannot run forward: checkpointLayers is for training and must not be combined with a cache");
    }
    const queryBlockSize = options.queryBlockSize ?? DEFAULT_QUERY_BLOCK;
    if (!Number.isInteger(queryBlockSize) || queryBlockSize < 1) {
      throw new RangeError(`Cannot run forward: queryBlockSize must be a positive integer, got ${queryBlockSize}`);
    }
    const mask = readMask(options.attentionMask, batch, t);
    const past = cache?.length ?? 0;
    const keyValid = new Uint8Array(batch * (past + t));
    for (let b = 0; b < batch; b++) {
      if (cache !== undefined) keyValid.set(cache.keyValid.subarray(b * past, (b + 1) * past), b * (past + t));
      keyValid.set(mask.subarray(b * t, (b + 1) * t), b * (past + t) + past);
    }
    const positions = options.positions !== undefined
      ? readPositions(options.positions, batch, t)
      : defaultPositions(mask, batch, t, cache?.realTokens, options.positionOffset ?? 0);
    let maxPosition = 0;
    for (const p of positions) maxPosition = Math.max(maxPosition, p);
    const { invFreq, attentionScaling } = ropeFrequencies(config, maxPosition + 1);
    const { cos, sin } = ropeTables(invFreq, positions, attentionScaling);
    const attentionMask: AttentionMask = {
      batch,
      queryLength: t,
      pastLength: past,
      keyValid,
      slidingWindow: config.slidingWindow,
      ...(cache === undefined ? {} : { keySlots: cache.reserve(t) }),
    };
    const masks = new BlockBiasCache(attentionMask);
    const checkpoint = options.checkpointLayers === true;
    try {
      const hidden = tf.tidy(() => {
        const hd = config.headDim;
        const cosT = tf.tensor3d(cos, [batch * t, 1, hd]);
        const sinT = tf.tensor3d(sin, [batch * t, 1, hd]);
        const ids = tf.reshape(inputIds, [batch * t]);
        checkIds(ids as tf.Tensor1D, config.vocabSize);
        let x = tf.gather(this.#embed, ids) as tf.Tensor2D; // (N, H)
        const ctx: PassContext = {
          cos: cosT,
          sin: sinT,
          masks,
          batch,
          queryLength: t,
          queryBlockSize,
          recompute: checkpoint,
        };
        for (let i = 0; i < this.#layers.length; i++) {
          const layer = this.#layers[i]!;
          x = checkpoint
            ? this.#checkpointedLayer(x, layer, ctx, attentionMask)
            : this.#layer(x, layer, ctx, cache, i);
        }
        const normed = rmsNorm(x, this.#finalNorm as tf.Tensor1D, config.rmsNormEps); // (N, H)
        return tf.reshape(normed, [batch, t, config.hiddenSize]) as tf.Tensor3D;
      });
      cache?.append(mask, t);
      return hidden;
    } finally {
      masks.dispose();
    }
  }

  /**
   * The LM head: hidden states to logits.
   *
   * @param hidden (B, T, H) from `forwardHidden` (or a slice of it)
   * @returns (B, T, V)
   */
  logits(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t, h] = hidden.shape;
      const flat = tf.reshape(hidden, [b * t, h]) as tf.Tensor2D;
      const head = this.#head ?? tf.transpose(this.#embed as tf.Tensor2D);
      return tf.reshape(matmul2d(flat, head as tf.Tensor2D), [b, t, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Frees every variable. The model is unusable afterwards. */
  dispose(): void {
    for (const { variable } of this.#byName.values()) variable.dispose();
    this.#byName.clear();
  }

  /** One decoder layer: x + attn(norm(x)), then + mlp(norm(·)). x is (N, H). */
  #layer(x: tf.Tensor2D, w: LayerTensors, ctx: PassContext, cache: KvCache | undefined, index: number): tf.Tensor2D {
    const { config } = this;
    const { numHeads, numKvHeads, headDim: hd } = config;
    const { batch, queryLength: t } = ctx;
    return tf.tidy(() => {
      const h = rmsNorm(x, w.inputNorm as tf.Tensor1D, config.rmsNormEps); // (N, H)
      const bias = (b: tf.Tensor | null) => (b === null ? undefined : (b as tf.Tensor1D));
      let q = linear(h, w.q as tf.Tensor2D, bias(w.qBias)); // (N, nH·hd)
      let k = linear(h, w.k as tf.Tensor2D, bias(w.kBias)); // (N, nKv·hd)
      const v = linear(h, w.v as tf.Tensor2D, bias(w.vBias)); // (N, nKv·hd)
      q = applyRope(q, ctx.cos, ctx.sin, numHeads);
      k = applyRope(k, ctx.cos, ctx.sin, numKvHeads);
      const toHeads = (m: tf.Tensor2D) =>
        tf.transpose(tf.reshape(m, [batch, t, numKvHeads, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // (B, nKv, T, hd)
      let keys = toHeads(k);
      let values = toHeads(v);
      if (cache !== undefined) ({ keys, values } = cache.write(index, keys, values)); // (B, nKv, slots, hd), written in place
      const a = attention(q, keys, values, ctx.masks, {
        numHeads,
        numKvHeads,
        headDim: hd,
        queryBlockSize: ctx.queryBlockSize,
        recompute: ctx.recompute,
      }); // (N, nH·hd)
      const x1 = tf.add(x, linear(a, w.o as tf.Tensor2D)) as tf.Tensor2D; // (N, H)
      const h2 = rmsNorm(x1, w.postNorm as tf.Tensor1D, config.rmsNormEps);
      const g = linear(h2, w.gate as tf.Tensor2D); // (N, I)
      const act = swiglu(g, linear(h2, w.up as tf.Tensor2D)); // (N, I)
      return tf.add(x1, linear(act, w.down as tf.Tensor2D)) as tf.Tensor2D; // (N, H)
    });
  }

  /**
   * A layer whose activations are not kept: the backward pass runs it again (with its own masks) and
   * differentiates that rerun, so training memory holds one layer's activations at a time.
   */
  #checkpointedLayer(x: tf.Tensor2D, layer: LayerWeights, ctx: PassContext, mask: AttentionMask): tf.Tensor2D {
    const present = LAYER_KEYS.filter((k) => layer[k] !== null);
    const weights = present.map((k) => layer[k]!);
    const rebuild = (ws: tf.Tensor[]): LayerTensors => {
      const out = Object.fromEntries(LAYER_KEYS.map((k) => [k, null])) as LayerTensors;
      present.forEach((k, i) => {
        out[k] = ws[i]!;
      });
      return out;
    };
    const f = tf.customGrad(((...args: unknown[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xs, ...ws] = args as tf.Tensor[];
      save([xs!, ctx.cos, ctx.sin]);
      return {
        value: this.#layer(xs as tf.Tensor2D, rebuild(ws), ctx, undefined, 0),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, scos, ssin] = saved as [tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
          const masks = new BlockBiasCache(mask);
          // A nested tf.grads replaces the engine's tape and clears it when done; the outer pass needs it back.
          const engine = tf.engine() as unknown as { state: { activeTape: unknown } };
          const outerTape = engine.state.activeTape;
          try {
            const rerun = { ...ctx, cos: scos, sin: ssin, masks };
            return tf.grads((...inputs: tf.Tensor[]) =>
              this.#layer(inputs[0] as tf.Tensor2D, rebuild(inputs.slice(1)), rerun, undefined, 0)
            )([sx, ...ws], dy);
          } finally {
            engine.state.activeTape = outerTape;
            masks.dispose();
          }
        },
      };
    }) as never) as (...inputs: tf.Tensor[]) => tf.Tensor;
    return f(x, ...weights) as tf.Tensor2D;
  }
}

/**
 * SwiGLU's gate: silu(g)·u with s = sigmoid(g), written out so that the backward pass needs few kernels:
 * d/du = g·s, d/dg = u·s·(1 + g·(1 − s)).
 *
 * @param g (N, I) gate projection
 * @param u (N, I) up projection
 * @returns (N, I)
 */
function swiglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad(((gs: tf.Tensor, us: tf.Tensor, save: tf.GradSaveFunc) => {
    const sig = tf.sigmoid(gs); // (N, I)
    const silu = tf.mul(gs, sig); // (N, I)
    save([gs, us, sig, silu]);
    return {
      value: tf.mul(silu, us),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sg, su, ss, sl] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const du = tf.mul(dy, sl); // (N, I)
        const dg = tf.mul(tf.mul(dy, su), tf.add(ss, tf.mul(sl, tf.sub(1, ss)))); // s + g·s·(1 − s)
        return [dg, du];
      }),
    };
  }) as never);
  return f(g, u) as tf.Tensor2D;
}

/**
 * Token ids must index the embedding; an out-of-range id would silently read zeros on some backends. The ids are
 * read synchronously: free while they are still host data; webgpu under Deno cannot read them once on the device.
 */
function checkIds(ids: tf.Tensor1D, vocabSize: number): void {
  let data: ArrayLike<number>;
  try {
    data = ids.dataSync() as ArrayLike<number>;
  } catch (e) {
    throw new TypeError(
      `Cannot run forward: inputIds must be readable synchronously for the vocabulary check, but the ${tf.getBackend()} ` +
        `backend failed to read them (${e instanceof Error ? e.message : String(e)}); pass a fresh tf.tensor of host ids ` +
        "to each call (on webgpu, ids already used on the device cannot be read synchronously)",
    );
  }
  for (let i = 0; i < data.length; i++) {
    const id = data[i]!;
    if (id < 0 || id >= vocabSize || !Number.isInteger(id)) {
      throw new RangeError(`Cannot run forward: token ids must lie in [0, ${vocabSize}), got ${id}`);
    }
  }
}

function readMask(mask: tf.Tensor2D | number[][] | undefined, batch: number, t: number): Uint8Array {
  const out = new Uint8Array(batch * t);
  if (mask === undefined) return out.fill(1);
  const rows = Array.isArray(mask) ? mask : (mask.arraySync() as number[][]);
  if (rows.length !== batch || rows.some((r) => r.length !== t)) {
    throw new RangeError(`Cannot run forward: attentionMask must be (${batch}, ${t}), matching inputIds`);
  }
  rows.forEach((r, b) => r.forEach((m, i) => (out[b * t + i] = m > 0 ? 1 : 0)));
  return out;
}

function readPositions(positions: number[][], batch: number, t: number): Int32Array {
  if (positions.length !== batch || positions.some((r) => r.length !== t)) {
    throw new RangeError(`Cannot run forward: positions must be (${batch}, ${t}), matching inputIds`);
  }
  return Int32Array.from(positions.flat());
}

/** Each row counts its real tokens from where its cache left off; padding takes position 0. */
function defaultPositions(
  mask: Uint8Array,
  batch: number,
  t: number,
  pastReal: readonly number[] | undefined,
  offset: number,
): Int32Array {
  const out = new Int32Array(batch * t);
  for (let b = 0; b < batch; b++) {
    let next = (pastReal?.[b] ?? 0) + offset;
    for (let i = 0; i < t; i++) {
      if (mask[b * t + i] === 1) out[b * t + i] = next++;
    }
  }
  return out;
}
