import { describe, expect, it } from "vitest";
import { bootstrapCI, mean } from "./bootstrap-ci.ts";

describe("bootstrapCI", () => {
  it("collapses to the value for constant inputs", () => {
    expect(bootstrapCI([1, 1, 1])).toEqual([1, 1]);
  });

  it("agrees with the normal approximation for a large 0/1 sample", () => {
    // 50 ones in 100: mean 0.5, standard error sqrt(0.25/100) = 0.05, 95% interval 0.5 ± 1.96 * 0.05 = [0.402, 0.598]
    const values = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const [lo, hi] = bootstrapCI(values, { samples: 4000, seed: 3 });
    expect(lo).toBeGreaterThan(0.38);
    expect(lo).toBeLessThan(0.43);
    expect(hi).toBeGreaterThan(0.57);
    expect(hi).toBeLessThan(0.62);
  });

  it("is identical for the same seed", () => {
    const values = [0.1, 0.5, 0.9, 0.3];
    expect(bootstrapCI(values, { seed: 7 })).toEqual(bootstrapCI(values, { seed: 7 }));
  });

  it("rejects an empty list and a confidence outside (0, 1)", () => {
    expect(() => bootstrapCI([])).toThrow(RangeError);
    expect(() => bootstrapCI([1], { confidence: 1 })).toThrow(RangeError);
  });
});

describe("mean", () => {
  it("averages", () => {
    expect(mean([1, 2, 6])).toBe(3);
  });
});
