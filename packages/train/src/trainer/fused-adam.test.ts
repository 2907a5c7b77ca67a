import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { xoshiro128 } from "@longpo/io";
import { Optimizer, type OptimizerOptions } from "./optimizer.ts";

const N = 1000;

/** Three optimizer steps on one (N) parameter with fixed pseudo-random gradients; returns p after each step. */
async function steps(backend: "cpu" | "wasm", options: OptimizerOptions): Promise<Float32Array[]> {
  await selectBackend(backend);
  const rng = xoshiro128(5);
  const init = Float32Array.from({ length: N }, () => rng.normal());
  const p = tf.variable(tf.tensor1d(init));
  const opt = new Optimizer(options, new Map([["p", p]]));
  const out: Float32Array[] = [];
  for (let s = 0; s < 3; s++) {
    const g = tf.tensor1d(Float32Array.from({ length: N }, () => rng.normal() * 0.1));
    opt.apply(new Map([["p", g]]), 0.01 * (s + 1));
    g.dispose();
    out.push(p.dataSync() as Float32Array);
  }
  opt.dispose();
  p.dispose();
  return out;
}

/** The same three steps in float64, written from the formulas (independent of both implementations). */
function reference(options: OptimizerOptions): Float64Array[] {
  const { beta1, beta2, epsilon, weightDecay, name } = options;
  const rng = xoshiro128(5);
  const p = Float64Array.from({ length: N }, () => Math.fround(rng.normal()));
  const m = new Float64Array(N);
  const v = new Float64Array(N);
  const out: Float64Array[] = [];
  for (let s = 0; s < 3; s++) {
    const lr = 0.01 * (s + 1);
    const t = s + 1;
    for (let i = 0; i < N; i++) {
      const g = Math.fround(rng.normal() * 0.1);
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      if (name === "adamw") p[i]! *= 1 - lr * weightDecay;
      p[i]! -= (lr * m[i]! / (1 - beta1 ** t)) / (Math.sqrt(v[i]! / (1 - beta2 ** t)) + epsilon);
    }
    out.push(Float64Array.from(p));
  }
  return out;
}

describe("fused Adam on wasm", () => {
  it.each([
    ["adamw", { name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 }],
    ["adam", { name: "adam", beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0 }],
  ] as const)("%s gives the op-by-op update's bits (cpu) and the float64 formula's values", async (_, options) => {
    const fused = await steps("wasm", options);
    const ops = await steps("cpu", options);
    const want = reference(options);
    for (let s = 0; s < 3; s++) {
      expect(Array.from(fused[s]!)).toEqual(Array.from(ops[s]!));
      let worst = 0;
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(fused[s]![i]! - want[s]![i]!));
      expect(worst).toBeLessThan(1e-5);
      expect(worst).toBeGreaterThanOrEqual(0);
    }
    // each step moves a parameter by up to about lr: a kernel that did nothing would fail here
    let moved = 0;
    for (let i = 0; i < N; i++) moved += Math.abs(fused[1]![i]! - fused[0]![i]!) / N;
    expect(moved).toBeGreaterThan(0.005);
  });

  it("leaves no tensors behind", async () => {
    await selectBackend("wasm");
    const p = tf.variable(tf.ones([4, 3]));
    const opt = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }, new Map([["p", p]]));
    const g = tf.fill([4, 3], 0.5);
    opt.apply(new Map([["p", g]]), 0.1); // creates the two moment slots
    const before = tf.memory().numTensors;
    opt.apply(new Map([["p", g]]), 0.1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g]);
    opt.dispose();
    p.dispose();
  });
});
