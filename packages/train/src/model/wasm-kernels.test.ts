import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { collapseTranspose } from "./wasm-kernels.ts";

/** Runs f on cpu and on wasm (with the fixed kernels) and returns both results as plain arrays. */
async function onBoth(f: () => tf.Tensor): Promise<[number[], number[]]> {
  await tf.setBackend("cpu");
  const want = tf.tidy(() => Array.from(f().dataSync()));
  await tf.setBackend("wasm");
  const got = tf.tidy(() => Array.from(f().dataSync()));
  return [got, want];
}

describe("wasm kernel fixes", () => {
  beforeAll(async () => {
    await selectBackend("wasm"); // registers the kernels
  });

  it("collapses a head transpose (B, T, nKv, G, hd) → (B, nKv, T, G, hd) to a swap of two axes over runs", () => {
    expect(collapseTranspose([2, 5, 3, 2, 4], [0, 2, 1, 3, 4])).toEqual({ shape: [2, 5, 3, 8], perm: [0, 2, 1, 3] });
    expect(collapseTranspose([1, 6, 1, 4], [3, 1, 2, 0])).toEqual({ shape: [6, 4], perm: [1, 0] });
  });

  it.each([
    [[37, 70], [1, 0]],
    [[3, 33, 65], [0, 2, 1]],
    [[2, 5, 3, 2, 16], [0, 2, 1, 3, 4]],
    [[4, 3, 2, 9], [3, 2, 1, 0]],
    [[6, 1, 40], [2, 1, 0]],
    [[5, 12], [0, 1]],
    [[5, 7, 70], [1, 0, 2]],
    [[2, 3, 4, 80], [0, 2, 1, 3]],
    [[3, 4, 5, 6], [2, 0, 1, 3]],
  ])("transposes %j by %j as the cpu backend does", async (shape, perm) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const [got, want] = await onBoth(() => tf.transpose(tf.reshape(tf.range(0, n, 1, "int32"), shape), perm));
    expect(got).toEqual(want);
  });

  it("slices, unstacks and sums segments (the embedding gradient) as the cpu backend does", async () => {
    const [got, want] = await onBoth(() => {
      const x = tf.reshape(tf.range(0, 120, 1, "float32"), [4, 5, 6]);
      const parts = [tf.slice(x, [1, 0, 0], [2, 5, 6]), ...tf.unstack(x), tf.slice(x, [0, 1, 2], [2, 3, 3])];
      const grad = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, tf.tensor1d([2, 0, 2, 3], "int32")), 3)));
      return tf.concat([...parts, grad(tf.ones([5, 4]))].map((p) => tf.reshape(p, [-1])));
    });
    expect(got).toEqual(want);
  });
});
