import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { BACKENDS, expectClose, finiteDifferences, onBackends, read, seededRandom, useBackend } from "./_backends.ts";
import { nllLoss } from "./nll-loss.ts";
import { sequenceLogps, sequenceLogpsTuned } from "./sequence-logps.ts";

/** The obvious float64 loop: Σ_t mask·(logits[b,t,label] − logsumexp(logits[b,t,:])). */
function naiveSequenceLogps(logits: number[], labels: number[], mask: number[], [B, T, V]: number[]): number[] {
  const sums: number[] = [];
  for (let b = 0; b < (B as number); b++) {
    let sum = 0;
    for (let t = 0; t < (T as number); t++) {
      const i = b * (T as number) + t;
      if (mask[i] === 0) continue;
      const row = logits.slice(i * (V as number), (i + 1) * (V as number));
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
      sum += (row[labels[i] as number] as number) - lse;
    }
    sums.push(sum);
  }
  return sums;
}

function randomCase(seed: number, [B, T, V]: [number, number, number], scale = 4) {
  const random = seededRandom(seed);
  const logits = Array.from({ length: B * T * V }, () => (random() * 2 - 1) * scale);
  const mask = Array.from({ length: B * T }, (_, i) => (i % T === 0 || random() < 0.7 ? 1 : 0));
  // Masked-out labels are TRL's padding id, −100: they must be ignored, not gathered.
  const labels = mask.map((m) => (m === 1 ? Math.floor(random() * V) : -100));
  return { logits, labels, mask };
}

