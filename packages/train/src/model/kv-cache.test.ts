import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { KvCache } from "./kv-cache.ts";
import { LlamaModel } from "./llama.ts";
import { tinyConfig } from "./_test-configs.ts";

/** Largest |a − b| over positions whose mask is 1; a and b are (B, T, V) row-major. */
function maxDiffAtReal(a: Float32Array, b: Float32Array, mask: number[][], v: number): number {
  let m = 0;
  const t = mask[0]!.length;
  mask.forEach((row, i) =>
    row.forEach((real, j) => {
      if (real !== 1) return;
      for (let k = 0; k < v; k++) m = Math.max(m, Math.abs(a[(i * t + j) * v + k]! - b[(i * t + j) * v + k]!));
    })
  );
  return m;
}

describe.each(["cpu", "wasm"] as const)("KvCache on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  const cases = [
    ["a GQA llama", tinyConfig()],
    ["qwen2 biases and tied embeddings", tinyConfig({ architecture: "qwen2", attentionBias: true, tieWordEmbeddings: true })],
    ["a mistral sliding window of 4", tinyConfig({ architecture: "mistral", slidingWindow: 4 })],
  ] as const;

  const withCapacity = cases.flatMap(([name, config]) => [[name, config, 0], [name, config, 12]] as const);
  it.each(withCapacity)("gives the logits of a full forward on a left-padded batch (%s, capacity %i)", (_, config, capacity) => {
    const model = LlamaModel.random(config, 7, 0.2);
    const ids = [[0, 0, 5, 9, 3, 7, 2, 11, 6, 1], [1, 5, 9, 3, 7, 2, 11, 6, 8, 4], [0, 0, 0, 0, 0, 13, 21, 8, 8, 3]];
    const mask = ids.map((r, b) => r.map((_, t) => (t >= [2, 0, 5][b]! ? 1 : 0)));
    const full = tf.tidy(() =>
      model.forward(tf.tensor2d(ids, [3, 10], "int32"), { attentionMask: mask, queryBlockSize: 3 }).dataSync()
    ) as Float32Array;
    // prompt of 6, then 1, then 3 tokens through the cache
    const cache = new KvCache(config.numLayers, 3, capacity);
    const parts: Float32Array[] = [];
    for (const [t0, t1] of [[0, 6], [6, 7], [7, 10]] as const) {
      const chunk = ids.map((r) => r.slice(t0, t1));
      const chunkMask = mask.map((r) => r.slice(t0, t1));
      parts.push(tf.tidy(() =>
        model.forward(tf.tensor2d(chunk, [3, t1 - t0], "int32"), { attentionMask: chunkMask, cache }).dataSync()
      ) as Float32Array);
    }
    expect(cache.length).toBe(10);
    expect(cache.realTokens).toEqual([8, 10, 5]);
    // preallocated: never regrown; without a capacity: 6 slots, then grown by 64 for the second forward
    expect(cache.capacity).toBe(capacity === 0 ? 70 : 12);
    expect(cache.layer(0)!.keys.shape[2]).toBe(cache.capacity);
    cache.dispose();
    // reassemble (B, T, V) from the three (B, t, V) parts
    const v = config.vocabSize;
    const cached = new Float32Array(full.length);
    let t0 = 0;
    for (const [p, len] of [[parts[0]!, 6], [parts[1]!, 1], [parts[2]!, 3]] as const) {
      for (let b = 0; b < 3; b++) cached.set(p.subarray(b * len * v, (b + 1) * len * v), (b * 10 + t0) * v);
      t0 += len;
    }
    expect(maxDiffAtReal(cached, full, mask, v)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("frees its tensors on dispose", () => {
    const config = tinyConfig();
    const model = LlamaModel.random(config, 1);
    const before = tf.memory().numTensors;
    const cache = new KvCache(config.numLayers, 1);
    tf.tidy(() => {
      model.forward(tf.tensor2d([[1, 2, 3]], [1, 3], "int32"), { cache });
    });
    expect(tf.memory().numTensors).toBe(before + 2 * config.numLayers);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
