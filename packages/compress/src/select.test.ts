import { describe, expect, it } from "vitest";
import type { Chunk } from "./chunk-document.ts";
import { selectByBm25 } from "./select-by-bm25.ts";
import { selectByPosition } from "./select-by-position.ts";
import { selectRandom } from "./select-random.ts";

function chunksOf(texts: string[], tokens: number[]): Chunk[] {
  let start = 0;
  return texts.map((text, index) => {
    const chunk = { index, text, start, end: start + text.length, tokens: tokens[index]! };
    start += text.length;
    return chunk;
  });
}

const ten = chunksOf(
  Array.from({ length: 10 }, (_, i) => `chunk ${i} `),
  Array.from({ length: 10 }, () => 3),
);

describe("selectRandom", () => {
  it("picks the same chunks for the same seed", () => {
    const a = selectRandom(ten, { seed: 42, count: 3 });
    expect(selectRandom(ten, { seed: 42, count: 3 })).toEqual(a);
    // mulberry32(42) gives 0.6011, 0.4483, 0.8525: Fisher–Yates swaps 0↔6, 1↔floor(1 + 0.4483·9) = 5,
    // 2↔floor(2 + 0.8525·8) = 8, so it picks chunks 6, 5, 8, returned in document order.
    expect(a.map((c) => c.index)).toEqual([5, 6, 8]);
  });

  it("picks distinct chunks and spreads over all of them across seeds", () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const picked = selectRandom(ten, { seed, count: 2 });
      expect(new Set(picked.map((c) => c.index)).size).toBe(2);
      for (const c of picked) seen.add(c.index);
    }
    expect(seen.size).toBe(10);
  });

  it("returns every chunk when count exceeds the list", () => {
    expect(selectRandom(ten, { seed: 1, count: 50 })).toEqual(ten);
  });

  it("rejects an empty list and a bad count", () => {
    expect(() => selectRandom([], { seed: 1 })).toThrow(
      new RangeError("Cannot select chunks at random: chunks must be non-empty, got an empty list"),
    );
    expect(() => selectRandom(ten, { seed: 1, count: 0 })).toThrow(
      new RangeError("Cannot select chunks at random: count must be an integer ≥ 1, got 0"),
    );
    expect(() => selectRandom(ten, {} as { seed: number })).toThrow(
      new RangeError("Cannot select chunks at random: seed must be an integer, got undefined"),
    );
  });
});

describe("selectByPosition", () => {
  it("takes the first, middle and last chunks", () => {
    expect(selectByPosition(ten, "first").map((c) => c.index)).toEqual([0]);
    expect(selectByPosition(ten, "last", 2).map((c) => c.index)).toEqual([8, 9]);
    // floor((10 − 1)/2) = 4; floor((10 − 3)/2) = 3
    expect(selectByPosition(ten, "middle").map((c) => c.index)).toEqual([4]);
    expect(selectByPosition(ten, "middle", 3).map((c) => c.index)).toEqual([3, 4, 5]);
  });

  it("rejects an unknown position", () => {
    expect(() => selectByPosition(ten, "centre" as "middle")).toThrow(
      'Cannot select chunks by position: position must be one of first, middle, last, got "centre"',
    );
  });
});

describe("selectByBm25", () => {
  // The toy corpus of bm25-scores.test.ts: for "cat sat" D1 scores 1.2045, D2 0.5235, D3 0.
  const toy = chunksOf(["the cat sat on the mat", "The dog sat.", "Cats and dogs"], [7, 4, 3]);

  it("keeps the best chunks that fit the budget, in document order", () => {
    expect(selectByBm25(toy, "cat sat", { budget: 14 }).map((c) => c.index)).toEqual([0, 1, 2]);
    // Budget 11: D1 (7) then D2 (4) fill it exactly; D3 does not fit.
    expect(selectByBm25(toy, "cat sat", { budget: 11 }).map((c) => c.index)).toEqual([0, 1]);
    // Budget 8: D1 (7) fits; D2 (4) would overflow and is skipped; D3 (3) too.
    expect(selectByBm25(toy, "cat sat", { budget: 8 }).map((c) => c.index)).toEqual([0]);
    // Budget 6: D1 does not fit, D2 and D3 (4 + 3 = 7) do not both fit, so D2 alone.
    expect(selectByBm25(toy, "cat sat", { budget: 6 }).map((c) => c.index)).toEqual([1]);
    expect(selectByBm25(toy, "cat sat", { budget: 14, topK: 1 }).map((c) => c.index)).toEqual([0]);
  });

  it("ranks by score, then by position, and keeps document order", () => {
    // "dogs" is only in D3, so D3 ranks first, then D1 and D2 tie at 0 and go by position.
    expect(selectByBm25(toy, "dogs", { budget: 10 }).map((c) => c.index)).toEqual([0, 2]);
  });

  it("returns nothing when no chunk fits and rejects a bad budget", () => {
    expect(selectByBm25(toy, "cat", { budget: 2 })).toEqual([]);
    expect(() => selectByBm25(toy, "cat", { budget: 0 })).toThrow(
      new RangeError("Cannot select chunks by BM25: budget must be an integer ≥ 1, got 0"),
    );
    expect(() => selectByBm25([], "cat", { budget: 5 })).toThrow(RangeError);
    expect(() => selectByBm25(toy, 5 as unknown as string, { budget: 5 })).toThrow(
      new TypeError("Cannot select chunks by BM25: query must be a string, got number"),
    );
  });
});
