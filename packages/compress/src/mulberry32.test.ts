import { describe, expect, it } from "vitest";
import { mulberry32 } from "./mulberry32.ts";

describe("mulberry32", () => {
  it("gives the reference sequence for seed 42", () => {
    // Reference values from a separate Python transcription of the original C (32-bit wrap-around arithmetic).
    const random = mulberry32(42);
    expect([random(), random(), random()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it("repeats a sequence for the same seed and stays in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("rejects a seed that is not an integer", () => {
    expect(() => mulberry32(0.5)).toThrow("Cannot seed mulberry32: seed must be an integer, got 0.5");
  });
});
