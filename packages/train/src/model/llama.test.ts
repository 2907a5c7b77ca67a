import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { LlamaModel } from "./llama.ts";
import { referenceLogits } from "./_reference-llama.ts";
import { tinyConfig } from "./_test-configs.ts";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(["cpu", "wasm"] as const)("LlamaModel on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it("matches a naive float64 reference on a GQA model", () => {
    const config = tinyConfig();
    const model = LlamaModel.random(config, 1, 0.2);
    const ids = [[1, 5, 9, 3, 7, 2, 11], [4, 4, 8, 30, 36, 0, 12]];
    const logits = tf.tidy(() => model.forward(tf.tensor2d(ids, [2, 7], "int32")).dataSync());
    const want = referenceLogits(config, model.weights(), ids);
    expect(maxAbsDiff(logits, want)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("matches the reference with q/k/v biases, tied embeddings and a sliding window", () => {
    const config = tinyConfig({ attentionBias: true, tieWordEmbeddings: true, slidingWindow: 3, architecture: "mistral" });
    const model = LlamaModel.random(config, 2, 0.2);
    const ids = [[1, 5, 9, 3, 7, 2, 11, 6, 6]];
    const logits = tf.tidy(() => model.forward(tf.tensor2d(ids, [1, 9], "int32"), { queryBlockSize: 2 }).dataSync());
    const want = referenceLogits(config, model.weights(), ids);
    expect(maxAbsDiff(logits, want)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("matches the reference on a left-padded batch, at real positions", () => {
    const config = tinyConfig();
    const model = LlamaModel.random(config, 3, 0.2);
    const ids = [[0, 0, 0, 5, 9, 3], [1, 5, 9, 3, 7, 2]];
    const mask = [[0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]];
    const logits = tf.tidy(() =>
      model.forward(tf.tensor2d(ids, [2, 6], "int32"), { attentionMask: mask, queryBlockSize: 4 }).dataSync()
    );
    const want = referenceLogits(config, model.weights(), ids, mask);
    const V = config.vocabSize;
    const real = (a: ArrayLike<number>) =>
      Array.from(a).filter((_, i) => mask[Math.floor(i / (6 * V))]![Math.floor(i / V) % 6] === 1);
    expect(maxAbsDiff(real(logits), real(want))).toBeLessThan(1e-4);
    // the padded row's real tokens see the same as the unpadded prompt [5, 9, 3] alone
    const alone = tf.tidy(() => model.forward(tf.tensor2d([[5, 9, 3]], [1, 3], "int32")).dataSync());
    expect(maxAbsDiff(real(logits).slice(0, 3 * V), alone)).toBeLessThan(1e-4);
    model.dispose();
  });
});
