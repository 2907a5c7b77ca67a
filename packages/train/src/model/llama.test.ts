import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { sequenceLogps } from "@longpo/loss";
import { type ForwardOptions, LlamaModel } from "./llama.ts";
import { xoshiro128 } from "@longpo/io";
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

  it("exports the weights it was built from, bit for bit, in Hugging Face layout", () => {
    const config = tinyConfig({ attentionBias: true });
    const source = LlamaModel.random(config, 4);
    const weights = source.weights();
    const copy = LlamaModel.fromWeights(config, weights);
    const again = copy.weights();
    expect([...again.keys()]).toEqual([...weights.keys()]);
    for (const [name, w] of weights) {
      expect(again.get(name)!.shape).toEqual(w.shape);
      expect(new Uint8Array(again.get(name)!.data.buffer)).toEqual(new Uint8Array(w.data.buffer));
    }
    expect(weights.get("model.layers.0.self_attn.k_proj.weight")!.shape).toEqual([8, 16]); // (nKv·hd, H)
    expect(() => LlamaModel.fromWeights(tinyConfig(), weights)).toThrow(/q_proj.bias is not a parameter/);
    source.dispose();
    copy.dispose();
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

/** Mean next-token cross-entropy over real tokens, through @longpo/loss's sequenceLogps. */
function lmLoss(model: LlamaModel, ids: number[][], mask: number[][], options: ForwardOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const b = ids.length;
    const t = ids[0]!.length;
    const logits = model.forward(tf.tensor2d(ids, [b, t], "int32"), { attentionMask: mask, ...options }); // (B, T, V)
    const labels = tf.tensor2d(ids.map((r) => [...r.slice(1), 0]), [b, t], "int32"); // labels[b, t] = ids[b, t+1]
    const lossMask = tf.tensor2d(mask.map((r) => r.map((m, i) => (i + 1 < t && m === 1 && r[i + 1] === 1 ? 1 : 0))), [b, t]);
    const { sum, count } = sequenceLogps(logits, labels, lossMask);
    return tf.neg(tf.div(tf.sum(sum), tf.sum(count))) as tf.Scalar;
  });
}

const batchIds = [[0, 0, 1, 5, 9, 3, 7], [1, 4, 8, 30, 36, 12, 6]];
const batchMask = [[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]];

describe.each(["cpu", "wasm"] as const)("LlamaModel gradients on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it("agree with central finite differences for every kind of parameter", () => {
    const config = tinyConfig({ attentionBias: true, numLayers: 1 });
    const model = LlamaModel.random(config, 21, 0.3);
    const vars = model.trainableVariables;
    const { grads } = tf.variableGrads(() => lmLoss(model, batchIds, batchMask), vars);
    const rng = xoshiro128(3);
    const eps = 1e-2;
    let worst = 0;
    for (const v of vars) {
      const g = grads[v.name]!.dataSync();
      for (let n = 0; n < 2; n++) {
        const i = Math.floor(rng.next() * v.size);
        const base = v.dataSync().slice();
        const at = (delta: number) => {
          const moved = base.slice();
          moved[i]! += delta;
          v.assign(tf.tensor(moved, v.shape));
          return tf.tidy(() => lmLoss(model, batchIds, batchMask).dataSync()[0]!);
        };
        // (L(w + ε) − L(w − ε)) / 2ε, error O(ε²) plus float32 rounding of L (~1e-7 / ε)
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        worst = Math.max(worst, Math.abs(fd - g[i]!) / (1e-3 + Math.abs(g[i]!)));
      }
    }
    tf.dispose(Object.values(grads));
    expect(worst).toBeLessThan(0.05);
    model.dispose();
  });

  it("are the same with small attention blocks, with and without layer checkpointing", () => {
    const config = tinyConfig({ architecture: "mistral", slidingWindow: 4 });
    const model = LlamaModel.random(config, 22, 0.3);
    const vars = model.trainableVariables;
    const plain = tf.variableGrads(() => lmLoss(model, batchIds, batchMask), vars);
    for (const options of [{ queryBlockSize: 3 }, { checkpointLayers: true, queryBlockSize: 2 }]) {
      const other = tf.variableGrads(() => lmLoss(model, batchIds, batchMask, options), vars);
      expect(Math.abs(plain.value.dataSync()[0]! - other.value.dataSync()[0]!)).toBeLessThan(1e-6);
      for (const v of vars) expect(maxAbsDiff(plain.grads[v.name]!.dataSync(), other.grads[v.name]!.dataSync())).toBeLessThan(1e-5);
      tf.dispose([other.value, ...Object.values(other.grads)]);
    }
    tf.dispose([plain.value, ...Object.values(plain.grads)]);
    model.dispose();
  });

  it("lower the loss on a fixed batch within a few Adam steps, leaking no tensors", () => {
    const model = LlamaModel.random(tinyConfig(), 23);
    const optimizer = tf.train.adam(1e-2);
    const losses: number[] = [];
    let afterFirst = 0;
    for (let step = 0; step < 6; step++) {
      const loss = optimizer.minimize(() => lmLoss(model, batchIds, batchMask, { checkpointLayers: step % 2 === 1 }), true)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      if (step === 0) afterFirst = tf.memory().numTensors; // Adam creates its moment slots on the first step
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(losses[5]!).toBeLessThan(losses[0]! - 0.5);
    optimizer.dispose();
    model.dispose();
  });
});
