import { existsSync, readdirSync, readFileSync } from "node:fs";
import { toy3m } from "../../../../bench/_toy3m.ts";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tinyConfig } from "./_test-configs.ts";
import { CheckpointError } from "./checkpoint-error.ts";
import {
  type ModelConfig,
  parameterShapes,
  parseModelConfig,
  ropeFrequencies,
  toHfConfig,
  withRopeTheta,
} from "./config.ts";

const HF_CONFIGS = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "assets", "hf-configs");
const configFiles = existsSync(HF_CONFIGS) ? readdirSync(HF_CONFIGS).filter((f) => f.endsWith(".json")) : [];
if (configFiles.length === 0) console.warn(`skipping real-config tests: ${HF_CONFIGS} is missing`);

function readConfig(file: string): ModelConfig {
  return parseModelConfig(JSON.parse(readFileSync(join(HF_CONFIGS, file), "utf8")), file);
}

/** The same architecture at a size a test can hold: 2 layers, head_dim 8, the real head counts. */
function reduced(config: ModelConfig): ModelConfig {
  return {
    ...config,
    vocabSize: 50,
    hiddenSize: config.numHeads * 8,
    headDim: 8,
    intermediateSize: 24,
    numLayers: 2,
  };
}

const tiny = tinyConfig({ vocabSize: 32, intermediateSize: 40, maxPositionEmbeddings: 8, padTokenId: null });

