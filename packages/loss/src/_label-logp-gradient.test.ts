import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, onBackends, read, seededRandom } from "./_backends.ts";
import { labelLogpGradient } from "./_label-logp-gradient.ts";

describe("labelLogpGradient", () => {
  it("gives w·(onehot(label) − softmax) on the device and on the host, in blocks, on cpu and wasm", async () => {
    const [n, v] = [7, 9];
    const random = seededRandom(21);
    const rows = Array.from({ length: n * v }, () => (random() * 2 - 1) * 5);
    const labels = Array.from({ length: n }, () => Math.floor(random() * v));
    const weights = [0.5, -1.25, 0, 2, 1, 0, -0.75]; // zeros are masked-out rows
    // Float64: for row i, wᵢ·([j = labelᵢ] − e^(x_ij − max) / Σ_k e^(x_ik − max)).
    const expected = Array.from({ length: n * v }, (_, k) => {
      const i = Math.floor(k / v);
      const row = rows.slice(i * v, i * v + v);
      const max = Math.max(...row);
      const z = row.reduce((a, x) => a + Math.exp(x - max), 0);
      return (weights[i] as number) * (Number(labels[i] === k % v) - Math.exp((rows[k] as number) - max) / z);
    });
    await onBackends(() => {
      const x = tf.tensor2d(rows, [n, v]);
      const index = tf.tensor1d(labels.map((l, i) => i * v + l), "int32");
      const w = tf.tensor1d(weights);
      const result = {
        device: read(labelLogpGradient(x, index, w, { onHost: false })),
        host: read(labelLogpGradient(x, index, w, { onHost: true, blockElements: 20 })), // 2 rows per block
      };
      expectClose(result, { device: expected, host: expected }, { rtol: 1e-5, atol: 1e-6 });
      return result;
    });
  });

  it("returns exact zeros on the host for rows with zero weight, even when they hold NaN", async () => {
    await onBackends(() => {
      const x = tf.tensor2d([[Number.NaN, 1], [0, 0]]);
      const grad = read(labelLogpGradient(x, tf.tensor1d([0, 3], "int32"), tf.tensor1d([0, 1]), { onHost: true }));
      expect(grad).toEqual([0, 0, -0.5, 0.5]); // row 1: 1·([0, 1] − [½, ½])
      return grad;
    });
  });
});
