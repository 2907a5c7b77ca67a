import { describe, expect, it } from "vitest";
import { bm25Scores, bm25Terms } from "./bm25-scores.ts";
import { mulberry32 } from "@longpo/io";

/** BM25 written the plain way, term lists and maps, as a reference for the one-pass scorer. */
function naiveBm25(texts: string[], query: string, k1 = 1.2, b = 0.75): number[] {
  const docs = texts.map(bm25Terms);
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / docs.length;
  return docs.map((doc) =>
    bm25Terms(query).reduce((score, term) => {
      const n = docs.filter((d) => d.includes(term)).length;
      const tf = doc.filter((t) => t === term).length;
      if (tf === 0) return score;
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
      return score + (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * doc.length) / avgdl));
    }, 0)
  );
}

// Toy corpus, worked by hand with k1 = 1.2, b = 0.75:
//   D1 "the cat sat on the mat" (dl 6), D2 "the dog sat" (dl 3), D3 "cats and dogs" (dl 3); N = 3, avgdl = 4.
//   IDF(t) = ln(1 + (N − n + 0.5) / (n + 0.5))
//     cat: n = 1 ("cats" is another term) → ln(1 + 2.5/1.5) = ln(8/3) = 0.980829253
//     sat: n = 2                          → ln(1 + 1.5/2.5) = ln(1.6) = 0.470003629
//     dog: n = 1                          → 0.980829253
//   Length factor K = k1·(1 − b + b·dl/avgdl): D1 1.2·(0.25 + 0.75·1.5) = 1.65; D2, D3 1.2·(0.25 + 0.75·0.75) = 0.975
//   A term seen once contributes IDF · 1·2.2/(1 + K): D1 ×2.2/2.65 = 0.830188679, D2 ×2.2/1.975 = 1.113924051
//   "cat sat":     D1 = 0.830188679·(0.980829253 + 0.470003629) = 1.204465034; D2 = 0.470003629·1.113924051 = 0.523548347; D3 = 0
//   "cat cat sat dog": D1 = 0.830188679·(2·0.980829253 + 0.470003629) = 2.018738376
//                      D2 = 1.113924051·(0.470003629 + 0.980829253) = 1.616117641; D3 = 0
const corpus = ["the cat sat on the mat", "The dog sat.", "Cats and dogs"];

describe("bm25Scores", () => {
  it("matches the hand-worked scores of a three-document corpus", () => {
    const scores = bm25Scores(corpus, "cat sat");
    expect(scores[0]).toBeCloseTo(1.204465034, 8);
    expect(scores[1]).toBeCloseTo(0.523548347, 8);
    expect(scores[2]).toBe(0);
  });

  it("counts a repeated query term each time it appears", () => {
    const scores = bm25Scores(corpus, "Cat cat SAT dog?");
    expect(scores[0]).toBeCloseTo(2.018738376, 8);
    expect(scores[1]).toBeCloseTo(1.616117641, 8);
    expect(scores[2]).toBe(0);
  });

  it("reduces to IDF times tf(k1 + 1)/(tf + k1) when b is 0", () => {
    // b = 0: D1 "cat" once → ln(8/3)·2.2/2.2 = 0.980829253
    expect(bm25Scores(corpus, "cat", { b: 0 })[0]).toBeCloseTo(0.980829253, 8);
  });

  it("finds terms made of non-ASCII letters and digits", () => {
    expect(bm25Terms("Café 42, naïve—Ünïcode 🙂 x")).toEqual(["café", "42", "naïve", "ünïcode", "x"]);
    const scores = bm25Scores(["le café noir", "le thé"], "CAFÉ");
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[1]).toBe(0);
  });

  it("agrees with a plain implementation on random texts", () => {
    const random = mulberry32(11).next;
    const words = ["Cat", "cat", "CATS", "dog", "Ünï", "ünï", "café", "42", "a1b", "𝒳y", "—", "x"];
    const pick = (k: number): string =>
      Array.from({ length: k }, () => words[Math.floor(random() * words.length)]).join(random() < 0.5 ? " " : ", ");
    for (let trial = 0; trial < 50; trial++) {
      const texts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(Math.floor(random() * 12)));
      const query = pick(1 + Math.floor(random() * 4));
      const expected = naiveBm25(texts, query);
      bm25Scores(texts, query).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 10));
    }
  });

  it("rejects k1 and b out of range", () => {
    expect(() => bm25Scores(corpus, "cat", { b: 2 })).toThrow("Cannot score with BM25: b must be in [0, 1], got 2");
    expect(() => bm25Scores(corpus, "cat", { k1: -1 })).toThrow(RangeError);
  });
});
