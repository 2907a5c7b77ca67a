// llamaOnnxGraph: the ONNX graph of a Llama-family checkpoint (config + weights), for scoring or cached decoding.

import type { ModelConfig, WeightMap } from "../model/config.ts";
import {
  encodeOnnxModel,
  ONNX_FLOAT,
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
 * `decode`: the same without labels, plus `past_key_values.{l}.key|value` (B, nKv, P, hd) and `attn_bias`
 * (B or 1, 1, T, P + T); outputs the last position's `logits` (B, 1, V) and `present.{l}.key|value` (B, nKv, P + T, hd).
 */
export type OnnxGraphKind = "score" | "decode";

/** The opset the graph is written for (ReduceMean with an `axes` attribute, Split with a `split` input). */
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

/** Columns of several (in, out_k) matrices side by side: (in, Σ out_k). */
function concatColumns(parts: readonly Float32Array[], rows: number): { data: Float32Array; cols: number } {
  const widths = parts.map((p) => p.length / rows);
  const cols = widths.reduce((a, b) => a + b, 0);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let at = r * cols;
    parts.forEach((p, k) => {
      const w = widths[k]!;
      data.set(p.subarray(r * w, (r + 1) * w), at);
      at += w;
    });
  }
  return { data, cols };
}

/**
 * The ONNX model of a Llama / Mistral / Qwen2 checkpoint as protobuf bytes: RMSNorm, rotate-half RoPE from
 * cos/sin inputs (the caller computes them from the checkpoint's θ and scaling, as the TF.js model does),
 * grouped-query attention with an additive mask input (causal order, padding and sliding window are the caller's
 * mask), SwiGLU, tied or untied head. q/k/v and gate/up are fused into one product each; 1/√hd is folded into q.
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
  const group = nH / nKv;
  const qScale = 1 / Math.sqrt(hd);
  const half = g.ints([hd / 2, hd / 2]);
  const eps = g.scalar(config.rmsNormEps);
  const two = g.scalar(2);

  const rmsNorm = (x: string, weight: string): string => {
    // Pow → ReduceMean → Add → Sqrt → Div → Mul: the pattern ORT fuses into SimplifiedLayerNormalization.
    const ms = g.one("ReduceMean", [g.one("Pow", [x, two])], [{ name: "axes", ints: [-1] }, { name: "keepdims", int: 1 }]);
    const normed = g.one("Div", [x, g.one("Sqrt", [g.one("Add", [ms, eps])])]);
    return g.one("Mul", [normed, weight]);
  };
  const rope = (x4: string, cos: string, sin: string): string => {
    const [a, b] = g.op("Split", [x4, half], [{ name: "axis", int: -1 }], 2) as [string, string];
    const rotated = g.one("Concat", [g.one("Neg", [b]), a], [{ name: "axis", int: -1 }]);
    return g.one("Add", [g.one("Mul", [x4, cos]), g.one("Mul", [rotated, sin])]);
  };

  const inputs: OnnxValueInfo[] = [{ name: "input_ids", type: ONNX_INT64, dims: ["batch", "seq"] }];
  if (kind === "score") inputs.push({ name: "labels", type: ONNX_INT64, dims: ["batch", "seq"] });
  inputs.push(
    { name: "rope_cos", type: ONNX_FLOAT, dims: ["batch", "seq", 1, hd] },
    { name: "rope_sin", type: ONNX_FLOAT, dims: ["batch", "seq", 1, hd] },
    { name: "attn_bias", type: ONNX_FLOAT, dims: ["bias_batch", 1, "seq", "total"] },
  );
  const outputs: OnnxValueInfo[] = [];

  const embed = get("model.embed_tokens.weight");
  const embedName = g.weight("embed", [V, D], embed.data);
  let x = g.one("Gather", [embedName, "input_ids"], [{ name: "axis", int: 0 }]); // (B, T, D)
  for (let l = 0; l < config.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const wq = transposed(get(`${p}self_attn.q_proj.weight`), qScale);
    const wk = transposed(get(`${p}self_attn.k_proj.weight`));
    const wv = transposed(get(`${p}self_attn.v_proj.weight`));
    const qkv = concatColumns([wq, wk, wv], D);
    let proj = g.one("MatMul", [rmsNorm(x, g.weight(`l${l}.in_norm`, [D], get(`${p}input_layernorm.weight`).data)), g.weight(`l${l}.qkv`, [D, qkv.cols], qkv.data)]); // (B, T, (nH + 2nKv)·hd)
    if (config.attentionBias) {
      const bq = get(`${p}self_attn.q_proj.bias`).data.map((v) => v * qScale);
      const bias = Float32Array.from([...bq, ...get(`${p}self_attn.k_proj.bias`).data, ...get(`${p}self_attn.v_proj.bias`).data]);
      proj = g.one("Add", [proj, g.weight(`l${l}.qkv_bias`, [qkv.cols], bias)]);
    }
    const [q, k, v] = g.op("Split", [proj, g.ints([nH * hd, nKv * hd, nKv * hd])], [{ name: "axis", int: -1 }], 3) as [string, string, string];
    const heads = (t: string, n: number) => g.one("Reshape", [t, g.ints([0, 0, n, hd])]); // (B, T, n, hd)
    const toBhtd = (t: string) => g.one("Transpose", [t], [{ name: "perm", ints: [0, 2, 1, 3] }]); // (B, n, T, hd)
    const q4 = toBhtd(rope(heads(q, nH), "rope_cos", "rope_sin")); // (B, nH, T, hd)
    let k4 = toBhtd(rope(heads(k, nKv), "rope_cos", "rope_sin")); // (B, nKv, T, hd)
    let v4 = toBhtd(heads(v, nKv)); // (B, nKv, T, hd)
    if (kind === "decode") {
      const pk = `past_key_values.${l}.key`;
      const pv = `past_key_values.${l}.value`;
      inputs.push({ name: pk, type: ONNX_FLOAT, dims: ["batch", nKv, "past", hd] }, { name: pv, type: ONNX_FLOAT, dims: ["batch", nKv, "past", hd] });
      const presentK = `present.${l}.key`;
      const presentV = `present.${l}.value`;
      g.nodes.push({ op: "Concat", inputs: [pk, k4], outputs: [presentK], attributes: [{ name: "axis", int: 2 }] });
      g.nodes.push({ op: "Concat", inputs: [pv, v4], outputs: [presentV], attributes: [{ name: "axis", int: 2 }] });
      outputs.push({ name: presentK, type: ONNX_FLOAT, dims: ["batch", nKv, "total", hd] }, { name: presentV, type: ONNX_FLOAT, dims: ["batch", nKv, "total", hd] });
      k4 = presentK;
      v4 = presentV;
    }
    // Grouped queries: the g heads sharing kv head j are q heads j·g … j·g + g − 1 (HF's repeat_kv), so
    // (B, nH, T, hd) → (B, nKv, g·T, hd) pairs each with its kv head without copying keys.
    const qg = group === 1 ? q4 : g.one("Reshape", [q4, g.ints([0, nKv, -1, hd])]);
    const scores = g.one("MatMul", [qg, g.one("Transpose", [k4], [{ name: "perm", ints: [0, 1, 3, 2] }])]); // (B, nKv, g·T, S)
    const masked = g.one("Add", [group === 1 ? scores : g.one("Reshape", [scores, g.ints([0, nH, -1, 0])]), "attn_bias"]); // (B, nH, T, S)
    let probs = g.one("Softmax", [masked], [{ name: "axis", int: -1 }]);
    if (group !== 1) probs = g.one("Reshape", [probs, g.ints([0, nKv, -1, 0])]); // (B, nKv, g·T, S)
    let att = g.one("MatMul", [probs, v4]); // (B, nKv, g·T, hd)
    if (group !== 1) att = g.one("Reshape", [att, g.ints([0, nH, -1, hd])]); // (B, nH, T, hd)
    const merged = g.one("Reshape", [toBhtd(att), g.ints([0, 0, nH * hd])]); // (B, T, nH·hd)
    const wo = transposed(get(`${p}self_attn.o_proj.weight`));
    x = g.one("Add", [x, g.one("MatMul", [merged, g.weight(`l${l}.o`, [nH * hd, D], wo)])]); // (B, T, D)
    const gu = concatColumns([transposed(get(`${p}mlp.gate_proj.weight`)), transposed(get(`${p}mlp.up_proj.weight`))], D);
    const h2 = rmsNorm(x, g.weight(`l${l}.post_norm`, [D], get(`${p}post_attention_layernorm.weight`).data));
    const [gate, up] = g.op("Split", [g.one("MatMul", [h2, g.weight(`l${l}.gate_up`, [D, 2 * I], gu.data)]), g.ints([I, I])], [{ name: "axis", int: -1 }], 2) as [string, string];
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
  return encodeOnnxModel({ name: `llama-${kind}`, opset: LLAMA_ONNX_OPSET, nodes: g.nodes, initializers: g.initializers, inputs, outputs });
}
