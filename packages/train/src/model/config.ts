// ModelConfig: the Llama-family architecture description, read from and written to Hugging Face config.json.

import { z } from "zod";
import { CheckpointError } from "./checkpoint-error.ts";

export { ropeFrequencies } from "./rope-frequencies.ts";

/** The architectures this package runs (Hugging Face `model_type`). */
export type Architecture = "llama" | "mistral" | "qwen2";

/** The supported `model_type` values, in the order error messages list them. */
export const SUPPORTED_ARCHITECTURES: readonly Architecture[] = ["llama", "mistral", "qwen2"];

/** RoPE scaling, as Hugging Face's `rope_scaling` (camelCased, defaults resolved). */
export type RopeScaling =
  | { type: "linear"; factor: number }
  | { type: "dynamic"; factor: number }
  | {
    type: "yarn";
    factor: number;
    originalMaxPositionEmbeddings: number;
    betaFast: number;
    betaSlow: number;
    attentionFactor: number | null;
  }
  | {
    type: "llama3";
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositionEmbeddings: number;
  };

/** A causal LM's shape and constants, everything the forward pass needs besides the weights. */
export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projection biases (Qwen2: true). */
  attentionBias: boolean;
  /** Mistral's sliding attention window in tokens; null = full attention. */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

/** Weights in host memory, keyed by Hugging Face parameter names, row-major float32, shapes as `parameterShapes`. */
export type WeightMap = Map<string, { shape: number[]; data: Float32Array }>;

const positiveInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

/** `rope_scaling` as found in config.json; older files say `type`, newer `rope_type`. */
const HfRopeScaling = z.looseObject({
  type: z.string().optional(),
  rope_type: z.string().optional(),
  factor: z.number().positive().optional(),
  original_max_position_embeddings: positiveInt.optional(),
  beta_fast: z.number().positive().nullable().optional(),
  beta_slow: z.number().positive().nullable().optional(),
  attention_factor: z.number().positive().nullable().optional(),
  mscale: z.number().nullable().optional(),
  mscale_all_dim: z.number().nullable().optional(),
  low_freq_factor: z.number().positive().optional(),
  high_freq_factor: z.number().positive().optional(),
});

