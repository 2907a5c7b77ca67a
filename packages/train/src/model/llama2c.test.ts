import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededUniform } from "./_random-weights.ts";
import { hasStories260k, SHARED_ASSETS, STORIES260K_DIR, stories260kReference } from "./_stories260k.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { CheckpointError } from "./checkpoint-error.ts";
import { parameterShapes } from "./config.ts";
import {
  adjacentPairsToHalves,
  convertLlama2c,
  type Llama2cTokenizer,
  readLlama2cModel,
  readLlama2cTokenizer,
} from "./llama2c.ts";
import { type ChatTokenizer, loadTokenizer } from "./tokenizer.ts";

const STORIES = STORIES260K_DIR;
const hasStories = hasStories260k();
if (!hasStories) console.warn(`skipping stories260K conversion tests: ${STORIES} is missing`);
const STORIES260K_REFERENCE = hasStories ? stories260kReference() : "";

/**
 * A direct port of llama2.c's `encode` (run.c): a dummy-prefix space, one piece per UTF-8 character (else its
 * bytes as ids byte + 3), then repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece.
 */
function llama2cEncode(tok: Llama2cTokenizer, text: string): number[] {
  const lookup = new Map(tok.pieces.map((piece, id) => [piece, id]));
  const tokens: number[] = [];
  if (text.length > 0) tokens.push(lookup.get(" ")!);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) tokens.push(id);
    else for (const byte of new TextEncoder().encode(ch)) tokens.push(byte + 3);
  }
  for (;;) {
    let bestScore = -1e10;
    let bestId = -1;
    let bestIndex = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup.get(tok.pieces[tokens[i]!]! + tok.pieces[tokens[i + 1]!]!);
      if (id !== undefined && tok.scores[id]! > bestScore) {
        bestScore = tok.scores[id]!;
        bestId = id;
        bestIndex = i;
      }
    }
    if (bestIndex === -1) return tokens;
    tokens.splice(bestIndex, 2, bestId);
  }
}

describe("adjacentPairsToHalves", () => {
  it("makes rotate-half RoPE on the permuted projections give llama2.c's attention scores", () => {
    // One head of size 8 over 5 inputs: q = Wq·x, k = Wk·y rotated at positions 3 and 7.
    const headDim = 8;
    const cols = 5;
    const next = seededUniform(3);
    const rand = (n: number) => Float32Array.from({ length: n }, () => 2 * next() - 1);
    const wq = rand(headDim * cols);
    const wk = rand(headDim * cols);
    const x = rand(cols);
    const y = rand(cols);
    const project = (w: Float32Array, v: Float32Array) =>
      Array.from({ length: headDim }, (_, r) => v.reduce((s, vi, c) => s + w[r * cols + c]! * vi, 0));
    const freq = (i: number) => 1 / 10000 ** ((2 * i) / headDim);
    const ropeAdjacent = (v: number[], pos: number) => {
      const out = [...v];
      for (let i = 0; i < headDim / 2; i++) {
        const [c, s] = [Math.cos(pos * freq(i)), Math.sin(pos * freq(i))];
        out[2 * i] = v[2 * i]! * c - v[2 * i + 1]! * s;
        out[2 * i + 1] = v[2 * i]! * s + v[2 * i + 1]! * c;
      }
      return out;
    };
    const ropeHalves = (v: number[], pos: number) => {
      const out = [...v];
      const h = headDim / 2;
      for (let i = 0; i < h; i++) {
        const [c, s] = [Math.cos(pos * freq(i)), Math.sin(pos * freq(i))];
        out[i] = v[i]! * c - v[i + h]! * s;
        out[i + h] = v[i + h]! * c + v[i]! * s;
      }
      return out;
    };
    const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
    const llama2c = dot(ropeAdjacent(project(wq, x), 3), ropeAdjacent(project(wk, y), 7));
    const hf = dot(
      ropeHalves(project(adjacentPairsToHalves(wq, 1, headDim, cols), x), 3),
      ropeHalves(project(adjacentPairsToHalves(wk, 1, headDim, cols), y), 7),
    );
    expect(hf).toBeCloseTo(llama2c, 5);
    // without the permutation the scores differ
    const unpermuted = dot(ropeHalves(project(wq, x), 3), ropeHalves(project(wk, y), 7));
    expect(Math.abs(unpermuted - llama2c)).toBeGreaterThan(1e-3);
  });

  it("moves row 2i+j of each head to row j·d/2 + i", () => {
    // 2 heads of size 4, one column holding the row index: [0,1,2,3 | 4,5,6,7] → [0,2,1,3 | 4,6,5,7]
    const w = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(adjacentPairsToHalves(w, 2, 4, 1))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });
});

