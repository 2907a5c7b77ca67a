import { describe, expect, it } from "vitest";
import { learningRateAt } from "./lr-schedule.ts";

const o = { learningRate: 1e-3, totalSteps: 100, warmupRatio: 0.1 } as const;

describe("learningRateAt", () => {
  it("warms up linearly from 0 over ceil(ratio · total) steps", () => {
    expect(learningRateAt(0, { ...o, schedule: "cosine" })).toBe(0);
    expect(learningRateAt(5, { ...o, schedule: "cosine" })).toBeCloseTo(5e-4, 12); // 1e-3 · 5/10
    expect(learningRateAt(10, { ...o, schedule: "cosine" })).toBeCloseTo(1e-3, 12);
  });

  it("decays by half a cosine to 0 at the last step", () => {
    // progress (55 − 10)/90 = 0.5 → 0.5·(1 + cos(π/2)) = 0.5
    expect(learningRateAt(55, { ...o, schedule: "cosine" })).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(100, { ...o, schedule: "cosine" })).toBeCloseTo(0, 12);
  });

  it("decays linearly or stays constant", () => {
    expect(learningRateAt(82, { ...o, schedule: "linear" })).toBeCloseTo(2e-4, 12); // 1 − 72/90 = 0.2
    expect(learningRateAt(99, { ...o, schedule: "constant" })).toBe(1e-3);
  });

  it("rejects a negative step", () => {
    expect(() => learningRateAt(-1, { ...o, schedule: "linear" })).toThrow(RangeError);
  });
});