/** The fields of a Hugging Face config.json that this package reads; others are kept out of the way. */
export const HfConfig = z.looseObject({
  model_type: z.string(),
  vocab_size: positiveInt,
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: positiveInt.nullable().optional(),
  head_dim: positiveInt.nullable().optional(),
  hidden_act: z.string().optional(),
  rms_norm_eps: z.number().positive().optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: HfRopeScaling.nullable().optional(),
  partial_rotary_factor: z.number().optional(),
  max_position_embeddings: positiveInt.optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  sliding_window: positiveInt.nullable().optional(),
  use_sliding_window: z.boolean().optional(),
  max_window_layers: z.number().int().nonnegative().optional(),
  bos_token_id: tokenId.nullable().optional(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullable().optional(),
  pad_token_id: tokenId.nullable().optional(),
});
export type HfConfig = z.infer<typeof HfConfig>;

/** Hugging Face's defaults per architecture for fields a config.json may leave out. */
const HF_DEFAULTS: Record<
  Architecture,
  { maxPositionEmbeddings: number; slidingWindow: number | null; bosTokenId: number | null; eosTokenId: number | null }
> = {
  llama: { maxPositionEmbeddings: 2048, slidingWindow: null, bosTokenId: 1, eosTokenId: 2 },
  mistral: { maxPositionEmbeddings: 4096 * 32, slidingWindow: 4096, bosTokenId: 1, eosTokenId: 2 },
  qwen2: { maxPositionEmbeddings: 32768, slidingWindow: null, bosTokenId: null, eosTokenId: null },
};

const HF_ARCHITECTURE_CLASS: Record<Architecture, string> = {
  llama: "LlamaForCausalLM",
  mistral: "MistralForCausalLM",
  qwen2: "Qwen2ForCausalLM",
};

function isArchitecture(s: string): s is Architecture {
  return (SUPPORTED_ARCHITECTURES as readonly string[]).includes(s);
}

function parseRopeScaling(
  raw: z.infer<typeof HfRopeScaling> | null | undefined,
  maxPositionEmbeddings: number,
  fail: (field: string, problem: string) => never,
): RopeScaling | null {
  if (raw === null || raw === undefined) return null;
  const type = raw.rope_type ?? raw.type;
  if (type === undefined) return fail("rope_scaling.rope_type", "must be set");
  if (type === "default") return null;
  const factor = raw.factor;
  if (factor === undefined) return fail("rope_scaling.factor", `must be set for rope type ${type}`);
  switch (type) {
    case "linear":
      return { type: "linear", factor };
    case "dynamic":
      return { type: "dynamic", factor };
    case "yarn": {
      if (raw.mscale != null || raw.mscale_all_dim != null) {
        return fail("rope_scaling.mscale", "is not supported (DeepSeek-style yarn); leave mscale and mscale_all_dim out");
      }
      return {
        type: "yarn",
        factor,
        originalMaxPositionEmbeddings: raw.original_max_position_embeddings ?? maxPositionEmbeddings,
        betaFast: raw.beta_fast ?? 32,
        betaSlow: raw.beta_slow ?? 1,
        attentionFactor: raw.attention_factor ?? null,
      };
    }
    case "llama3": {
      const { low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: original } = raw;
      if (low === undefined || high === undefined || original === undefined) {
        return fail(
          "rope_scaling",
          "llama3 scaling needs low_freq_factor, high_freq_factor and original_max_position_embeddings",
        );
      }
      if (!(high > low)) return fail("rope_scaling.high_freq_factor", `must exceed low_freq_factor ${low}, got ${high}`);
      return { type: "llama3", factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: original };
    }
    default:
      return fail("rope_scaling.rope_type", `must be one of default, linear, dynamic, yarn, llama3, got ${type}`);
  }
}

/**
 * Reads a Hugging Face `config.json` (already parsed JSON) into a `ModelConfig`, filling Hugging Face's defaults.
 *
 * @param json The parsed config.json contents.
 * @param source The file it came from, named in errors (default "config.json").
 * @returns The validated config.
 * @throws {CheckpointError} naming the file and the field when a field is missing or invalid, when `model_type` is
 *   not one of `llama`, `mistral`, `qwen2` (the message lists them), when a bos/eos/pad token id is not below
 *   `vocab_size`, or when it asks for something unsupported.
 * @example
 * const config = parseModelConfig(JSON.parse(text), "model/config.json");
 */
export function parseModelConfig(json: unknown, source = "config.json"): ModelConfig {
  const fail = (field: string, problem: string): never => {
    throw new CheckpointError(source, `field ${field} ${problem}`);
  };
  if (typeof json === "object" && json !== null && "model_type" in json) {
    const modelType = (json as { model_type: unknown }).model_type;
    if (typeof modelType === "string" && !isArchitecture(modelType)) {
      fail("model_type", `must be one of ${SUPPORTED_ARCHITECTURES.join(", ")}, got ${modelType}`);
    }
  }
  const parsed = HfConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? "(root)" : issue.path.join(".");
    return fail(field, `is invalid: ${issue?.message ?? "not a config object"}`);
  }
  const hf = parsed.data;
  const architecture = hf.model_type;
  if (!isArchitecture(architecture)) {
    return fail("model_type", `must be one of ${SUPPORTED_ARCHITECTURES.join(", ")}, got ${architecture}`);
  }
  const defaults = HF_DEFAULTS[architecture];
  if (hf.hidden_act !== undefined && hf.hidden_act !== "silu") {
    fail("hidden_act", `must be silu (SwiGLU), got ${hf.hidden_act}`);
  }
  if (hf.mlp_bias === true) fail("mlp_bias", "must be false: MLP biases are not supported");
  if (hf.partial_rotary_factor !== undefined && hf.partial_rotary_factor !== 1) {
    fail("partial_rotary_factor", `must be 1, got ${hf.partial_rotary_factor}`);
  }
  const numHeads = hf.num_attention_heads;
  const numKvHeads = hf.num_key_value_heads ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    fail("num_key_value_heads", `must divide num_attention_heads ${numHeads}, got ${numKvHeads}`);
  }
  const headDim = hf.head_dim ?? hf.hidden_size / numHeads;
  if (!Number.isInteger(headDim)) {
    fail("num_attention_heads", `must divide hidden_size ${hf.hidden_size} when head_dim is absent, got ${numHeads}`);
  }
  if (headDim % 2 !== 0) fail("head_dim", `must be even for rotary embeddings, got ${headDim}`);

  // Qwen2 always has q/k/v biases; Llama's attention_bias also puts one on o_proj, which we do not model.
  const attentionBias = hf.attention_bias ?? architecture === "qwen2";
  if (architecture !== "qwen2" && attentionBias) {
    fail("attention_bias", `must be false for ${architecture}: attention biases are supported for qwen2 only`);
  }

  let slidingWindow: number | null = null;
  if (architecture === "mistral") {
    slidingWindow = hf.sliding_window === undefined ? defaults.slidingWindow : hf.sliding_window;
  } else if (architecture === "qwen2" && hf.use_sliding_window === true) {
    const fullLayers = hf.max_window_layers ?? 0;
    if (fullLayers > 0 && fullLayers < hf.num_hidden_layers) {
      fail("max_window_layers", "must be 0 or at least num_hidden_layers: per-layer sliding windows are not supported");
    }
    slidingWindow = fullLayers >= hf.num_hidden_layers ? null : (hf.sliding_window ?? 4096);
  }

  const maxPositionEmbeddings = hf.max_position_embeddings ?? defaults.maxPositionEmbeddings;
  const eos = hf.eos_token_id === undefined ? defaults.eosTokenId : hf.eos_token_id;
  const bos = hf.bos_token_id === undefined ? defaults.bosTokenId : hf.bos_token_id;
  const pad = hf.pad_token_id ?? null;
  const vocab = hf.vocab_size;
  for (const [field, ids] of [["bos_token_id", [bos]], ["eos_token_id", Array.isArray(eos) ? eos : [eos]], ["pad_token_id", [pad]]] as const) {
    for (const id of ids) {
      if (id !== null && id >= vocab) fail(field, `must be a token id below vocab_size ${vocab}, got ${id}`);
    }
  }
  return {
    architecture,
    vocabSize: hf.vocab_size,
    hiddenSize: hf.hidden_size,
    intermediateSize: hf.intermediate_size,
    numLayers: hf.num_hidden_layers,
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: hf.rms_norm_eps ?? 1e-6,
    ropeTheta: hf.rope_theta ?? 10000,
    ropeScaling: parseRopeScaling(hf.rope_scaling, maxPositionEmbeddings, fail),
    maxPositionEmbeddings,
    tieWordEmbeddings: hf.tie_word_embeddings ?? false,
    attentionBias,
    slidingWindow,
    bosTokenId: bos,
    eosTokenIds: eos === null ? [] : Array.isArray(eos) ? [...eos] : [eos],
    padTokenId: pad,
  };
}