describe("readLlama2cModel on bad files", () => {
  it("rejects a truncated file, a bad header and the versioned format", () => {
    const header = new Int32Array([8, 16, 1, 2, 2, 4, 4]);
    const bytes = new Uint8Array(header.buffer);
    expect(() => readLlama2cModel(bytes.subarray(0, 12), "m.bin")).toThrow(CheckpointError);
    expect(() => readLlama2cModel(bytes, "m.bin")).toThrow(/implies \d+ bytes, but the file has 28/);
    expect(() => readLlama2cModel(new Uint8Array(new Int32Array([8, 16, 1, 3, 3, 4, 4]).buffer), "m.bin"))
      .toThrow(/n_heads 3 must divide dim 8/);
    expect(() => readLlama2cModel(new Uint8Array(new Int32Array([0x616b3432, 1, 1, 1, 1, 1, 1]).buffer), "m.bin"))
      .toThrow(/versioned/);
  });

  it("rejects a tokenizer file of the wrong length", () => {
    const bytes = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x61]); // max 1; piece "a", score 0
    expect(readLlama2cTokenizer(bytes, 1, "t.bin").pieces).toEqual(["a"]);
    expect(() => readLlama2cTokenizer(bytes, 2, "t.bin")).toThrow(/ends at piece 1 of 2/);
    expect(() => readLlama2cTokenizer(new Uint8Array([...bytes, 0]), 1, "t.bin")).toThrow(/1 bytes after 1 pieces/);
  });
});

