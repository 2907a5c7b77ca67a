import { describe, expect, it } from "vitest";
import streams from "./_testdata/random-streams.json" with { type: "json" };
import { hashSeed, hashString } from "./hash-seed.ts";
import { mulberry32 } from "./mulberry32.ts";
import { randomFrom, sampleIndices } from "./random.ts";
import { sfc32 } from "./sfc32.ts";
import { xoshiro128 } from "./xoshiro128.ts";

// random-streams.json was printed by the six generators this package replaces (compress's mulberry32, eval's
// createRandom/mixSeed, prefgen's seededRandom/hashInt, train's SeededRng, Xoshiro128 and the demo's createRng),
// at main 76dbb59, before they were deleted: shipped data (the demo world, M0's recipe) depends on these streams.
const seeds = [0, 1, 42, 20250101, 2 ** 31 + 5, 4294967295];
const take = (f: () => number, n = 12) => Array.from({ length: n }, f);
const items = ["a", "b", "c", "d", "e", "f", "g"];

describe("the generators reproduce the streams of the generators they replace, bit for bit", () => {
  it("mulberry32 equals compress's mulberry32", () => {
    expect(seeds.map((s) => take(mulberry32(s).next))).toEqual(streams.mulberry32);
  });

  it("mulberry32 equals the trainer's SeededRng, shuffles and saved state included", () => {
    const got = seeds.map((s) => {
      const r = mulberry32(s);
      const v = take(r.next, 6);
      const sh = r.shuffle(items);
      const i = r.int(1000);
      const st = r.state;
      return { v, sh, i, st, resumed: mulberry32(0, st).next() };
    });
    expect(got).toEqual(streams.seededRng);
  });

  it("mulberry32 with range, pick and a uuid drawn by nibbles equals eval's createRandom", () => {
    const got = seeds.map((s) => {
      const r = mulberry32(s);
      const v = take(r.next, 6);
      const int = take(() => r.range(3, 9), 6);
      const pick = r.pick(items);
      const shuffle = r.shuffle(items);
      const hex = Array.from({ length: 32 }, () => r.range(0, 15).toString(16));
      hex[12] = "4";
      hex[16] = (8 + r.range(0, 3)).toString(16);
      const h = hex.join("");
      return { v, int, pick, shuffle, uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
    });
    expect(got).toEqual(streams.evalRandom);
    const mix = [[1, "niah", 4096, 0], [42, "common_words", 1024, 3, 7], ["x"], [0]].map((p) => hashString(p.join("|")));
    expect(mix).toEqual(streams.mixSeed);
  });

  it("mulberry32 over hashSeed equals prefgen's seededRandom and hashInt", () => {
    expect(seeds.map((s) => ({ hash: hashSeed(s, "doc-1", "chunk"), v: take(mulberry32(hashSeed(s, "doc-1", "q")).next) }))).toEqual(streams.prefgen);
  });

  it("xoshiro128 equals the model's Xoshiro128 (normals to the last few ulps: Math.log and Math.cos differ by runtime)", () => {
    seeds.forEach((s, k) => {
      const r = xoshiro128(s);
      const want = streams.xoshiro128[k]!;
      expect(take(r.next, 8)).toEqual(want.v);
      take(r.normal, 4).forEach((x, i) => expect(Math.abs(x - want.normal[i]!)).toBeLessThan(1e-14));
    });
  });

  it("sfc32 equals the demo world's createRng, forks included", () => {
    const got = [...seeds, "demo-world", "m0"].map((s) => {
      const r = sfc32(s);
      const v = take(r.next, 8);
      const int = take(() => r.int(97), 6);
      const range = take(() => r.range(-3, 3), 6);
      const pick = r.pick(items);
      const shuffle = r.shuffle(items);
      const sample = r.sample(items, 3);
      const f = r.fork("facts");
      return { v, int, range, pick, shuffle, sample, fork: take(f.next, 4), after: r.next() };
    });
    expect(got).toEqual(streams.sfc32);
    expect(["", "a", "demo-world", "facts", "Grüße"].map(hashString)).toEqual(streams.hashString);
  });
});

describe("mulberry32", () => {
  it("gives the reference sequence for seed 42", () => {
    // Reference values from a separate Python transcription of the original C (32-bit wrap-around arithmetic).
    const r = mulberry32(42);
    expect([r.next(), r.next(), r.next()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it("sampleIndices draws a partial Fisher–Yates and sorts: mulberry32(42) on 10 picks 6, 5, 8 → [5, 6, 8]", () => {
    // swaps 0↔floor(0.6011·10) = 6, 1↔1 + floor(0.4483·9) = 5, 2↔2 + floor(0.8525·8) = 8; the pool then starts [6, 5, 8]
    expect(sampleIndices(10, 3, mulberry32(42).next)).toEqual([5, 6, 8]);
    expect(sampleIndices(3, 5, mulberry32(1).next)).toEqual([0, 1, 2]);
  });
});

describe("randomFrom", () => {
  it("draws int(n) as floor(next · n) and range as lo + int(hi − lo + 1)", () => {
    // next() = 0.5: int(10) = floor(5) = 5; range(2, 5) = 2 + floor(0.5 · 4) = 4
    const r = randomFrom(() => 0.5);
    expect([r.int(10), r.range(2, 5), r.pick(["x", "y", "z"])]).toEqual([5, 4, "y"]);
  });

  it("rejects an empty pick, a reversed range and k beyond the length, naming the constraint", () => {
    const r = mulberry32(1);
    expect(() => r.pick([])).toThrow(/non-empty/);
    expect(() => r.range(3, 2)).toThrow(/hi must be >= lo/);
    expect(() => r.sample([1], 2)).toThrow(/k must be <= 1/);
    expect(() => r.int(0)).toThrow(/positive integer/);
    expect(() => sfc32(Number.NaN)).toThrow(/finite/);
  });
});
