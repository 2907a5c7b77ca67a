import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { LlamaModel } from "./llama.ts";
import { scoreCompletions } from "./score.ts";
import { tinyConfig } from "./_test-configs.ts";

/** Oracle: Σ log softmax(logits[p])[seq[p+1]] over completion tokens, from one unbatched forward, in float64. */
function oracle(model: LlamaModel, prompt: number[], completion: number[]): number {
  const seq = [...prompt, ...completion];
  const v = model.config.vocabSize;
  const logits = tf.tidy(() => model.forward(tf.tensor2d([seq], [1, seq.length], "int32")).dataSync());
  let total = 0;
  for (let p = prompt.length - 1; p < seq.length - 1; p++) {
    const row = Array.from(logits.subarray(p * v, (p + 1) * v));
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    total += row[seq[p + 1]!]! - logZ;
  }
  return total;
}

describe.each(["cpu", "wasm"] as const)("scoreCompletions on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  const items = [
    { promptIds: [1, 5, 9], completionIds: [3, 7, 2] },
    { promptIds: [1], completionIds: [30, 31, 32, 33, 34, 35] },
    { promptIds: [1, 4, 4, 8, 12, 13, 14], completionIds: [6] },
    { promptIds: [1, 2], completionIds: [] },
    { promptIds: [1, 9, 9, 9], completionIds: [10, 11] },
  ];

  it("sums each completion's token log-probs as an unbatched log-softmax does", async () => {
    const model = LlamaModel.random(tinyConfig({ tieWordEmbeddings: true }), 31, 0.3);
    const scores = await scoreCompletions(model, items, { batchSize: 2, headChunk: 3 });
    expect(scores.map((s) => s.tokens)).toEqual([3, 6, 1, 0, 2]);
    items.forEach((it, i) => expect(scores[i]!.logprob).toBeCloseTo(oracle(model, it.promptIds, it.completionIds), 4));
    expect(scores[3]!.logprob).toBe(0);
    model.dispose();
  });

  it("gives the same scores for any batch size, leaking no tensors", async () => {
    const model = LlamaModel.random(tinyConfig(), 32, 0.3);
    const before = tf.memory().numTensors;
    const one = await scoreCompletions(model, items, { batchSize: 1 });
    const all = await scoreCompletions(model, items, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    one.forEach((s, i) => expect(all[i]!.logprob).toBeCloseTo(s.logprob, 4));
    model.dispose();
  });

  it("rejects an empty prompt", async () => {
    const model = LlamaModel.random(tinyConfig(), 33);
    await expect(scoreCompletions(model, [{ promptIds: [], completionIds: [1] }])).rejects.toThrow(RangeError);
    model.dispose();
  });
});