function ropeScalingToHf(scaling: RopeScaling): Record<string, unknown> {
  // Both keys: transformers >= 4.43 reads rope_type, older releases read type.
  const head = { type: scaling.type, rope_type: scaling.type, factor: scaling.factor };
  switch (scaling.type) {
    case "linear":
    case "dynamic":
      return head;
    case "yarn":
      return {
        ...head,
        original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
        beta_fast: scaling.betaFast,
        beta_slow: scaling.betaSlow,
        ...(scaling.attentionFactor === null ? {} : { attention_factor: scaling.attentionFactor }),
      };
    case "llama3":
      return {
        ...head,
        low_freq_factor: scaling.lowFreqFactor,
        high_freq_factor: scaling.highFreqFactor,
        original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
      };
  }
}

/**
 * Writes a `ModelConfig` as a Hugging Face `config.json` object; `parseModelConfig(toHfConfig(c))` equals `c`.
 *
 * @example
 * await writeFile("config.json", JSON.stringify(toHfConfig(config), null, 2));
 */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  const eos = config.eosTokenIds.length === 0
    ? null
    : config.eosTokenIds.length === 1
    ? config.eosTokenIds[0]
    : [...config.eosTokenIds];
  const window: Record<string, unknown> = config.architecture === "mistral"
    ? { sliding_window: config.slidingWindow }
    : config.architecture === "qwen2"
    ? {
      use_sliding_window: config.slidingWindow !== null,
      sliding_window: config.slidingWindow,
      max_window_layers: config.slidingWindow === null ? config.numLayers : 0,
    }
    : {};
  return {
    architectures: [HF_ARCHITECTURE_CLASS[config.architecture]],
    model_type: config.architecture,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    hidden_act: "silu",
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: config.ropeScaling === null ? null : ropeScalingToHf(config.ropeScaling),
    max_position_embeddings: config.maxPositionEmbeddings,
    tie_word_embeddings: config.tieWordEmbeddings,
    attention_bias: config.attentionBias,
    ...window,
    bos_token_id: config.bosTokenId,
    eos_token_id: eos,
    pad_token_id: config.padTokenId,
    torch_dtype: "float32",
  };
}

