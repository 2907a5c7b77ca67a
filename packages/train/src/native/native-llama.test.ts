import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { llamaEvalModel, llamaScorer } from "../adapters/llama-adapters.ts";
import { selectBackend } from "../model/backend.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import type { ModelConfig, WeightMap } from "../model/config.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import { type Xoshiro128, xoshiro128 } from "@longpo/io";
import { loadTokenizer } from "../model/tokenizer.ts";
import { tinyConfig } from "../model/_test-configs.ts";
import { NativeLlama } from "./native-llama.ts";
import { openInference } from "./open-inference.ts";

const m0Dir = fileURLToPath(new URL("../../models/m0", import.meta.url));

/** Per-token log π(labels[b, t] | ids[b, ≤ t]) from the TF.js model: an independent implementation of the same math. */
function tfjsTokenLogps(model: LlamaModel, ids: Int32Array, labels: Int32Array, b: number, t: number): Float32Array {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(model.forward(tf.tensor2d(ids, [b, t], "int32"))); // (B, T, V)
    const v = model.config.vocabSize;
    const flat = tf.reshape(logp, [b * t * v]); // (B·T·V)
    const at = Int32Array.from(labels, (label, i) => i * v + label);
    return tf.gather(flat, tf.tensor1d(at, "int32")).dataSync() as Float32Array; // (B·T)
  });
}

function randomIds(rng: Xoshiro128, n: number, vocab: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
}

/** The TF.js model and the native model of one checkpoint, compared on scoring and decoding. */
function parity(name: string, load: () => Promise<{ config: ModelConfig; weights: WeightMap }>) {
  describe(`native inference equals TF.js wasm: ${name}`, () => {
    let model: LlamaModel;
    let native: NativeLlama;
    beforeAll(async () => {
      await selectBackend("wasm");
      const { config, weights } = await load();
      model = LlamaModel.fromWeights(config, weights);
      native = await NativeLlama.create(config, weights, { threads: 1 });
      return async () => {
        model.dispose();
        await native.dispose();
      };
    });

    it("gives every token's log-prob within 1e-4 and the same argmax", async () => {
      const { vocabSize } = model.config;
      const rng = xoshiro128(5);
      const [b, t] = [3, 40];
      const ids = randomIds(rng, b * t, vocabSize);
      const labels = randomIds(rng, b * t, vocabSize);
      const expected = tfjsTokenLogps(model, ids, labels, b, t);
      const { logps, greedy } = await native.tokenScores(ids, labels, b, t);
      let worst = 0;
      for (let i = 0; i < b * t; i++) worst = Math.max(worst, Math.abs(logps[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-4);
      const argmax = tf.tidy(() => tf.argMax(model.forward(tf.tensor2d(ids, [b, t], "int32")), -1).dataSync()); // (B·T)
      expect(Array.from(greedy)).toEqual(Array.from(argmax));
    });

    it("decodes a left-padded batch greedily to the same tokens, cached and uncached", async () => {
      const rng = xoshiro128(9);
      const prompts = [5, 17, 1].map((n) => Array.from(randomIds(rng, n, model.config.vocabSize)));
      const opts = { maxNewTokens: 10, temperature: 0, eosTokenIds: [] };
      const expected = await generate(model, prompts, opts);
      expect(await generate(native, prompts, opts)).toEqual(expected);
      expect(await generate(native, prompts, { ...opts, useCache: false })).toEqual(expected);
    });

    it("samples the same tokens with the same seed and applies a logits processor", async () => {
      const prompts = [[1, 4], [2, 3, 5, 7]];
      const allowed = new Set([6, 8, 10]);
      const opts = {
        maxNewTokens: 6,
        temperature: 0.7,
        topP: 0.9,
        seed: 3,
        eosTokenIds: [],
        logitsProcessor: (_row: number, step: number, logits: Float32Array) => {
          if (step === 0) for (let v = 0; v < logits.length; v++) if (!allowed.has(v)) logits[v] = Number.NEGATIVE_INFINITY;
        },
      };
      const expected = await generate(model, prompts, opts);
      const got = await generate(native, prompts, opts);
      expect(got).toEqual(expected);
      for (const r of got) expect(allowed.has(r.tokenIds[0]!)).toBe(true);
    });
  });
}

parity("the shipped M0", () => loadCheckpoint(m0Dir));
parity("GQA, untied head, YaRN scaling (fused attention in scoring)", async () => {
  const config = tinyConfig({ headDim: 8, ropeScaling: { type: "yarn", factor: 4, originalMaxPositionEmbeddings: 16, betaFast: 32, betaSlow: 1, attentionFactor: null } });
  return { config, weights: LlamaModel.random(config, 21, 0.3).weights() };
});
parity("tied head, Llama-3 scaling, sliding window, q/k/v biases (masked attention everywhere)", async () => {
  const config = tinyConfig({
    architecture: "qwen2",
    attentionBias: true,
    tieWordEmbeddings: true,
    slidingWindow: 8,
    ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 32 },
  });
  return { config, weights: LlamaModel.random(config, 22, 0.3).weights() };
});

describe("native inference through the adapters", () => {
  it("scores chat completions and continuations as the TF.js adapters do", async () => {
    await selectBackend("wasm");
    const { config, weights } = await loadCheckpoint(m0Dir);
    const tok = await loadTokenizer(m0Dir);
    const model = LlamaModel.fromWeights(config, weights);
    const native = await openInference(config, weights, "native", { threads: 1 });
    try {
      expect("engine" in native).toBe(true);
      const items = [
        { messages: [{ role: "user" as const, content: "who lives in the red house ?" }], completion: "the baker" },
        { messages: [{ role: "user" as const, content: "where is the cat ?" }], completion: "in the garden" },
      ];
      const want = await llamaScorer(model, tok, { name: "tfjs" }).score(items);
      const got = await llamaScorer(native, tok, { name: "native" }).score(items);
      got.forEach((g, i) => {
        expect(g.tokens).toBe(want[i]!.tokens);
        expect(Math.abs(g.logprob - want[i]!.logprob)).toBeLessThan(1e-4);
      });
      const requests = [{ context: "the cat", continuation: " is in the garden" }];
      const [a] = await llamaEvalModel(model, tok, { name: "tfjs" }).logLikelihood!(requests);
      const [b] = await llamaEvalModel(native, tok, { name: "native" }).logLikelihood!(requests);
      expect(Math.abs(b!.logprob - a!.logprob)).toBeLessThan(1e-4);
      expect(b!.isGreedy).toBe(a!.isGreedy);
    } finally {
      model.dispose();
      await native.dispose();
    }
  });

  it("opens TF.js when asked, and rejects weights of the wrong shape", async () => {
    const config = tinyConfig();
    const weights = LlamaModel.random(config, 1).weights();
    const tfjs = await openInference(config, weights, "tfjs");
    expect(tfjs).toBeInstanceOf(LlamaModel);
    tfjs.dispose();
    const bad: WeightMap = new Map(weights);
    bad.set("model.norm.weight", { shape: [3], data: new Float32Array(3) });
    await expect(NativeLlama.create(config, bad)).rejects.toThrow(/model\.norm\.weight must have shape \[16\], got \[3\]/);
  });
});