describe("parseModelConfig", () => {
  it.runIf(configFiles.length > 0)("parses every real config in the shared assets and round-trips it", () => {
    expect(configFiles.length).toBeGreaterThanOrEqual(7);
    for (const file of configFiles) {
      const config = readConfig(file);
      expect(parseModelConfig(toHfConfig(config))).toEqual(config);
    }
  });

  it.runIf(configFiles.length > 0)("reads the fields that differ between the real architectures", () => {
    const llama3 = readConfig("llama3_2_1b.config.json");
    expect(llama3).toMatchObject({
      architecture: "llama",
      numHeads: 32,
      numKvHeads: 8,
      headDim: 64,
      tieWordEmbeddings: true,
      eosTokenIds: [128001, 128008, 128009],
      ropeScaling: { type: "llama3", factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
    });
    const qwen = readConfig("qwen2_0_5b.config.json");
    // use_sliding_window is false, so the 32768 window is not applied; q/k/v biases are always on for qwen2
    expect(qwen).toMatchObject({ architecture: "qwen2", attentionBias: true, slidingWindow: null, headDim: 64 });
    expect(qwen.rmsNormEps).toBe(1e-6);
    // Mistral 7B v0.1 leaves sliding_window out: Hugging Face's default 4096 applies; v0.3 sets it to null
    expect(readConfig("mistral_7b.config.json").slidingWindow).toBe(4096);
    expect(readConfig("mistral_7b_v03.config.json").slidingWindow).toBeNull();
    // Llama-2 leaves rope_theta out: the default 10000
    expect(readConfig("llama2_7b.config.json")).toMatchObject({ ropeTheta: 10000, numKvHeads: 32, padTokenId: 0 });
  });

  it("rejects another architecture with an error that lists the supported ones", () => {
    const hf = { ...toHfConfig(tiny), model_type: "gpt2" };
    expect(() => parseModelConfig(hf, "models/x/config.json")).toThrow(CheckpointError);
    expect(() => parseModelConfig(hf, "models/x/config.json")).toThrow(/llama, mistral, qwen2, got gpt2/);
    try {
      parseModelConfig(hf, "models/x/config.json");
    } catch (e) {
      expect((e as CheckpointError).file).toBe("models/x/config.json");
    }
  });

  it("names the file and the field when a field is missing or invalid", () => {
    const { hidden_size: _, ...missing } = toHfConfig(tiny);
    expect(() => parseModelConfig(missing, "a/config.json")).toThrow(/a\/config\.json.*hidden_size/);
    const bad = { ...toHfConfig(tiny), num_key_value_heads: 3 };
    expect(() => parseModelConfig(bad, "b/config.json")).toThrow(/b\/config\.json.*num_key_value_heads/);
    expect(() => parseModelConfig({ ...toHfConfig(tiny), rope_scaling: { rope_type: "longrope", factor: 2 } }))
      .toThrow(/rope_scaling\.rope_type/);
    expect(() => parseModelConfig(null)).toThrow(CheckpointError);
  });

  it("fills Hugging Face's defaults for fields a config leaves out", () => {
    const config = parseModelConfig({
      model_type: "llama",
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    });
    expect(config).toMatchObject({
      numKvHeads: 2,
      headDim: 4,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      ropeScaling: null,
      maxPositionEmbeddings: 2048,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenIds: [2],
    });
  });

  it("round-trips every rope scaling type through toHfConfig", () => {
    const scalings: ModelConfig["ropeScaling"][] = [
      { type: "linear", factor: 4 },
      { type: "dynamic", factor: 2 },
      {
        type: "yarn",
        factor: 4,
        originalMaxPositionEmbeddings: 2048,
        betaFast: 32,
        betaSlow: 1,
        attentionFactor: null,
      },
      { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 1024 },
    ];
    for (const ropeScaling of scalings) {
      const config = { ...tiny, ropeScaling };
      expect(parseModelConfig(toHfConfig(config))).toEqual(config);
    }
  });
});

describe("withRopeTheta", () => {
  it("returns a copy with the new base and leaves the original alone", () => {
    const policy = withRopeTheta(tiny, 1e6);
    expect(policy.ropeTheta).toBe(1e6);
    expect(tiny.ropeTheta).toBe(10000);
    expect(() => withRopeTheta(tiny, 0)).toThrow(RangeError);
  });
});

describe("parameterShapes", () => {
  it.runIf(configFiles.length > 0)("gives every reduced real config the Hugging Face names and shapes", () => {
    for (const file of configFiles) {
      const config = reduced(readConfig(file));
      const shapes = parameterShapes(config);
      const H = config.hiddenSize;
      const perLayer = 9 + (config.attentionBias ? 3 : 0);
      expect(shapes.size).toBe(1 + 2 * perLayer + 1 + (config.tieWordEmbeddings ? 0 : 1));
      expect(shapes.get("model.embed_tokens.weight")).toEqual([50, H]);
      expect(shapes.get("model.layers.1.self_attn.q_proj.weight")).toEqual([config.numHeads * 8, H]);
      expect(shapes.get("model.layers.1.self_attn.k_proj.weight")).toEqual([config.numKvHeads * 8, H]);
      expect(shapes.get("model.layers.1.self_attn.v_proj.weight")).toEqual([config.numKvHeads * 8, H]);
      expect(shapes.get("model.layers.1.self_attn.o_proj.weight")).toEqual([H, config.numHeads * 8]);
      expect(shapes.get("model.layers.0.mlp.gate_proj.weight")).toEqual([24, H]);
      expect(shapes.get("model.layers.0.mlp.up_proj.weight")).toEqual([24, H]);
      expect(shapes.get("model.layers.0.mlp.down_proj.weight")).toEqual([H, 24]);
      expect(shapes.get("model.layers.0.input_layernorm.weight")).toEqual([H]);
      expect(shapes.get("model.layers.0.post_attention_layernorm.weight")).toEqual([H]);
      expect(shapes.get("model.norm.weight")).toEqual([H]);
      expect(shapes.get("lm_head.weight")).toEqual(config.tieWordEmbeddings ? undefined : [50, H]);
      expect(shapes.get("model.layers.0.self_attn.q_proj.bias")).toEqual(
        config.architecture === "qwen2" ? [config.numHeads * 8] : undefined,
      );
      expect(shapes.get("model.layers.0.self_attn.k_proj.bias")).toEqual(
        config.architecture === "qwen2" ? [config.numKvHeads * 8] : undefined,
      );
      expect(shapes.has("model.layers.2.input_layernorm.weight")).toBe(false);
    }
  });

  it("counts the toy-3M parameters of the issue (3.2M), the config the benches run", () => {
    let total = 0;
    for (const shape of parameterShapes(toy3m).values()) total += shape.reduce((a, b) => a * b, 1);
    // embed + head 2·512·256 = 262,144; per layer q,o 2·256² = 131,072, k,v 2·128·256 = 65,536,
    // MLP 3·704·256 = 540,672, norms 512 → 737,792 × 4 = 2,951,168; final norm 256 → 3,213,568
    expect(total).toBe(3_213_568);
  });
});

describe("ropeFrequencies", () => {
  it("gives 1/θ^(2i/d) without scaling", () => {
    // d = 4, θ = 10000: [1/10000^0, 1/10000^(2/4)] = [1, 0.01]
    const { invFreq, attentionScaling } = ropeFrequencies(tiny);
    expect(Array.from(invFreq)).toEqual([1, Math.fround(0.01)]);
    expect(attentionScaling).toBe(1);
  });

  it("divides the frequencies by the factor for linear scaling", () => {
    // [1, 0.01] / 4 = [0.25, 0.0025]
    const { invFreq } = ropeFrequencies({ ...tiny, ropeScaling: { type: "linear", factor: 4 } });
    expect(invFreq[0]).toBe(0.25);
    expect(invFreq[1]).toBeCloseTo(0.0025, 9);
  });

  it("raises the base only beyond the trained length for dynamic scaling", () => {
    const config: ModelConfig = { ...tiny, ropeScaling: { type: "dynamic", factor: 2 } }; // maxPos 8
    // seqLen 8 ≤ 8: θ' = 10000·(2·8/8 − 1)^(4/2) = 10000 → unchanged [1, 0.01]
    expect(ropeFrequencies(config, 8).invFreq[1]).toBeCloseTo(0.01, 9);
    expect(ropeFrequencies(config).invFreq[1]).toBeCloseTo(0.01, 9);
    // seqLen 16: θ' = 10000·(2·16/8 − 1)^(4/2) = 10000·3² = 90000 → [1, 1/√90000] = [1, 1/300]
    const { invFreq } = ropeFrequencies(config, 16);
    expect(invFreq[0]).toBe(1);
    expect(invFreq[1]).toBeCloseTo(1 / 300, 9);
  });

  it("keeps high, divides low and blends middle frequencies for llama3 scaling", () => {
    const config: ModelConfig = {
      ...tiny,
      headDim: 8,
      ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 1024 },
    };
    // base: [1, 0.1, 0.01, 0.001]; wavelengths 2π/f = [6.28, 62.8, 628.3, 6283]
    // high-frequency bound 1024/4 = 256, low-frequency bound 1024/1 = 1024
    // i0, i1: wavelength < 256 → kept: 1, 0.1
    // i2: 256 ≤ 628.3 ≤ 1024 → s = (1024/628.3185 − 1)/(4 − 1) = 0.6297466/3 = 0.2099155,
    //     f = (1 − s)·0.01/8 + s·0.01 = 0.01·(0.125 + 0.875·0.2099155) = 0.003086761
    // i3: wavelength 6283 > 1024 → 0.001/8 = 0.000125
    const { invFreq, attentionScaling } = ropeFrequencies(config);
    expect(invFreq[0]).toBe(1);
    expect(invFreq[1]).toBeCloseTo(0.1, 7);
    expect(invFreq[2]).toBeCloseTo(0.003086761, 8);
    expect(invFreq[3]).toBeCloseTo(0.000125, 10);
    expect(attentionScaling).toBe(1);
  });

  it("ramps between interpolation and extrapolation and scales attention for yarn", () => {
    const yarn = {
      type: "yarn",
      factor: 4,
      originalMaxPositionEmbeddings: 2048,
      betaFast: 32,
      betaSlow: 1,
      attentionFactor: null,
    } as const;
    const config: ModelConfig = { ...tiny, headDim: 8, maxPositionEmbeddings: 8192, ropeScaling: yarn };
    // correction dim(r) = d·ln(2048/(2π·r)) / (2·ln θ) with d = 8, 2·ln 10000 = 18.42068
    //   r = 32: 8·ln(10.18592)/18.42068 = 8·2.321006/18.42068 = 1.00800 → floor → low = 1
    //   r = 1:  8·ln(325.9493)/18.42068 = 8·5.786741/18.42068 = 2.51315 → ceil → high = 3
    // ramp(i) = clamp((i − 1)/(3 − 1), 0, 1) = [0, 0, 0.5, 1]
    // f = f₀/4·ramp + f₀·(1 − ramp) with f₀ = [1, 0.1, 0.01, 0.001] → [1, 0.1, 0.00625, 0.00025]
    // attention scaling = 0.1·ln 4 + 1 = 1.1386294
    const { invFreq, attentionScaling } = ropeFrequencies(config);
    expect(invFreq[0]).toBe(1);
    expect(invFreq[1]).toBeCloseTo(0.1, 7);
    expect(invFreq[2]).toBeCloseTo(0.00625, 9);
    expect(invFreq[3]).toBeCloseTo(0.00025, 10);
    expect(attentionScaling).toBeCloseTo(1.1386294, 6);
    const explicit = ropeFrequencies({ ...config, ropeScaling: { ...yarn, attentionFactor: 1.5 } });
    expect(explicit.attentionScaling).toBe(1.5);
  });

  it.runIf(configFiles.length > 0)("divides Llama 3.2's slowest frequency by 32 and keeps its fastest", () => {
    const { invFreq } = ropeFrequencies(readConfig("llama3_2_1b.config.json"));
    expect(invFreq.length).toBe(32);
    expect(invFreq[0]).toBe(1);
    // slowest: 500000^(−62/64)/32; its wavelength 2π·500000^(62/64) ≈ 2.1e6 > 8192
    expect(invFreq[31]).toBeCloseTo(500000 ** (-62 / 64) / 32, 12);
  });
});
