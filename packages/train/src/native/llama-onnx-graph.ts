// llamaOnnxGraph: the ONNX graph of a Llama-family checkpoint (config + weights), for scoring or cached decoding.

import type { ModelConfig, WeightMap } from "../model/config.ts";
import {
  encodeOnnxModel,
  ONNX_FLOAT,
  ONNX_INT32,
  ONNX_INT64,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from "./onnx-proto.ts";

/**
 * `score`: inputs `input_ids` (B, T) int64, `labels` (B, T) int64, `rope_cos`/`rope_sin` (B, T, 1, hd),
 * `attn_bias` (B or 1, 1, T, T); outputs `token_logps` (B, T) = log softmax(logits)[labels] and `greedy_ids` (B, T).
 *
 * `decode`: the same without labels, plus a fixed-capacity cache `past_key_values.{l}.key_t` (B, nKv, hd, C) and
 * `.value` (B, nKv, C, hd), and `attn_bias` (B, 1, T, C + T) over the C cache slots then the T new keys; outputs the
 * last position's `logits` (B, 1, V) and the new keys and values `new.{l}.key_t` (B, nKv, hd, T), `new.{l}.value`
 * (B, nKv, T, hd), which the caller writes into the cache in place.
 */
export type OnnxGraphKind = "score" | "decode";

/** The opset the graph is written for (ReduceMean with an `axes` attribute). */
export const LLAMA_ONNX_OPSET = 17;

/** Builds nodes with unique value names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  #next = 0;
  readonly #constants = new Map<string, string>();

  op(op: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => `v${this.#next++}`);
    this.nodes.push({ op, inputs, outputs: names, attributes });
    return names;
  }

  one(op: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = []): string {
    return this.op(op, inputs, attributes)[0]!;
  }

  weight(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dims, type: ONNX_FLOAT, data });
    return name;
  }

  /** A shared int64 constant (shapes, axes, split sizes). */
  ints(values: readonly number[]): string {
    const key = `i:${values.join(",")}`;
    let name = this.#constants.get(key);
    if (name === undefined) {
      name = `const_i64_${this.#constants.size}`;
      this.initializers.push({ name, dims: [values.length], type: ONNX_INT64, data: values });
      this.#constants.set(key, name);
    }
    return name;
  }

  /** A shared float32 scalar constant. */
  scalar(value: number): string {
    const key = `f:${value}`;
    let name = this.#constants.get(key);
    if (name === undefined) {
      name = `const_f32_${this.#constants.size}`;
      this.initializers.push({ name, dims: [], type: ONNX_FLOAT, data: Float32Array.of(value) });
      this.#constants.set(key, name);
    }
    return name;
  }
}

/** (out, in) row-major → (in, out) row-major, times `scale`. */
function transposed(w: { shape: number[]; data: Float32Array }, scale = 1): Float32Array {
  const [out, inp] = w.shape as [number, number];
  const t = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w.data[o * inp + i]! * scale;
  return t;
}

/**
 * The ONNX model of a Llama / Mistral / Qwen2 checkpoint as protobuf bytes: RMSNorm, rotate-half RoPE from
 * cos/sin inputs (the caller computes them from the checkpoint's θ and scaling, as the TF.js model does),
 * grouped-query attention with an additive mask input (causal order, padding and sliding window are the caller's
 * mask), SwiGLU, tied or untied head; 1/√hd is folded into q's weights. The scoring graph of a model without a
 * sliding window (head size a multiple of 8) runs attention in ONNX Runtime's fused causal `GroupQueryAttention`
 * (com.microsoft) and needs no mask
 * input: it then takes `seqlens_k` (B) int32 = T − 1 and `total_sequence_length` () int32 = T instead of `attn_bias`.
 *
 * @param config the architecture
 * @param weights Hugging Face names, PyTorch layout (as `loadCheckpoint` returns)
 * @param kind `score` (per-token label log-probs) or `decode` (last logits + KV cache)
 * @returns ModelProto bytes for `InferenceSession.create`
 * @example
 * const bytes = llamaOnnxGraph(config, weights, "score");
 */
