// NativeLlama: scoring and generation of a checkpoint through ONNX Runtime's native CPU kernels (onnxruntime-node).

import { availableParallelism } from "node:os";
import type * as Ort from "onnxruntime-node";
import { type ModelConfig, parameterShapes, ropeFrequencies, type WeightMap } from "../model/config.ts";
import type { DecodeSession, DecodingModel } from "../model/generate.ts";
import { ropeTables } from "../model/rope.ts";
import { padBatch } from "../trainer/length-grouped-batches.ts";
import type { TokenizedSequence } from "../trainer/training-example.ts";
import { NativeKvCache } from "./native-kv-cache.ts";
import { llamaOnnxGraph, usesFusedAttention } from "./llama-onnx-graph.ts";

type OrtModule = typeof Ort;

/** Masked attention scores, as the TF.js model: finite, so fully masked padding rows stay finite. */
const MASKED = -1e9;

let ortModule: Promise<OrtModule> | undefined;

/**
 * Loads onnxruntime-node once (a native addon: it may be missing or fail to load on some runtime/platform).
 *
 * @throws the loader's error when the addon cannot be loaded
 */
export function loadOrt(): Promise<OrtModule> {
  // onnxruntime-node is CommonJS: some runtimes expose its exports on `default` only.
  ortModule ??= import("onnxruntime-node").then((m) => {
    const named = m as unknown as Partial<OrtModule> & { default?: OrtModule };
    return named.InferenceSession !== undefined ? (named as OrtModule) : (named.default as OrtModule);
  });
  return ortModule;
}

/** Options of {@link NativeLlama.create}. */
export interface NativeLlamaOptions {
  /** ONNX Runtime intra-op threads. Default: every core (`os.availableParallelism()`). */
  threads?: number;
}

/** Per-token label log-probs and argmax ids of a (B, T) batch, row-major. */
export interface TokenScores {
  logps: Float32Array;
  greedy: Int32Array;
}

/** RoPE tables (B, T, 1, hd) for per-token positions, from the config's θ and scaling (as the TF.js model). */
function ropeFeeds(ort: OrtModule, config: ModelConfig, positions: Int32Array, batch: number, t: number): Record<string, Ort.Tensor> {
  let max = 0;
  for (const p of positions) max = Math.max(max, p);
  const { invFreq, attentionScaling } = ropeFrequencies(config, max + 1);
  const { cos, sin } = ropeTables(invFreq, positions, attentionScaling);
  const dims = [batch, t, 1, config.headDim];
  return { rope_cos: new ort.Tensor("float32", cos, dims), rope_sin: new ort.Tensor("float32", sin, dims) };
}

/** Additive mask (rows, 1, T, P + T): query t (cache index P + t) sees key j ≤ P + t inside the window when valid. */
function attentionBias(config: ModelConfig, rows: number, t: number, past: number, keyValid: Uint8Array | null): Float32Array {
  const s = past + t;
  const bias = new Float32Array(rows * t * s);
  const window = config.slidingWindow;
  for (let b = 0; b < rows; b++) {
    for (let q = 0; q < t; q++) {
      const i = past + q;
      const lo = window === null ? 0 : i - window + 1;
      const row = (b * t + q) * s;
      for (let j = 0; j < s; j++) {
        const ok = j <= i && j >= lo && (keyValid === null || keyValid[b * s + j] === 1);
        if (!ok) bias[row + j] = MASKED;
      }
    }
  }
  return bias;
}

/**
 * A checkpoint compiled to ONNX and run by ONNX Runtime (native, multi-threaded CPU kernels): per-token
 * log-probs for scoring and a KV-cached decoder for `generate`. Same math as `LlamaModel`, to float tolerance.
 *
 * @example
 * const native = await NativeLlama.create(config, weights);
 * const [sum] = await native.scoreSequences([{ ids: [1, 5, 9], labelMask: [0, 0, 1] }], 0);
 * const [out] = await generate(native, [[1]], { maxNewTokens: 8, temperature: 0 });
 * await native.dispose();
 */
export class NativeLlama implements DecodingModel {
  readonly engine = "native" as const;
  readonly config: ModelConfig;
  readonly threads: number;
  readonly #ort: OrtModule;
  readonly #score: Ort.InferenceSession;
  readonly #decode: Ort.InferenceSession;

  private constructor(ort: OrtModule, config: ModelConfig, threads: number, score: Ort.InferenceSession, decode: Ort.InferenceSession) {
    this.#ort = ort;
    this.config = config;
    this.threads = threads;
    this.#score = score;
    this.#decode = decode;
  }