describe("sequenceLogps", () => {
  it("sums the label log-probabilities of masked-in positions in a hand-worked case", async () => {
    // Row (0,0): logits [0, 0], label 0 → log(1/2) = −0.6931471806.
    // Row (0,1): logits [0, ln 3], label 1 → ln 3 − ln(1 + 3) = log(3/4) = −0.2876820725.
    // Sequence 0: both masked in → −0.6931471806 − 0.2876820725 = −0.9808292530, count 2.
    // Sequence 1: same logits, labels [1, 0], mask [0, 1] → only (1,1): 0 − ln 4 = −1.3862943611, count 1.
    await onBackends(() => {
      const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]], [[0, 0], [0, Math.log(3)]]]);
      const labels = tf.tensor2d([[0, 1], [1, 0]], undefined, "int32");
      const { sum, count } = sequenceLogps(logits, labels, tf.tensor2d([[1, 1], [0, 1]]));
      const result = { sum: read(sum), count: read(count) };
      expectClose(result, { sum: [-0.980829253011726, -1.3862943611198906], count: [2, 1] });
      return result;
    });
  });

  it("equals a naive float64 loop on random inputs", async () => {
    const shape: [number, number, number] = [3, 7, 11];
    const { logits, labels, mask } = randomCase(1, shape);
    const expected = naiveSequenceLogps(logits, labels, mask, shape);
    const counts = [0, 1, 2].map((b) => mask.slice(b * 7, b * 7 + 7).reduce((a: number, m) => a + m, 0));
    await onBackends(() => {
      const out = sequenceLogps(tf.tensor3d(logits, shape), tf.tensor2d(labels, [3, 7], "int32"), tf.tensor2d(mask, [3, 7]));
      const result = { sum: read(out.sum), count: read(out.count) };
      expectClose(result, { sum: expected, count: counts }, { rtol: 1e-5, atol: 1e-5 });
      return result;
    });
  });

  it("is unchanged by the content of masked-out positions, even huge or NaN logits", async () => {
    const shape: [number, number, number] = [2, 5, 6];
    const { logits, labels, mask } = randomCase(3, shape);
    const wild = (fill: (i: number) => number) =>
      logits.map((x, i) => (mask[Math.floor(i / 6)] === 0 ? fill(i) : x));
    const variants = [wild((i) => (i % 2 === 0 ? 1e30 : -1e30)), wild(() => 88), wild(() => Number.NaN)];
    await onBackends(() => {
      const labelsT = tf.tensor2d(labels, [2, 5], "int32");
      const maskT = tf.tensor2d(mask, [2, 5], "int32");
      const base = read(sequenceLogps(tf.tensor3d(logits, shape), labelsT, maskT).sum);
      for (const variant of variants) {
        expect(read(sequenceLogps(tf.tensor3d(variant, shape), labelsT, maskT).sum)).toEqual(base);
      }
      // With finite masked-out content the gradient is unchanged too, and exactly zero on masked-out rows.
      const grad = (values: number[]) =>
        read(tf.grad((x: tf.Tensor) => tf.sum(sequenceLogps(x as tf.Tensor3D, labelsT, maskT).sum))(tf.tensor3d(values, shape)));
      const gBase = grad(logits);
      expect(grad(variants[0] as number[])).toEqual(gBase);
      expect(gBase.filter((_, i) => mask[Math.floor(i / 6)] === 0).every((g) => g === 0)).toBe(true);
      return base;
    });
  });

  for (const large of [false, true]) {
    const strategy = large ? "large-logits strategy (logits read in place, gradient built on the host)" : "default strategy";
    it(`has a gradient that matches central finite differences of the float64 loop, with the ${strategy}`, async () => {
      const shape: [number, number, number] = [2, 3, 5];
      const { logits, labels, mask } = randomCase(4, shape, 2);
      const weights = [0.7, -1.3]; // differentiate Σ_b weights[b]·sum[b] so that dy is not all ones
      const objective = (x: number[]) =>
        naiveSequenceLogps(x, labels, mask, shape).reduce((acc, s, b) => acc + s * (weights[b] as number), 0);
      const expected = finiteDifferences(objective, logits);
      await onBackends(() => {
        const labelsT = tf.tensor2d(labels, [2, 3], "int32");
        const maskT = tf.tensor2d(mask, [2, 3]);
        const tuning = { large, blockElements: 10 }; // 2 rows of 5 per host block
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sequenceLogpsTuned(x as tf.Tensor3D, labelsT, maskT, tuning).sum, weights)))(
          tf.tensor3d(logits, shape),
        );
        const result = read(g);
        expectClose(result, expected, { rtol: 1e-4, atol: 1e-5 });
        return result;
      });
    });
  }

  it("says so when the large-logits strategy finds its logits disposed before the backward pass", async () => {
    await onBackends(() => {
      const labels = tf.tensor2d([[0, 1]], undefined, "int32");
      const mask = tf.ones([1, 2]) as tf.Tensor2D;
      // The inner tidy disposes the logits (an intermediate here) before tf.grad runs the backward pass.
      const f = (x: tf.Tensor) => tf.tidy(() => tf.sum(sequenceLogpsTuned(tf.mul(x, 2) as tf.Tensor3D, labels, mask, { large: true }).sum));
      expect(() => tf.grad(f)(tf.zeros([1, 2, 3]))).toThrow(/must stay alive until the backward pass/);
      return 0;
    });
  });

  it("accepts int32 and bool masks as well as float32", async () => {
    await onBackends(() => {
      const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]]]);
      const labels = tf.tensor2d([[0, 1]], undefined, "int32");
      const sums = [tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0]], undefined, "int32"), tf.tensor2d([[1, 0]], undefined, "bool")].map(
        (mask) => read(sequenceLogps(logits, labels, mask).sum)[0] as number,
      );
      expectClose(sums, [-Math.LN2, -Math.LN2, -Math.LN2]); // only (0,0): log(1/2)
      return sums;
    });
  });

  it("leaks no tensor, forward or backward, once its outputs are disposed", async () => {
    for (const name of BACKENDS) {
      await useBackend(name);
      const logits = tf.randomNormal([2, 4, 7]) as tf.Tensor3D;
      const labels = tf.tensor2d([[1, 2, 3, -100], [0, 6, -100, -100]], undefined, "int32");
      const mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]]);
      const before = tf.memory().numTensors;
      const out = sequenceLogps(logits, labels, mask);
      tf.dispose([out.sum, out.count]);
      expect(tf.memory().numTensors, `${name} forward`).toBe(before);
      const g = tf.grad((x: tf.Tensor) => tf.sum(sequenceLogps(x as tf.Tensor3D, labels, mask).sum))(logits);
      g.dispose();
      expect(tf.memory().numTensors, `${name} backward`).toBe(before);
      const gLarge = tf.grad((x: tf.Tensor) => tf.sum(sequenceLogpsTuned(x as tf.Tensor3D, labels, mask, { large: true }).sum))(logits);
      gLarge.dispose();
      expect(tf.memory().numTensors, `${name} backward, large-logits strategy`).toBe(before);
      tf.dispose([logits, labels, mask]);
    }
  });

  it("throws a RangeError for a masked-in label outside the vocabulary and for mismatched shapes", () => {
    const logits = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    const mask = tf.ones([1, 2]) as tf.Tensor2D;
    expect(() => sequenceLogps(logits, tf.tensor2d([[0, 3]], undefined, "int32"), mask)).toThrow(
      new RangeError("Cannot compute sequence log-probs: masked-in labels must lie in [0, 3), got 3 at (0, 1)"),
    );
    expect(() => sequenceLogps(logits, tf.tensor2d([[0, -100]], undefined, "int32"), mask)).toThrow(RangeError);
    expect(() => sequenceLogps(logits, tf.tensor2d([[0, 1, 2]], undefined, "int32"), mask)).toThrow(RangeError);
    expect(() => sequenceLogps(logits, tf.tensor2d([[0, 1]], undefined, "int32"), tf.ones([2, 2]) as tf.Tensor2D)).toThrow(RangeError);
    tf.dispose([logits, mask]);
  });

  it("throws a TypeError for float labels or logits of the wrong rank", () => {
    const mask = tf.ones([1, 2]) as tf.Tensor2D;
    expect(() => sequenceLogps(tf.zeros([1, 2, 3]) as tf.Tensor3D, tf.zeros([1, 2]) as tf.Tensor2D, mask)).toThrow(TypeError);
    expect(() => sequenceLogps(tf.zeros([2, 3]) as unknown as tf.Tensor3D, tf.zeros([1, 2], "int32") as tf.Tensor2D, mask)).toThrow(
      TypeError,
    );
  });
});

describe("nllLoss", () => {
  it("averages the cross-entropy over every masked-in token of the batch", async () => {
    // Tokens: −log(1/2) = 0.6931471806 and −log(3/4) = 0.2876820725 in sequence 0, −log(1/4) = 1.3862943611 in
    // sequence 1 → (0.6931471806 + 0.2876820725 + 1.3862943611) / 3 = 0.7890412047 (a token mean, not per sequence).
    await onBackends(() => {
      const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]], [[0, 0], [0, Math.log(3)]]]);
      const loss = read(nllLoss(logits, tf.tensor2d([[0, 1], [1, 0]], undefined, "int32"), tf.tensor2d([[1, 1], [0, 1]])));
      expectClose(loss, [0.7890412047105059]);
      return loss;
    });
  });

  it("is zero, not NaN, when no position is masked in", async () => {
    await onBackends(() => {
      const loss = read(nllLoss(tf.ones([1, 2, 3]) as tf.Tensor3D, tf.zeros([1, 2], "int32") as tf.Tensor2D, tf.zeros([1, 2]) as tf.Tensor2D));
      expect(loss).toEqual([0]);
      return loss;
    });
  });
});