export function llamaOnnxGraph(config: ModelConfig, weights: WeightMap, kind: OnnxGraphKind): Uint8Array {
  const { hiddenSize: D, numHeads: nH, numKvHeads: nKv, headDim: hd, vocabSize: V, intermediateSize: I } = config;
  const get = (name: string) => {
    const w = weights.get(name);
    if (w === undefined) throw new TypeError(`Cannot build the ONNX graph: weight ${name} must be present, got none`);
    return w;
  };
  const g = new GraphBuilder();
  const qScale = 1 / Math.sqrt(hd);
  const eps = g.scalar(config.rmsNormEps);
  const two = g.scalar(2);

  const rmsNorm = (x: string, weight: string): string => {
    // Pow → ReduceMean → Add → Sqrt → Div → Mul: the pattern ORT fuses into SimplifiedLayerNormalization.
    const ms = g.one("ReduceMean", [g.one("Pow", [x, two])], [{ name: "axes", ints: [-1] }, { name: "keepdims", int: 1 }]);
    const normed = g.one("Div", [x, g.one("Sqrt", [g.one("Add", [ms, eps])])]);
    return g.one("Mul", [normed, weight]);
  };
  // rotateHalf(x) = x·R with R (hd, hd) a signed permutation: one small product instead of Split/Neg/Concat copies.
  const rotation = new Float32Array(hd * hd);
  for (let i = 0; i < hd / 2; i++) {
    rotation[(i + hd / 2) * hd + i] = -1; // out[i] = −x[i + hd/2]
    rotation[i * hd + i + hd / 2] = 1; // out[i + hd/2] = x[i]
  }
  const rotate = g.weight("rotate_half", [hd, hd], rotation);
  const rope = (x4: string, cos: string, sin: string): string =>
    g.one("Add", [g.one("Mul", [x4, cos]), g.one("Mul", [g.one("MatMul", [x4, rotate]), sin])]);

  const fused = usesFusedAttention(config, kind);
  const inputs: OnnxValueInfo[] = [{ name: "input_ids", type: ONNX_INT64, dims: ["batch", "seq"] }];
  if (kind === "score") inputs.push({ name: "labels", type: ONNX_INT64, dims: ["batch", "seq"] });
  inputs.push(
    { name: "rope_cos", type: ONNX_FLOAT, dims: ["batch", "seq", 1, hd] },
    { name: "rope_sin", type: ONNX_FLOAT, dims: ["batch", "seq", 1, hd] },
  );
  if (fused) {
    inputs.push({ name: "seqlens_k", type: ONNX_INT32, dims: ["batch"] }, { name: "total_sequence_length", type: ONNX_INT32, dims: [] });
  } else {
    inputs.push({ name: "attn_bias", type: ONNX_FLOAT, dims: ["bias_batch", 1, "seq", "total"] });
  }
  const outputs: OnnxValueInfo[] = [];

  const embed = get("model.embed_tokens.weight");
  const embedName = g.weight("embed", [V, D], embed.data);
  let x = g.one("Gather", [embedName, "input_ids"], [{ name: "axis", int: 0 }]); // (B, T, D)
  for (let l = 0; l < config.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const wq = transposed(get(`${p}self_attn.q_proj.weight`), qScale);
    const wk = transposed(get(`${p}self_attn.k_proj.weight`));
    const wv = transposed(get(`${p}self_attn.v_proj.weight`));
    const h = rmsNorm(x, g.weight(`l${l}.in_norm`, [D], get(`${p}input_layernorm.weight`).data)); // (B, T, D)
    // Three products rather than one fused and split: ORT's Split copies, and costs more than it saves here.
    const project = (name: string, w: Float32Array, out: number, bias: Float32Array | null) => {
      const y = g.one("MatMul", [h, g.weight(`l${l}.${name}`, [D, out], w)]); // (B, T, out)
      return bias === null ? y : g.one("Add", [y, g.weight(`l${l}.${name}_bias`, [out], bias)]);
    };
    const biasOf = (n: string, scale = 1) => (config.attentionBias ? get(`${p}self_attn.${n}_proj.bias`).data.map((v) => v * scale) : null);
    const q = project("q", wq, nH * hd, biasOf("q", qScale));
    const k = project("k", wk, nKv * hd, biasOf("k"));
    const v = project("v", wv, nKv * hd, biasOf("v"));
    const heads = (t: string, n: number) => g.one("Reshape", [t, g.ints([0, 0, n, hd])]); // (B, T, n, hd)
    const qr = rope(heads(q, nH), "rope_cos", "rope_sin"); // (B, T, nH, hd)
    const kr = rope(heads(k, nKv), "rope_cos", "rope_sin"); // (B, T, nKv, hd)
    const merged = fused
      ? fusedAttention(g, qr, kr, v, nH, nKv, hd)
      : maskedAttention(g, qr, kr, heads(v, nKv), nH, nKv, hd, kind === "decode" ? l : null, inputs, outputs); // (B, T, nH·hd)
    const wo = transposed(get(`${p}self_attn.o_proj.weight`));
    x = g.one("Add", [x, g.one("MatMul", [merged, g.weight(`l${l}.o`, [nH * hd, D], wo)])]); // (B, T, D)
    const h2 = rmsNorm(x, g.weight(`l${l}.post_norm`, [D], get(`${p}post_attention_layernorm.weight`).data)); // (B, T, D)
    const gate = g.one("MatMul", [h2, g.weight(`l${l}.gate`, [D, I], transposed(get(`${p}mlp.gate_proj.weight`)))]); // (B, T, I)
    const up = g.one("MatMul", [h2, g.weight(`l${l}.up`, [D, I], transposed(get(`${p}mlp.up_proj.weight`)))]); // (B, T, I)
    const act = g.one("Mul", [g.one("Mul", [gate, g.one("Sigmoid", [gate])]), up]); // (B, T, I) silu(gate)·up
    const wd = transposed(get(`${p}mlp.down_proj.weight`));
    x = g.one("Add", [x, g.one("MatMul", [act, g.weight(`l${l}.down`, [I, D], wd)])]); // (B, T, D)
  }
  let hidden = rmsNorm(x, g.weight("final_norm", [D], get("model.norm.weight").data)); // (B, T, D)
  if (kind === "decode") {
    hidden = g.one("Slice", [hidden, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]); // (B, 1, D)
  }
  const head = config.tieWordEmbeddings ? embed : get("lm_head.weight");
  const logits = g.one("MatMul", [hidden, g.weight("lm_head", [D, V], transposed(head))]); // (B, T, V)
  if (kind === "decode") {
    g.nodes.push({ op: "Identity", inputs: [logits], outputs: ["logits"] });
    outputs.unshift({ name: "logits", type: ONNX_FLOAT, dims: ["batch", 1, V] });
  } else {
    const logp = g.one("LogSoftmax", [logits], [{ name: "axis", int: -1 }]); // (B, T, V)
    const picked = g.one("GatherElements", [logp, g.one("Unsqueeze", ["labels", g.ints([2])])], [{ name: "axis", int: 2 }]); // (B, T, 1)
    g.nodes.push({ op: "Squeeze", inputs: [picked, g.ints([2])], outputs: ["token_logps"] });
    g.nodes.push({ op: "ArgMax", inputs: [logits], outputs: ["greedy_ids"], attributes: [{ name: "axis", int: -1 }, { name: "keepdims", int: 0 }] });
    outputs.push({ name: "token_logps", type: ONNX_FLOAT, dims: ["batch", "seq"] }, { name: "greedy_ids", type: ONNX_INT64, dims: ["batch", "seq"] });
  }
  return encodeOnnxModel({
    name: `llama-${kind}`,
    opset: LLAMA_ONNX_OPSET,
    ...(fused ? { extraOpsets: { "com.microsoft": 1 } } : {}),
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs,
  });
}