  /**
   * Compiles the checkpoint into its scoring and decoding graphs and opens an ONNX Runtime session for each.
   *
   * @throws when onnxruntime-node cannot be loaded or a weight is missing
   */
  static async create(config: ModelConfig, weights: WeightMap, options: NativeLlamaOptions = {}): Promise<NativeLlama> {
    for (const [name, shape] of parameterShapes(config)) {
      const w = weights.get(name);
      if (w === undefined || w.shape.join(",") !== shape.join(",") || w.data.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new TypeError(`Cannot create NativeLlama: weight ${name} must have shape [${shape.join(", ")}], got ${w === undefined ? "none" : `[${w.shape.join(", ")}]`}`);
      }
    }
    const ort = await loadOrt();
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`Cannot create NativeLlama: threads must be a positive integer, got ${threads}`);
    }
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      // Idle pool threads sleep instead of spinning: CPU time is then work, and other processes get the cores.
      extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
    };
    const [score, decode] = await Promise.all([
      ort.InferenceSession.create(llamaOnnxGraph(config, weights, "score"), sessionOptions),
      ort.InferenceSession.create(llamaOnnxGraph(config, weights, "decode"), sessionOptions),
    ]);
    return new NativeLlama(ort, config, threads, score, decode);
  }

  /**
   * log softmax(logits)[labels] and argmax at every position of a right-padded batch (causal attention only:
   * right padding never reaches an earlier token). Positions count 0 … T−1.
   *
   * @param ids (B·T) row-major token ids
   * @param labels (B·T) row-major: the token each position scores
   */
  async tokenScores(ids: Int32Array, labels: Int32Array, batch: number, t: number): Promise<TokenScores> {
    const ort = this.#ort;
    const positions = new Int32Array(batch * t);
    for (let b = 0; b < batch; b++) for (let i = 0; i < t; i++) positions[b * t + i] = i;
    checkIds(ids, this.config.vocabSize);
    checkIds(labels, this.config.vocabSize);
    const feeds = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [batch, t]),
      labels: new ort.Tensor("int64", BigInt64Array.from(labels, BigInt), [batch, t]),
      ...(usesFusedAttention(this.config, "score")
        ? {
          seqlens_k: new ort.Tensor("int32", new Int32Array(batch).fill(t - 1), [batch]),
          total_sequence_length: new ort.Tensor("int32", Int32Array.of(t), []),
        }
        : { attn_bias: new ort.Tensor("float32", attentionBias(this.config, 1, t, 0, null), [1, 1, t, t]) }),
      ...ropeFeeds(ort, this.config, positions, batch, t),
    };
    const out = await this.#score.run(feeds);
    const logps = out.token_logps!.data as Float32Array;
    const greedy = Int32Array.from(out.greedy_ids!.data as BigInt64Array, Number);
    for (const v of Object.values(out)) v.dispose();
    return { logps, greedy };
  }

  /**
   * Summed log-probability of each sequence's label tokens, as the trainer's `scoreSequences` (batches of
   * similar length, right padding).
   *
   * @returns one sum per sequence, in input order
   */
  async scoreSequences(seqs: readonly TokenizedSequence[], padId: number, batchSize = 4): Promise<number[]> {
    const order = seqs.map((_, i) => i).sort((a, b) => (seqs[b]?.ids.length ?? 0) - (seqs[a]?.ids.length ?? 0));
    const out = new Array<number>(seqs.length).fill(0);
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      const p = padBatch(idx.map((j) => seqs[j] as TokenizedSequence), padId);
      const { logps } = await this.tokenScores(p.ids, p.targets, p.batch, p.length); // (B·T)
      idx.forEach((j, k) => {
        let sum = 0;
        for (let t = 0; t < p.length; t++) if (p.targetMask[k * p.length + t] === 1) sum += logps[k * p.length + t]!;
        out[j] = sum;
      });
    }
    return out;
  }

  /** A KV-cached decoding state for `generate` (see {@link DecodingModel}); the cache lives in host memory. */
  startDecoding(batch: number, useCache: boolean): DecodeSession {
    const ort = this.#ort;
    const { config } = this;
    const { numLayers, numKvHeads, headDim } = config;
    const fresh = () => new NativeKvCache(batch, numLayers, numKvHeads, headDim, config.slidingWindow);
    let cache = fresh();
    return {
      next: async (ids, mask) => {
        const t = ids[0]?.length ?? 0;
        if (!useCache) cache = fresh();
        const newValid = new Uint8Array(batch * t);
        const positions = new Int32Array(batch * t);
        const flat = new Int32Array(batch * t);
        for (let b = 0; b < batch; b++) {
          let next = cache.realTokens[b]!;
          for (let i = 0; i < t; i++) {
            const real = (mask[b]?.[i] ?? 0) > 0;
            newValid[b * t + i] = real ? 1 : 0;
            if (real) positions[b * t + i] = next++; // padding keeps position 0, as the TF.js model
            flat[b * t + i] = ids[b]?.[i] ?? 0;
          }
        }
        checkIds(flat, config.vocabSize);
        const c = cache.capacity;
        const feeds: Record<string, Ort.Tensor> = {
          input_ids: new ort.Tensor("int64", BigInt64Array.from(flat, BigInt), [batch, t]),
          attn_bias: new ort.Tensor("float32", cache.bias(newValid, t), [batch, 1, t, c + t]),
          ...ropeFeeds(ort, config, positions, batch, t),
        };
        for (let l = 0; l < numLayers; l++) {
          const { keys, values } = cache.layer(l);
          feeds[`past_key_values.${l}.key_t`] = new ort.Tensor("float32", keys, [batch, numKvHeads, headDim, c]);
          feeds[`past_key_values.${l}.value`] = new ort.Tensor("float32", values, [batch, numKvHeads, c, headDim]);
        }
        const out = await this.#decode.run(feeds);
        const newKeys = Array.from({ length: numLayers }, (_, l) => out[`new.${l}.key_t`]!.data as Float32Array);
        const newValues = Array.from({ length: numLayers }, (_, l) => out[`new.${l}.value`]!.data as Float32Array);
        cache.append(newKeys, newValues, newValid, t);
        return out.logits!.data as Float32Array; // (B·1·V)
      },
      dispose: () => {
        cache = fresh();
      },
    };
  }

  /** Closes both sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.#score.release(), this.#decode.release()]);
  }
}

/** Token ids must index the embedding (ONNX Runtime's Gather would fail with a less helpful message). */
function checkIds(ids: Int32Array, vocabSize: number): void {
  for (const id of ids) {
    if (id < 0 || id >= vocabSize) throw new RangeError(`Cannot run the native model: token ids must lie in [0, ${vocabSize}), got ${id}`);
  }
}
