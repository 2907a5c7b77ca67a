import * as tf from "@tensorflow/tfjs-core";
import { describe, it } from "vitest";
import { expectClose, finiteDifferences, onBackends, read } from "./_backends.ts";
import { log1mexp } from "./log1mexp.ts";
import { logSigmoid } from "./log-sigmoid.ts";

describe("logSigmoid", () => {
  it("is finite and exact for huge arguments and has the sigmoid of −x as its gradient on an intermediate", async () => {
    // logσ(0) = −ln 2; logσ(1e4) = −e⁻¹⁰⁰⁰⁰ = 0; logσ(−1e4) = −1e4; logσ(2) = −log(1 + e⁻²) = −0.1269280110.
    // d/dx logσ(2x) = 2σ(−2x): at x = [0, 1, −1] → [1, 2σ(−2), 2σ(2)] = [1, 0.2384058440, 1.7615941560].
    await onBackends(() => {
      const values = read(logSigmoid(tf.tensor1d([0, 1e4, -1e4, 2])));
      expectClose(values, [-Math.LN2, 0, -1e4, -0.12692801104297263], { rtol: 1e-6, atol: 0 });
      const grad = read(tf.grad((x: tf.Tensor) => tf.sum(logSigmoid(tf.mul(x, 2))))(tf.tensor1d([0, 1, -1])));
      expectClose(grad, [1, 0.23840584404423515, 1.7615941559557649]);
      return [...values, ...grad];
    });
  });
});

describe("log1mexp", () => {
  it("matches log(1 − eˣ) on both sides of −ln 2 and has the float64 central-difference gradient", async () => {
    // log1mexp(−1) = log(1 − e⁻¹) = −0.4586751454; log1mexp(−0.01) = log(0.0099501663) = −4.6101660193;
    // log1mexp(−1e-6) = log(1e-6 − 5e-13) = −13.8155110556; log1mexp(−30) = −e⁻³⁰ = −9.3576e-14, which wasm
    // returns as 0: its Log1p kernel computes log(1 + x), so the far tail is exact to 1e-7 absolute, not relative.
    const x = [-1, -0.01, -1e-6, -30, -Math.LN2 - 0.1, -Math.LN2 + 0.1];
    const f64 = (v: number) => (v > -Math.LN2 ? Math.log(-Math.expm1(v)) : Math.log1p(-Math.exp(v)));
    const expectedGrad = finiteDifferences((xs) => xs.reduce((a, v) => a + f64(v), 0), x, 1e-9);
    await onBackends(() => {
      const values = read(log1mexp(tf.tensor1d(x)));
      expectClose(values.slice(0, 4), [-0.45867514538708193, -4.610166019324897, -13.815511055621174, -9.357622968840175e-14], { rtol: 1e-5, atol: 1e-7 });
      const grad = read(tf.grad((t: tf.Tensor) => tf.sum(log1mexp(t)))(tf.tensor1d(x)));
      expectClose(grad, expectedGrad, { rtol: 1e-4, atol: 1e-6 });
      return [...values, ...grad];
    });
  });
});