/**
 * Whether the graph of `kind` runs ONNX Runtime's fused causal attention: scoring, without a sliding window, with a
 * head size that is a multiple of 8 (the CPU kernel's requirement).
 */
export function usesFusedAttention(config: ModelConfig, kind: OnnxGraphKind): boolean {
  return kind === "score" && config.slidingWindow === null && config.headDim % 8 === 0;
}

/**
 * Causal grouped-query attention by ONNX Runtime's `GroupQueryAttention` (com.microsoft; 1/√hd already in q):
 * no mask tensor, no transposes, keys shared by their query group without copies.
 *
 * @returns (B, T, nH·hd)
 */
function fusedAttention(g: GraphBuilder, q4: string, k4: string, v: string, nH: number, nKv: number, hd: number): string {
  const flat = (t: string, n: number) => g.one("Reshape", [t, g.ints([0, 0, n * hd])]); // (B, T, n·hd)
  const [out] = g.op("GroupQueryAttention", [flat(q4, nH), flat(k4, nKv), v, "", "", "seqlens_k", "total_sequence_length"], [
    { name: "num_heads", int: nH },
    { name: "kv_num_heads", int: nKv },
    { name: "scale", float: 1 },
  ], 3);
  g.nodes[g.nodes.length - 1] = { ...g.nodes[g.nodes.length - 1]!, domain: "com.microsoft" };
  return out!;
}

