import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { FALLBACK_GRADIENT_KERNELS, registerFallbackGradients } from "./gradients.ts";

/** d/dx Σ w ⊙ f(x) for fixed weights w = 1, 2, 3, … (so that every output position counts differently). */
function weightedGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number[] {
  return tf.tidy(() => {
    const g = tf.grad((a: tf.Tensor) => {
      const y = f(a);
      return tf.sum(tf.mul(y, tf.reshape(tf.range(1, 1 + y.size), y.shape)));
    });
    return Array.from(g(x).dataSync());
  });
}

/** The gradient with tfjs-core's registry and with the fallback one (tfjs-core's is restored afterwards). */
function bothRegistries(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): [number[], number[]] {
  const reference = weightedGrad(f, x);
  const originals = FALLBACK_GRADIENT_KERNELS.map((k) => tf.getGradient(k)).filter((c) => c !== undefined);
  originals.forEach((c) => tf.unregisterGradient(c.kernelName));
  try {
    registerFallbackGradients();
    return [weightedGrad(f, x), reference];
  } finally {
    FALLBACK_GRADIENT_KERNELS.forEach((k) => tf.getGradient(k) !== undefined && tf.unregisterGradient(k));
    originals.forEach((c) => tf.registerGradient(c));
  }
}

describe.each(["cpu", "wasm"] as const)("fallback gradients on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  const x = () => tf.tensor2d([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]]); // (2, 3)
  const cases: [string, (a: tf.Tensor) => tf.Tensor][] = [
    ["broadcast add, sub, mul, div", (a) => tf.div(tf.mul(tf.sub(tf.add(a, tf.tensor1d([1, 2, 3])), 0.5), a), tf.add(tf.abs(a), 1))],
    ["max and min against a broadcast row", (a) => tf.add(tf.maximum(a, tf.tensor1d([0, 0, 1])), tf.minimum(a, 0.4))],
    ["neg, square, log, log1p, exp, sqrt, rsqrt", (a) =>
      tf.addN([tf.neg(a), tf.square(a), tf.log(tf.add(tf.square(a), 1)), tf.log1p(tf.abs(a)), tf.exp(a), tf.sqrt(tf.add(tf.abs(a), 1)), tf.rsqrt(tf.add(tf.abs(a), 1))])],
    ["sigmoid, softplus, tanh", (a) => tf.add(tf.add(tf.sigmoid(a), tf.softplus(a)), tf.tanh(a))],
    ["reshape, expandDims, transpose", (a) => tf.transpose(tf.expandDims(tf.reshape(a, [3, 2]), 1), [2, 0, 1])],
    ["sum and mean over an axis", (a) => tf.add(tf.sum(a, 1, true), tf.mean(a, 0))],
    ["softmax", (a) => tf.softmax(tf.mul(a, 2))],
    ["stack, unstack, concat, slice", (a) => tf.concat([tf.stack(tf.unstack(a), 1), tf.slice(tf.transpose(a), [0, 1], [3, 1])], 1)],
    ["gather along axis 0 with repeats (the embedding)", (a) => tf.gather(a, tf.tensor1d([1, 0, 1, 1], "int32"))],
    ["where", (a) => tf.where(tf.tensor2d([[1, 0, 1], [0, 0, 1]], [2, 3], "bool"), a, tf.mul(a, 3))],
    ["batched matmul with every transpose flag", (a) => {
      const b = tf.reshape(a, [1, 2, 3]);
      const c = tf.reshape(tf.reverse(a), [1, 3, 2]);
      return tf.addN([tf.matMul(b, c), tf.matMul(b, b, false, true), tf.slice(tf.matMul(b, b, true, false), [0, 0, 0], [1, 2, 2]), tf.matMul(c, b, true, true)]);
    }],
  ];

  it.each(cases)("match tfjs-core's for %s", (_, f) => {
    const input = x();
    const [got, want] = bothRegistries(f, input);
    input.dispose();
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
  });
});
