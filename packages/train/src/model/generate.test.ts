import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { generate, sampleToken } from "./generate.ts";
import { LlamaModel } from "./llama.ts";
import { type Xoshiro128, xoshiro128 } from "@longpo/io";
import { tinyConfig } from "./_test-configs.ts";

describe.each(["cpu", "wasm"] as const)("generate on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it("decodes greedily the same with and without the KV cache", async () => {
    const model = LlamaModel.random(tinyConfig(), 11, 0.3);
    const opts = { maxNewTokens: 12, temperature: 0, eosTokenIds: [] };
    const cached = await generate(model, [[1, 5, 9]], opts);
    const rerun = await generate(model, [[1, 5, 9]], { ...opts, useCache: false });
    expect(cached[0]!.tokenIds).toHaveLength(12);
    expect(cached).toEqual(rerun);
    expect(cached[0]!.finishReason).toBe("length");
    model.dispose();
  });

  it("decodes each row of a left-padded batch as it would alone", async () => {
    const model = LlamaModel.random(tinyConfig(), 12, 0.3);
    const prompts = [[1, 5], [1, 7, 8, 9, 10, 3], [4]];
    const opts = { maxNewTokens: 8, temperature: 0, eosTokenIds: [] };
    const batched = await generate(model, prompts, opts);
    for (const [i, p] of prompts.entries()) expect(batched[i]).toEqual((await generate(model, [p], opts))[0]);
    model.dispose();
  });

  it("applies a logits processor per row and step: a first token constrained to a set, the rest free", async () => {
    const model = LlamaModel.random(tinyConfig(), 13, 0.3);
    const opts = { maxNewTokens: 4, temperature: 0, eosTokenIds: [] };
    const free = await generate(model, [[1, 5], [1, 7, 8]], opts);
    // Allow at step 0 only tokens that greedy decoding did not pick, so the constraint must change the first token.
    const allowed = [new Set([2, 3].filter((t) => t !== free[0]!.tokenIds[0])), new Set([6])];
    const seen: [number, number][] = [];
    const constrained = await generate(model, [[1, 5], [1, 7, 8]], {
      ...opts,
      logitsProcessor: (row, step, logits) => {
        seen.push([row, step]);
        if (step === 0) for (let v = 0; v < logits.length; v++) if (!allowed[row]!.has(v)) logits[v] = Number.NEGATIVE_INFINITY;
      },
    });
    expect(allowed[0]!.has(constrained[0]!.tokenIds[0]!)).toBe(true);
    expect(constrained[1]!.tokenIds[0]).toBe(6);
    // After the constrained step, decoding continues greedily from the constrained prefix.
    for (const [i, p] of [[1, 5], [1, 7, 8]].entries()) {
      const first = constrained[i]!.tokenIds[0]!;
      const rest = await generate(model, [[...p, first]], { ...opts, maxNewTokens: 3 });
      expect(constrained[i]!.tokenIds.slice(1)).toEqual(rest[0]!.tokenIds);
    }
    expect(seen).toEqual([0, 1, 2, 3].flatMap((step) => [[0, step], [1, step]]));
    model.dispose();
  });

  it("samples reproducibly for a seed, and differently for another seed", async () => {
    const model = LlamaModel.random(tinyConfig(), 13, 0.5);
    const opts = { maxNewTokens: 16, temperature: 1.2, topK: 20, topP: 0.95, eosTokenIds: [] };
    const a = await generate(model, [[1, 2], [3]], { ...opts, seed: 5 });
    const b = await generate(model, [[1, 2], [3]], { ...opts, seed: 5 });
    const c = await generate(model, [[1, 2], [3]], { ...opts, seed: 6 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    model.dispose();
  });

  it("with top-k 1 samples the greedy tokens at any temperature", async () => {
    const model = LlamaModel.random(tinyConfig(), 14, 0.5);
    const greedy = await generate(model, [[1, 2]], { maxNewTokens: 10, temperature: 0, eosTokenIds: [] });
    const topOne = await generate(model, [[1, 2]], { maxNewTokens: 10, temperature: 3, topK: 1, eosTokenIds: [], seed: 9 });
    expect(topOne).toEqual(greedy);
    model.dispose();
  });

  it("stops on EOS and on a stop sequence, leaving them out, and streams only final tokens", async () => {
    const model = LlamaModel.random(tinyConfig(), 15, 0.3);
    const free = (await generate(model, [[1, 5]], { maxNewTokens: 10, temperature: 0, eosTokenIds: [] }))[0]!.tokenIds;
    const eos = await generate(model, [[1, 5]], { maxNewTokens: 10, temperature: 0, eosTokenIds: [free[3]!] });
    expect(eos[0]!.finishReason).toBe("eos");
    expect(eos[0]!.tokenIds).toEqual(free.slice(0, free.indexOf(free[3]!)));
    const streamed: number[] = [];
    const stop = await generate(model, [[1, 5]], {
      maxNewTokens: 10,
      temperature: 0,
      eosTokenIds: [],
      stopSequences: [[free[4]!, free[5]!]],
      onToken: (row, token) => streamed.push(row * 1000 + token),
    });
    const at = free.findIndex((t, i) => t === free[4] && free[i + 1] === free[5]);
    expect(stop[0]).toEqual({ tokenIds: free.slice(0, at), finishReason: "stop" });
    expect(streamed).toEqual(free.slice(0, at));
    model.dispose();
  });

  it("leaves no tensors behind", async () => {
    const model = LlamaModel.random(tinyConfig(), 16);
    const before = tf.memory().numTensors;
    await generate(model, [[1, 2, 3], [4]], { maxNewTokens: 5, temperature: 0.8, seed: 1 });
    await generate(model, [[1, 2, 3]], { maxNewTokens: 3, temperature: 0, useCache: false });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("rejects an empty prompt", async () => {
    const model = LlamaModel.random(tinyConfig(), 17);
    await expect(generate(model, [[]], { maxNewTokens: 2 })).rejects.toThrow(RangeError);
    model.dispose();
  });
});

/** The sampler's definition, written the slow way: sort every token, cut, walk from the most likely. */
function referenceSample(logits: Float32Array, temperature: number, topK: number, topP: number, rng: Xoshiro128): number {
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  const max = logits[order[0]!]!;
  const weights = keep.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((a, w) => a + w, 0);
  let cut = keep.length;
  let cumulative = 0;
  for (let i = 0; i < keep.length && topP < 1; i++) {
    cumulative += weights[i]! / total;
    if (cumulative >= topP) {
      cut = i + 1;
      break;
    }
  }
  let u = rng.next() * weights.slice(0, cut).reduce((a, w) => a + w, 0);
  for (let i = 0; i < cut; i++) {
    u -= weights[i]!;
    if (u < 0) return keep[i]!;
  }
  return keep[cut - 1]!;
}

describe("sampleToken", () => {
  it("draws what sorting every token would draw, for top-k and top-p, ties included", () => {
    const data = xoshiro128(99);
    for (let trial = 0; trial < 200; trial++) {
      // logits rounded to halves so that ties occur
      const logits = Float32Array.from({ length: 50 }, () => Math.round(data.normal() * 6) / 2);
      const [topK, topP, temperature] = [[0, 0.9, 0.7], [5, 1, 1], [10, 0.5, 1.3], [0, 0.3, 1], [50, 0.95, 0.8]][trial % 5]!;
      const seed = 1000 + trial;
      expect(sampleToken(logits, temperature!, topK!, topP!, xoshiro128(seed)))
        .toBe(referenceSample(logits, temperature!, topK!, topP!, xoshiro128(seed)));
    }
  });

  it("without filters draws each token about as often as its probability", () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    const rng = xoshiro128(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, 1, 0, 1, rng)]!++;
    // binomial standard deviation at n = 4000, p = 0.5 is ~32 draws; allow 4σ
    expect(Math.abs(counts[0]! - 2000)).toBeLessThan(130);
    expect(Math.abs(counts[1]! - 1200)).toBeLessThan(130);
    expect(Math.abs(counts[2]! - 800)).toBeLessThan(130);
  });
});