/**
 * Grouped-query attention from plain ops with the additive `attn_bias` input (causal order, padding, sliding
 * window). With `cacheLayer` set (decode graph) the keys are the cache's C slots followed by the T new ones: the
 * cache comes in as `past_key_values.{l}.key_t` (B, nKv, hd, C) (keys stored transposed) and `.value` (B, nKv, C, hd)
 * and is only read (two products and one small concat of scores, no copy of the cache); the new keys and values go
 * out as `new.{l}.key_t` (B, nKv, hd, T) and `new.{l}.value` (B, nKv, T, hd) for the caller to write in place.
 *
 * @param q4 (B, T, nH, hd) after RoPE and scaling
 * @param k4 (B, T, nKv, hd) after RoPE
 * @param v4 (B, T, nKv, hd)
 * @returns (B, T, nH·hd)
 */
function maskedAttention(
  g: GraphBuilder,
  q4: string,
  k4: string,
  v4: string,
  nH: number,
  nKv: number,
  hd: number,
  cacheLayer: number | null,
  inputs: OnnxValueInfo[],
  outputs: OnnxValueInfo[],
): string {
  const group = nH / nKv;
  const toBhtd = (t: string) => g.one("Transpose", [t], [{ name: "perm", ints: [0, 2, 1, 3] }]); // (B, n, T, hd)
  const q = toBhtd(q4); // (B, nH, T, hd)
  const kt = g.one("Transpose", [k4], [{ name: "perm", ints: [0, 2, 3, 1] }]); // (B, nKv, hd, T)
  const v = toBhtd(v4); // (B, nKv, T, hd)
  // Grouped queries: the g heads sharing kv head j are q heads j·g … j·g + g − 1 (HF's repeat_kv), so
  // (B, nH, T, hd) → (B, nKv, g·T, hd) pairs each with its kv head without copying keys.
  const qg = group === 1 ? q : g.one("Reshape", [q, g.ints([0, nKv, -1, hd])]);
  let scores = g.one("MatMul", [qg, kt]); // (B, nKv, g·T, T)
  let pastV: string | null = null;
  if (cacheLayer !== null) {
    const pk = `past_key_values.${cacheLayer}.key_t`;
    pastV = `past_key_values.${cacheLayer}.value`;
    inputs.push({ name: pk, type: ONNX_FLOAT, dims: ["batch", nKv, hd, "cache"] }, { name: pastV, type: ONNX_FLOAT, dims: ["batch", nKv, "cache", hd] });
    g.nodes.push({ op: "Identity", inputs: [kt], outputs: [`new.${cacheLayer}.key_t`] });
    g.nodes.push({ op: "Identity", inputs: [v], outputs: [`new.${cacheLayer}.value`] });
    outputs.push({ name: `new.${cacheLayer}.key_t`, type: ONNX_FLOAT, dims: ["batch", nKv, hd, "seq"] }, { name: `new.${cacheLayer}.value`, type: ONNX_FLOAT, dims: ["batch", nKv, "seq", hd] });
    scores = g.one("Concat", [g.one("MatMul", [qg, pk]), scores], [{ name: "axis", int: -1 }]); // (B, nKv, g·T, C + T)
  }
  const masked = g.one("Add", [group === 1 ? scores : g.one("Reshape", [scores, g.ints([0, nH, -1, 0])]), "attn_bias"]); // (B, nH, T, S)
  let probs = g.one("Softmax", [masked], [{ name: "axis", int: -1 }]);
  if (group !== 1) probs = g.one("Reshape", [probs, g.ints([0, nKv, -1, 0])]); // (B, nKv, g·T, S)
  let att: string;
  if (pastV === null) {
    att = g.one("MatMul", [probs, v]); // (B, nKv, g·T, hd)
  } else {
    const cache = g.one("Shape", [pastV], [{ name: "start", int: 2 }, { name: "end", int: 3 }]); // [C]
    const axis = g.ints([3]);
    const pPast = g.one("Slice", [probs, g.ints([0]), cache, axis]); // (B, nKv, g·T, C)
    const pNew = g.one("Slice", [probs, cache, g.ints([Number.MAX_SAFE_INTEGER]), axis]); // (B, nKv, g·T, T)
    att = g.one("Add", [g.one("MatMul", [pPast, pastV]), g.one("MatMul", [pNew, v])]); // (B, nKv, g·T, hd)
  }
  if (group !== 1) att = g.one("Reshape", [att, g.ints([0, nH, -1, hd])]); // (B, nH, T, hd)
  return g.one("Reshape", [toBhtd(att), g.ints([0, 0, nH * hd])]); // (B, T, nH·hd)
}