describe.runIf(hasStories)("convertLlama2c on stories260K", () => {
  let out = "";
  let root = "";
  let tok: ChatTokenizer;
  let llamaTok: Llama2cTokenizer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "longpo-l2c-"));
    out = join(root, "stories260K");
    await convertLlama2c({
      modelPath: join(STORIES, "stories260K.bin"),
      tokenizerPath: join(STORIES, "tok512.bin"),
      outDir: out,
    });
    tok = await loadTokenizer(out);
    llamaTok = readLlama2cTokenizer(await readFile(join(STORIES, "tok512.bin")), 512, "tok512.bin");
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes a Hugging Face folder that loadCheckpoint reads with the stories260K shapes", async () => {
    expect((await readdir(out)).sort())
      .toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    const { config, weights } = await loadCheckpoint(out);
    // SOURCES.md: dim 64, hidden 172, 5 layers, 8 heads, 4 kv heads, vocab 512, context 512, shared classifier
    expect(config).toMatchObject({
      architecture: "llama",
      vocabSize: 512,
      hiddenSize: 64,
      intermediateSize: 172,
      numLayers: 5,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 8,
      maxPositionEmbeddings: 512,
      tieWordEmbeddings: true,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      bosTokenId: 1,
      eosTokenIds: [2],
    });
    expect(weights.get("model.layers.4.self_attn.k_proj.weight")!.shape).toEqual([32, 64]);
    expect(weights.get("model.layers.0.mlp.down_proj.weight")!.shape).toEqual([64, 172]);
    expect(weights.has("lm_head.weight")).toBe(false);
    let count = 0;
    for (const shape of parameterShapes(config).values()) count += shape.reduce((a, b) => a * b, 1);
    // 512·64 + 5·(2·64·64 + 2·32·64 + 3·172·64 + 2·64) + 64 = 32,768 + 5·45,440 + 64 = 260,032 ("260K")
    expect(count).toBe(260_032);
  });

  it("keeps the token embedding and the unpermuted tensors as llama2.c stores them", async () => {
    const bin = await readFile(join(STORIES, "stories260K.bin"));
    const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
    const { weights } = await loadCheckpoint(out);
    // the embedding starts right after the 28-byte header; token 5, feature 3 sits at float 5·64 + 3
    expect(weights.get("model.embed_tokens.weight")!.data[5 * 64 + 3]).toBe(view.getFloat32(28 + 4 * (5 * 64 + 3), true));
    // rms_att of layer 0 follows the 512·64 embedding
    expect(weights.get("model.layers.0.input_layernorm.weight")!.data[0]).toBe(view.getFloat32(28 + 4 * 512 * 64, true));
    // wq of layer 0 follows the 5·64 rms_att: HF row 1 (head 0, i = 1, j = 0) is llama2.c row 2
    const wq = 28 + 4 * (512 * 64 + 5 * 64);
    expect(weights.get("model.layers.0.self_attn.q_proj.weight")!.data[64]).toBe(view.getFloat32(wq + 4 * 2 * 64, true));
  });

  it("gives special tokens the ids of llama2.c and a chat template", () => {
    expect(tok.vocabSize).toBe(512);
    expect([tok.bosTokenId, tok.eosTokenId]).toEqual([1, 2]);
    expect(tok.encode("Once", { addSpecialTokens: true })[0]).toBe(1);
    const prompt = tok.applyChatTemplate([{ role: "user", content: "Hi" }], { addGenerationPrompt: true });
    expect(prompt).toBe("<s>user:\nHi\nassistant:\n");
  });

  it("encodes the reference text exactly as llama2.c's encoder and decodes it back", () => {
    const ids = llama2cEncode(llamaTok, STORIES260K_REFERENCE);
    expect(tok.encode(STORIES260K_REFERENCE)).toEqual(ids);
    expect(tok.decode(ids)).toBe(STORIES260K_REFERENCE);
    expect(tok.decode([1, ...ids], { skipSpecialTokens: true })).toBe(STORIES260K_REFERENCE);
  });

  it("matches llama2.c's encoder on Shakespeare lines, odd spacing and characters outside the vocabulary", async () => {
    const texts = ["", " ", "a", "  two  spaces ", "tab\there", "naïve café — 世界 🙂", "ID 1234567890 <s> x"];
    const shakespeare = join(SHARED_ASSETS, "haystack", "tinyshakespeare.txt");
    if (existsSync(shakespeare)) {
      const lines = (await readFile(shakespeare, "utf8")).split("\n").filter((l) => l.length > 0);
      for (let i = 0; i < lines.length; i += 97) texts.push(lines.slice(i, i + 3).join("\n"));
    }
    let checked = 0;
    for (const text of texts) {
      if (text.includes("<s>")) continue; // llama2.c has no special-token parsing; HF reads "<s>" as BOS
      expect(tok.encode(text)).toEqual(llama2cEncode(llamaTok, text));
      expect(tok.decode(tok.encode(text))).toBe(text);
      checked++;
    }
    expect(checked).toBeGreaterThan(6);
  });

  it("names the input file that cannot be read", async () => {
    await expect(convertLlama2c({
      modelPath: join(root, "missing.bin"),
      tokenizerPath: join(STORIES, "tok512.bin"),
      outDir: join(root, "never"),
    })).rejects.toThrow(/missing\.bin/);
    await writeFile(join(root, "short.bin"), new Uint8Array(10));
    await expect(convertLlama2c({
      modelPath: join(root, "short.bin"),
      tokenizerPath: join(STORIES, "tok512.bin"),
      outDir: join(root, "never"),
    })).rejects.toThrow(CheckpointError);
    expect(existsSync(join(root, "never"))).toBe(false);
  });
});
