import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { Optimizer, type OptimizerOptions } from "./optimizer.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function run(options: OptimizerOptions, steps: number, lr: number): { values: number[]; opt: Optimizer; p: tf.Variable } {
  const p = tf.variable(tf.scalar(1));
  const opt = new Optimizer(options, new Map([["p", p]]));
  const values: number[] = [];
  for (let i = 0; i < steps; i++) {
    const g = tf.scalar(0.5);
    opt.apply(new Map([["p", g]]), lr);
    g.dispose();
    values.push(p.dataSync()[0] as number);
  }
  return { values, opt, p };
}

describe("Optimizer", () => {
  it("adamw decays the weight apart from the adaptive step", () => {
    // p=1, g=0.5, lr=0.1, wd=0.1. Step 1: p·(1−0.01)=0.99; m̂=0.5, v̂=0.25 → step 0.1·0.5/0.5 = 0.1 → 0.89.
    // Step 2: m̂ = 0.095/0.19 = 0.5, v̂ = 0.00049975/0.001999 = 0.25 → 0.89·0.99 − 0.1 = 0.7811.
    const { values, opt, p } = run({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 }, 2, 0.1);
    expect(values[0]).toBeCloseTo(0.89, 6);
    expect(values[1]).toBeCloseTo(0.7811, 6);
    opt.dispose();
    p.dispose();
  });

  it("adam takes the bias-corrected step without decay", () => {
    const { values, opt, p } = run({ name: "adam", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, 1, 0.1);
    expect(values[0]).toBeCloseTo(0.9, 6);
    opt.dispose();
    p.dispose();
  });

  it("rmsprop divides by the running root mean square", () => {
    // v = 0.1·0.25 = 0.025, √v = 0.1581139 → 1 − 0.1·0.5/0.1581139 = 0.6837722
    const { values, opt, p } = run({ name: "rmsprop", beta1: 0.9, beta2: 0.9, epsilon: 1e-8, weightDecay: 0 }, 1, 0.1);
    expect(values[0]).toBeCloseTo(0.6837722, 6);
    opt.dispose();
    p.dispose();
  });

  it("continues identically after saving and restoring its state", async () => {
    const options: OptimizerOptions = { name: "adamw", beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.01 };
    const a = run(options, 3, 0.05);
    const state = await a.opt.state();
    expect(state.step).toBe(3);
    expect(Object.keys(state.slots).sort()).toEqual(["m/p", "v/p"]);
    const q = tf.variable(tf.scalar(a.values[2] as number));
    const b = new Optimizer(options, new Map([["p", q]]));
    b.loadState(state);
    for (const [opt, v] of [[a.opt, a.p], [b, q]] as const) {
      const g = tf.scalar(-0.3);
      opt.apply(new Map([["p", g]]), 0.05);
      g.dispose();
      void v;
    }
    expect(q.dataSync()[0]).toBe(a.p.dataSync()[0]);
    expect(() => new Optimizer({ ...options, name: "rmsprop" }, new Map([["p", q]])).loadState(state)).toThrow(/saved state is adamw/);
    for (const x of [a.opt, b]) x.dispose();
    a.p.dispose();
    q.dispose();
  });
});
