// Test helper: runs one computation on every backend the package is tested on, and compares numbers.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { mulberry32 } from "@longpo/io";
import { expect } from "vitest";

/** The backends every numeric test runs on. */
export const BACKENDS = ["cpu", "wasm"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Nested plain numbers, as read back from tensors. */
export type Numbers = number | readonly Numbers[] | { readonly [key: string]: Numbers };

/**
 * Runs `fn` inside `tf.tidy` on each backend in turn and returns what it read back, by backend; then checks that
 * the backends agree to `rtol` (1e-5 by default, with an absolute floor of `atol` for values near zero).
 */
export async function onBackends<T extends Numbers>(
  fn: (backend: BackendName) => T,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): Promise<Record<BackendName, T>> {
  const results = {} as Record<BackendName, T>;
  for (const name of BACKENDS) {
    await useBackend(name);
    results[name] = tf.tidy(() => fn(name) as never) as T;
  }
  expectClose(results.wasm, results.cpu, { rtol, atol }, "wasm vs cpu");
  return results;
}

/** Switches to a backend and waits until it is ready. */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`Cannot run tests: backend ${name} failed to initialise`);
  }
  await tf.ready();
}

/** Reads a tensor back as a plain array of numbers. */
export function read(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Checks `|actual − expected| ≤ atol + rtol·|expected|` element-wise; NaN and ±Infinity must match exactly. */
export function expectClose(
  actual: Numbers,
  expected: Numbers,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
  path = "value",
): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    const a = actual as number;
    if (!Number.isFinite(expected)) {
      expect(a, path).toBe(expected);
      return;
    }
    const tolerance = atol + rtol * Math.abs(expected);
    if (!(Math.abs(a - expected) <= tolerance)) {
      expect.fail(`${path}: expected ${expected} ± ${tolerance.toExponential(2)}, got ${a}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    const a = actual as readonly Numbers[];
    expect(a.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e: Numbers, i: number) => expectClose(a[i] as Numbers, e, { rtol, atol }, `${path}[${i}]`));
    return;
  }
  const object = expected as { readonly [key: string]: Numbers };
  const a = actual as { readonly [key: string]: Numbers };
  expect(Object.keys(a).sort(), `${path} keys`).toEqual(Object.keys(object).sort());
  for (const key of Object.keys(object)) expectClose(a[key] as Numbers, object[key] as Numbers, { rtol, atol }, `${path}.${key}`);
}

/** Central finite differences of a float64 function of a flat vector: `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`. */
export function finiteDifferences(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const up = [...x];
    const down = [...x];
    up[i] = (up[i] as number) + h;
    down[i] = (down[i] as number) - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** A seeded generator (@longpo/io's mulberry32) so random tests are reproducible. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed).next;
}
