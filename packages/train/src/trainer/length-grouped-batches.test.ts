import { describe, expect, it } from "vitest";
import { lengthGroupedBatches, padBatch } from "./length-grouped-batches.ts";

describe("lengthGroupedBatches", () => {
  it("covers every index once and groups similar lengths", () => {
    const lengths = [5, 90, 7, 88, 6, 91, 8, 89];
    const batches = lengthGroupedBatches(lengths, 2, 42, 0);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const b of batches) {
      const ls = b.map((i) => lengths[i] as number);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThan(10);
    }
  });

  it("is a pure function of seed and epoch", () => {
    const lengths = Array.from({ length: 50 }, (_, i) => (i * 37) % 101);
    expect(lengthGroupedBatches(lengths, 4, 1, 3)).toEqual(lengthGroupedBatches(lengths, 4, 1, 3));
    expect(lengthGroupedBatches(lengths, 4, 1, 3)).not.toEqual(lengthGroupedBatches(lengths, 4, 1, 4));
  });
});

describe("padBatch", () => {
  it("right-pads, shifts targets left and masks only response targets", () => {
    const p = padBatch([{ ids: [1, 5, 6], labelMask: [0, 0, 1] }, { ids: [1, 7], labelMask: [0, 1] }], 0);
    expect(p.length).toBe(3);
    expect([...p.ids]).toEqual([1, 5, 6, 1, 7, 0]);
    expect([...p.targets]).toEqual([5, 6, 0, 7, 0, 0]);
    expect([...p.targetMask]).toEqual([0, 1, 0, 1, 0, 0]);
    expect(p.labelCounts).toEqual([1, 1]);
  });
});
