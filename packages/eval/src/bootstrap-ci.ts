// Percentile bootstrap confidence interval of a mean.
import { createRandom } from "./_random.ts";

/** Options of `bootstrapCI`. */
export interface BootstrapOptions {
  /** Resamples; default 1000. */
  samples?: number;
  /** Two-sided confidence level in (0, 1); default 0.95. */
  confidence?: number;
  /** Seed of the resampling; default 0. */
  seed?: number;
}

/**
 * Percentile bootstrap interval of the mean of `values`: resample with replacement `samples` times, take the
 * (1−c)/2 and (1+c)/2 quantiles of the resampled means (linear interpolation between order statistics).
 * @returns `[low, high]`; `[v, v]` for a single value or constant values.
 * @throws {RangeError} for an empty list or a confidence outside (0, 1).
 * @example bootstrapCI([0, 1, 1, 0], { seed: 1 }) // about [0, 1]
 */
export function bootstrapCI(values: readonly number[], options: BootstrapOptions = {}): [number, number] {
  const { samples = 1000, confidence = 0.95, seed = 0 } = options;
  if (values.length === 0) throw new RangeError("Cannot bootstrap: values must be non-empty, got 0 values");
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`Cannot bootstrap: confidence must be in (0, 1), got ${confidence}`);
  }
  const rng = createRandom(seed);
  const n = values.length;
  const means = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rng.next() * n)] as number;
    means[s] = sum / n;
  }
  means.sort();
  return [quantile(means, (1 - confidence) / 2), quantile(means, (1 + confidence) / 2)];
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Arithmetic mean. @throws {RangeError} for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Cannot average: values must be non-empty, got 0 values");
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
