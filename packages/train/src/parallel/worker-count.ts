// --workers N: how many model replicas (worker threads) a computing command uses; default every core.
import { availableCores, envVar } from "../runtime.ts";

/** The most workers a command accepts. */
export const MAX_WORKERS = 64;

/**
 * The `LONGPO_WORKERS` environment variable when set (as `OMP_NUM_THREADS` caps other tools; the test suite sets
 * it to 1), else every core this process may use (`os.availableParallelism()`), at most {@link MAX_WORKERS}.
 *
 * @throws {RangeError} when `LONGPO_WORKERS` is not an integer from 1 to 64
 */
export function defaultWorkerCount(): number {
  const env = envVar("LONGPO_WORKERS");
  if (env !== undefined && env.trim() !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
      throw new RangeError(`Cannot use LONGPO_WORKERS=${env}: it must be an integer from 1 to ${MAX_WORKERS}`);
    }
    return n;
  }
  return Math.min(MAX_WORKERS, availableCores());
}

/**
 * Check a worker count: an integer from 1 to {@link MAX_WORKERS}.
 *
 * @throws {RangeError} naming the value, e.g. for 0, 1.5 or 65
 * @example
 * checkWorkerCount(2); // 2
 */
export function checkWorkerCount(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new RangeError(`Cannot use --workers ${n}: it must be an integer from 1 to ${MAX_WORKERS}`);
  }
  return n;
}
