import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomWeights, seededUniform } from "./_random-weights.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { CheckpointError } from "./checkpoint-error.ts";
import { type ModelConfig, type WeightMap } from "./config.ts";
import { bfloat16ToFloat32, encodeSafetensors, float32ToBfloat16 } from "./safetensors.ts";
import { tinyConfig } from "./_test-configs.ts";

const base = tinyConfig({ vocabSize: 40, maxPositionEmbeddings: 64, padTokenId: null });

const configs: ModelConfig[] = [
  base,
  { ...base, tieWordEmbeddings: true, ropeScaling: { type: "linear", factor: 2 } },
  { ...base, architecture: "mistral", slidingWindow: 8 },
  { ...base, architecture: "qwen2", attentionBias: true, tieWordEmbeddings: true, bosTokenId: null },
];

function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

async function expectCheckpointError(dir: string, file: RegExp, problem: RegExp): Promise<void> {
  try {
    await loadCheckpoint(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).file).toMatch(file);
    expect((e as CheckpointError).problem).toMatch(problem);
    return;
  }
  throw new Error(`expected loadCheckpoint(${dir}) to fail`);
}

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "longpo-ckpt-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("saveCheckpoint and loadCheckpoint", () => {
  it("round-trips random models bit for bit in F32", async () => {
    for (const [i, config] of configs.entries()) {
      const weights = randomWeights(config, i + 1);
      const dir = join(root, `f32-${i}`);
      await saveCheckpoint(dir, { config, weights });
      const loaded = await loadCheckpoint(dir);
      expect(loaded.config).toEqual(config);
      expect([...loaded.weights.keys()].sort()).toEqual([...weights.keys()].sort());
      for (const [name, { shape, data }] of weights) {
        expect(loaded.weights.get(name)!.shape).toEqual(shape);
        expect(bits(loaded.weights.get(name)!.data)).toEqual(bits(data));
      }
    }
  });

  it("round-trips BF16 as the nearest-even rounding of every weight, and BF16 again is a fixed point", async () => {
    const config = configs[3]!;
    const weights = randomWeights(config, 7);
    await saveCheckpoint(join(root, "bf16"), { config, weights }, { dtype: "BF16" });
    const loaded = await loadCheckpoint(join(root, "bf16"));
    let maxRelative = 0;
    for (const [name, { data }] of weights) {
      const got = loaded.weights.get(name)!.data;
      const expected = Float32Array.from(data, (x) => bfloat16ToFloat32(float32ToBfloat16(x)));
      expect(bits(got)).toEqual(bits(expected));
      for (let j = 0; j < data.length; j++) {
        maxRelative = Math.max(maxRelative, Math.abs((got[j]! - data[j]!) / data[j]!));
      }
    }
    // 8 significant bits: rounding to nearest moves a value by at most half a unit, 2^-8 relative
    expect(maxRelative).toBeLessThanOrEqual(2 ** -8);
    expect(maxRelative).toBeGreaterThan(0);
    await saveCheckpoint(join(root, "bf16-again"), loaded, { dtype: "BF16" });
    expect(await readFile(join(root, "bf16-again", "model.safetensors")))
      .toEqual(await readFile(join(root, "bf16", "model.safetensors")));
  });

  it("loads a sharded checkpoint", async () => {
    const weights = randomWeights(base, 3);
    await saveCheckpoint(join(root, "sharded"), { config: base, weights }, { maxShardBytes: 4096 });
    const files = await readdir(join(root, "sharded"));
    expect(files).toContain("model.safetensors.index.json");
    expect(files.filter((f) => f.endsWith(".safetensors")).length).toBeGreaterThan(2);
    const loaded = await loadCheckpoint(join(root, "sharded"));
    for (const [name, { data }] of weights) expect(bits(loaded.weights.get(name)!.data)).toEqual(bits(data));
  });

  it("replaces an existing folder whole and leaves no staging folder behind", async () => {
    const dir = join(root, "replace");
    await saveCheckpoint(dir, { config: base, weights: randomWeights(base, 1) });
    await writeFile(join(dir, "stale.txt"), "from before");
    const weights = randomWeights(base, 2);
    await saveCheckpoint(dir, { config: base, weights });
    expect((await readdir(dir)).sort()).toEqual(["config.json", "model.safetensors"]);
    const loaded = await loadCheckpoint(dir);
    expect(bits(loaded.weights.get("model.norm.weight")!.data)).toEqual(bits(weights.get("model.norm.weight")!.data));
    expect((await readdir(root)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("leaves the target untouched when saving fails", async () => {
    const dir = join(root, "untouched");
    const weights = randomWeights(base, 5);
    await saveCheckpoint(dir, { config: base, weights });
    const before = await readFile(join(dir, "model.safetensors"));
    await expect(saveCheckpoint(dir, { config: base, weights: randomWeights(base, 6) }, {
      tokenizerFrom: join(root, "no-tokenizer-here"),
    })).rejects.toThrow(/tokenizer to copy is missing/);
    expect(await readFile(join(dir, "model.safetensors"))).toEqual(before);
    expect((await readdir(root)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("copies the tokenizer files when asked", async () => {
    const tokDir = join(root, "tok");
    await mkdir(tokDir);
    await writeFile(join(tokDir, "tokenizer.json"), "{}");
    await writeFile(join(tokDir, "tokenizer_config.json"), "{\"x\":1}");
    await saveCheckpoint(join(root, "with-tok"), { config: base, weights: randomWeights(base) }, { tokenizerFrom: tokDir });
    expect((await readdir(join(root, "with-tok"))).sort())
      .toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    expect(await readFile(join(root, "with-tok", "tokenizer_config.json"), "utf8")).toBe("{\"x\":1}");
  });

  it("refuses to save weights that do not fit the config", async () => {
    const weights = randomWeights(base);
    weights.delete("model.norm.weight");
    await expect(saveCheckpoint(join(root, "unfit"), { config: base, weights })).rejects.toThrow(TypeError);
    expect(existsSync(join(root, "unfit"))).toBe(false);
  });
});

describe("loadCheckpoint on bad checkpoints", () => {
  async function folderWith(name: string, config: unknown, weights: WeightMap | Uint8Array): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
    await writeFile(join(dir, "model.safetensors"), weights instanceof Uint8Array ? weights : encodeSafetensors(weights));
    return dir;
  }
  const hf = async () => JSON.parse(await readFile(join(root, "f32-0", "config.json"), "utf8"));

  it("names missing, unexpected and misshapen tensors", async () => {
    const weights = randomWeights(base);
    weights.delete("model.layers.1.mlp.up_proj.weight");
    weights.set("model.layers.9.extra", { shape: [1], data: new Float32Array(1) });
    weights.set("model.norm.weight", { shape: [15], data: new Float32Array(15) });
    const dir = await folderWith("misfit", await hf(), weights);
    await expectCheckpointError(dir, /misfit\/model\.safetensors$/, /missing tensors model\.layers\.1\.mlp\.up_proj\.weight/);
    await expectCheckpointError(dir, /model\.safetensors$/, /unexpected tensors model\.layers\.9\.extra/);
    await expectCheckpointError(dir, /model\.safetensors$/, /model\.norm\.weight must have shape \[16\], got \[15\]/);
  });

  it("ignores rotary buffers and a tied head, as transformers does", async () => {
    const config = { ...base, tieWordEmbeddings: true };
    const weights = randomWeights(config);
    weights.set("model.layers.0.self_attn.rotary_emb.inv_freq", { shape: [2], data: new Float32Array(2) });
    weights.set("lm_head.weight", weights.get("model.embed_tokens.weight")!);
    const dir = await folderWith("tied-extra", { ...(await hf()), tie_word_embeddings: true }, weights);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.weights.has("lm_head.weight")).toBe(false);
    expect(loaded.weights.size).toBe(randomWeights(config).size);
  });

  it("names config.json when it is missing, not JSON or invalid", async () => {
    const weights = randomWeights(base);
    await expectCheckpointError(join(root, "nowhere"), /nowhere\/config\.json$/, /cannot be read/);
    await expectCheckpointError(await folderWith("not-json", "{", weights), /config\.json$/, /valid JSON/);
    const dir = await folderWith("bad-field", { ...(await hf()), num_hidden_layers: "two" }, weights);
    await expectCheckpointError(dir, /config\.json$/, /num_hidden_layers/);
  });

  it("rejects a NaN or an infinite weight, naming the tensor and the index", async () => {
    for (const [i, bad] of [Number.NaN, Infinity, -Infinity].entries()) {
      const weights = randomWeights(base, 11);
      weights.get("model.layers.1.mlp.down_proj.weight")!.data[17] = bad;
      const dir = await folderWith(`non-finite-${i}`, await hf(), weights);
      await expectCheckpointError(dir, /model\.safetensors$/, new RegExp(`tensor model\\.layers\\.1\\.mlp\\.down_proj\\.weight holds ${bad} at index 17`));
    }
    // BF16 storage: 0x7f80 is +Infinity in bfloat16
    const weights = randomWeights(base, 12);
    await saveCheckpoint(join(root, "bf16-inf"), { config: base, weights }, { dtype: "BF16" });
    const file = join(root, "bf16-inf", "model.safetensors");
    const bytes = new Uint8Array(await readFile(file));
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    bytes.set([0x80, 0x7f], 8 + headerLength); // the first value of the first tensor in the data
    await writeFile(file, bytes);
    await expectCheckpointError(join(root, "bf16-inf"), /model\.safetensors$/, /holds Infinity at index 0/);
  });

  it("rejects bos, eos and pad token ids outside the vocabulary, naming the field", async () => {
    const weights = randomWeights(base);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ bos_token_id: 5000 }, /field bos_token_id must be a token id below vocab_size 40, got 5000/],
      [{ eos_token_id: [2, 40] }, /field eos_token_id must be a token id below vocab_size 40, got 40/],
      [{ pad_token_id: 41 }, /field pad_token_id must be a token id below vocab_size 40, got 41/],
    ];
    for (const [i, [fields, problem]] of cases.entries()) {
      const dir = await folderWith(`bad-token-${i}`, { ...(await hf()), ...fields }, weights);
      await expectCheckpointError(dir, /config\.json$/, problem);
    }
    // The last id of the vocabulary is a valid one.
    await loadCheckpoint(await folderWith("last-token", { ...(await hf()), eos_token_id: 39 }, weights));
  });

  it("turns random corruption of the weights file into CheckpointError, never a crash", async () => {
    const good = encodeSafetensors(randomWeights({ ...base, numLayers: 1, vocabSize: 4, intermediateSize: 2 }));
    const config = { ...(await hf()), num_hidden_layers: 1, vocab_size: 4, intermediate_size: 2 };
    const next = seededUniform(9);
    let failures = 0;
    for (let trial = 0; trial < 40; trial++) {
      const bytes = good.slice();
      const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      for (let f = 0; f < 3; f++) bytes[Math.floor(next() * (8 + headerLength))] = Math.floor(next() * 256);
      const dir = await folderWith(`fuzz-${trial}`, config, bytes);
      try {
        await loadCheckpoint(dir);
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(20);
  });
});