/**
 * A copy of `config` with another RoPE base θ; LongPO raises it for the long-context stage while the reference
 * model keeps its own.
 *
 * @throws {RangeError} when `theta` is not a finite positive number.
 * @example
 * const policyConfig = withRopeTheta(config, 1e6);
 */
export function withRopeTheta(config: ModelConfig, theta: number): ModelConfig {
  if (!Number.isFinite(theta) || theta <= 0) {
    throw new RangeError(`Cannot override rope_theta: theta must be a finite positive number, got ${theta}`);
  }
  return { ...config, ropeTheta: theta, eosTokenIds: [...config.eosTokenIds] };
}

/**
 * Every parameter's Hugging Face name and shape, in checkpoint order (embeddings, layers, final norm, head).
 *
 * @returns `model.embed_tokens.weight` (V, H); per layer i `model.layers.{i}.self_attn.q_proj.weight` (nH·hd, H)
 *   (+ `.bias` (nH·hd) when `attentionBias`), `k_proj`/`v_proj` (nKV·hd, H) (+ bias), `o_proj` (H, nH·hd),
 *   `mlp.gate_proj`/`up_proj` (I, H), `mlp.down_proj` (H, I), `input_layernorm`/`post_attention_layernorm` (H);
 *   `model.norm.weight` (H); `lm_head.weight` (V, H) unless the embeddings are tied.
 * @example
 * parameterShapes(config).get("model.norm.weight"); // [config.hiddenSize]
 */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const { vocabSize: V, hiddenSize: H, intermediateSize: I, numHeads, numKvHeads, headDim } = config;
  const q = numHeads * headDim;
  const kv = numKvHeads * headDim;
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [V, H]);
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.self_attn.q_proj.weight`, [q, H]);
    if (config.attentionBias) shapes.set(`${p}.self_attn.q_proj.bias`, [q]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [kv, H]);
    if (config.attentionBias) shapes.set(`${p}.self_attn.k_proj.bias`, [kv]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [kv, H]);
    if (config.attentionBias) shapes.set(`${p}.self_attn.v_proj.bias`, [kv]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [H, q]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [I, H]);
    shapes.set(`${p}.mlp.up_proj.weight`, [I, H]);
    shapes.set(`${p}.mlp.down_proj.weight`, [H, I]);
    shapes.set(`${p}.input_layernorm.weight`, [H]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [H]);
  }
  shapes.set("model.norm.weight", [H]);
  if (!config.tieWordEmbeddings) shapes.set("lm_head.weight", [V, H]);
  return shapes;
}
