import * as tf from "@tensorflow/tfjs-core";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { registerGradients } from "./gradients.ts";

const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");
const X = [0.5, -1.2, 2.0, 1.5, 0.3, -0.7]; // (2, 3)

/** f(x) = Σ w ⊙ softmax(2x) + Σ softplus(x·xᵀ) + Σ sqrt(|x| + 1) · x[gather rows 1,0,1], in float64 plain JS. */
function f64(x: number[]): number {
  const row = (r: number) => x.slice(3 * r, 3 * r + 3);
  let total = 0;
  for (let r = 0; r < 2; r++) {
    const z = row(r).map((v) => 2 * v);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (total += (1 + 3 * r + c) * (v / s)));
  }
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++) {
      const d = row(i).reduce((a, v, k) => a + v * row(j)[k]!, 0);
      total += Math.log1p(Math.exp(d));
    }
  for (const r of [1, 0, 1]) row(r).forEach((v) => (total += Math.sqrt(Math.abs(v) + 1) * v));
  return total;
}

/** The same function through tfjs ops whose gradients come from the registry (softmax, matMul, softplus, gather, …). */
function fTf(x: tf.Tensor2D): tf.Scalar {
  const weights = tf.reshape(tf.range(1, 7), [2, 3]);
  const soft = tf.sum(tf.mul(tf.softmax(tf.mul(x, 2)), weights));
  const gram = tf.sum(tf.softplus(tf.matMul(x, tf.transpose(x))));
  const rows = tf.gather(x, tf.tensor1d([1, 0, 1], "int32"));
  return tf.addN([soft, gram, tf.sum(tf.mul(tf.sqrt(tf.add(tf.abs(rows), 1)), rows))]) as tf.Scalar;
}

function centralDifferences(x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const up = [...x];
    const down = [...x];
    up[i]! += h;
    down[i]! -= h;
    return (f64(up) - f64(down)) / (2 * h);
  });
}

describe.each(["cpu", "wasm"] as const)("registerGradients on %s", (backend) => {
  beforeAll(async () => {
    await selectBackend(backend); // registers the gradients
    await registerGradients(); // idempotent
  });

  it("gives gradients equal to float64 central differences", () => {
    const x = tf.tensor2d(X, [2, 3]);
    const g = tf.grad((a) => fTf(a as tf.Tensor2D))(x);
    const got = Array.from(g.dataSync());
    tf.dispose([x, g]);
    centralDifferences(X).forEach((want, i) => expect(got[i]).toBeCloseTo(want, 3));
  });
});

describe("the same gradients outside vitest", () => {
  // vitest resolves tfjs-core's extension-less modules itself; plain Deno and Bun load only the generated bundle.
  const script = `
    import * as tf from "@tensorflow/tfjs-core";
    import "@tensorflow/tfjs-backend-cpu";
    import { registerGradients } from "./packages/train/src/model/gradients.ts";
    await tf.setBackend("cpu");
    await registerGradients();
    const x = tf.tensor2d(${JSON.stringify(X)}, [2, 3]);
    const g = tf.grad((a) => tf.sum(tf.mul(tf.softplus(tf.matMul(a, tf.transpose(a))), 1)))(x);
    console.log(JSON.stringify(Array.from(await g.data())));`;
  let expected: number[] = [];
  beforeAll(async () => {
    await selectBackend("cpu");
    expected = tf.tidy(() => {
      const x = tf.tensor2d(X, [2, 3]);
      return Array.from(tf.grad((a) => tf.sum(tf.softplus(tf.matMul(a as tf.Tensor2D, tf.transpose(a)))))(x).dataSync());
    });
  });

  it.each([
    ["deno", ["deno", "eval", "--ext=ts", script]],
    ["bun", ["bun", "--eval", script]],
  ])("register under %s", (_, [cmd, ...args]) => {
    const out = execFileSync(join(repoRoot, "node_modules", ".bin", cmd!), args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const got = JSON.parse(out.trim().split("\n").at(-1)!) as number[];
    expect(got).toHaveLength(6);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
