// Learning-rate schedules: linear warm-up from 0, then constant, linear or cosine decay to 0.
import type { ScheduleName } from "./train-config.ts";

/** What a schedule needs to know. */
export interface LrScheduleOptions {
  schedule: ScheduleName;
  learningRate: number;
  totalSteps: number;
  warmupRatio: number;
}

/**
 * The learning rate of optimizer step `step` (0-based), as Hugging Face's `get_*_schedule_with_warmup`
 * computes it: warm-up steps = ceil(warmupRatio · totalSteps), the factor rises as step / warmup (so step 0 of a
 * warmed-up run has lr 0), then stays (constant) or decays to 0 at `totalSteps` (linear, half-cosine).
 *
 * @throws {RangeError} when `step` is negative or `totalSteps` is not positive.
 * @example
 * learningRateAt(5, { schedule: "cosine", learningRate: 1e-3, totalSteps: 100, warmupRatio: 0.1 }); // 5e-4
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  if (!Number.isInteger(o.totalSteps) || o.totalSteps < 1) {
    throw new RangeError(`Cannot compute learning rate: totalSteps must be a positive integer, got ${o.totalSteps}`);
  }
  if (!Number.isInteger(step) || step < 0) {
    throw new RangeError(`Cannot compute learning rate: step must be a non-negative integer, got ${step}`);
  }
  const warmup = Math.ceil(o.warmupRatio * o.totalSteps);
  if (step < warmup) return (o.learningRate * step) / Math.max(1, warmup);
  if (o.schedule === "constant") return o.learningRate;
  const progress = Math.min(1, (step - warmup) / Math.max(1, o.totalSteps - warmup));
  if (o.schedule === "linear") return o.learningRate * (1 - progress);
  return o.learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
}
