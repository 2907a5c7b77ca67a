import { describe, expect, it } from "vitest";
import { accuracy, exactMatch, normalizeAnswer, qaF1, rougeL, stringMatchAll, stringMatchPart } from "./metrics.ts";

describe("normalizeAnswer", () => {
  it("lower-cases, drops punctuation and articles and collapses whitespace", () => {
    // "The Cat's  hat!" -> "the cat's  hat!" -> "the cats  hat" -> " cats  hat" -> "cats hat"
    expect(normalizeAnswer("The Cat's  hat!")).toBe("cats hat");
    expect(normalizeAnswer("An apple a day")).toBe("apple day");
  });

  it("removes articles only as whole words", () => {
    expect(normalizeAnswer("Theory of Athens")).toBe("theory of athens");
  });

  it("removes punctuation before articles, so a hyphenated article survives glued", () => {
    // SQuAD order: remove_punc("the-end") = "theend", which no longer matches \bthe\b
    expect(normalizeAnswer("the-end")).toBe("theend");
  });

  it("keeps non-ASCII punctuation as SQuAD's string.punctuation does", () => {
    expect(normalizeAnswer("“Hello”")).toBe("“hello”");
  });

  it("turns an answer made only of articles and punctuation into the empty string", () => {
    expect(normalizeAnswer("The.")).toBe("");
    expect(normalizeAnswer("")).toBe("");
  });
});

describe("exactMatch", () => {
  it("is 1 when any reference matches after normalisation", () => {
    expect(exactMatch("the Eiffel Tower.", ["Big Ben", "Eiffel tower"])).toBe(1);
  });

  it("is 0 for a partial answer", () => {
    expect(exactMatch("Eiffel", ["Eiffel Tower"])).toBe(0);
  });

  it("matches two answers that both normalise to empty, as SQuAD's compute_exact", () => {
    expect(exactMatch("the", ["."])).toBe(1);
  });

  it("is 0 with no references", () => {
    expect(exactMatch("x", [])).toBe(0);
  });
});

describe("string match (RULER)", () => {
  it("string_match_all is the share of references found, case-insensitively", () => {
    // 123 and 456 found, 789 not: 2/3
    expect(stringMatchAll("The values are 123 and 456", ["123", "456", "789"])).toBeCloseTo(2 / 3, 12);
    expect(stringMatchAll("xABCx", ["abc"])).toBe(1);
  });

  it("string_match_part is 1 when any reference is found", () => {
    expect(stringMatchPart("The values are 123 and 456", ["789", "456"])).toBe(1);
    expect(stringMatchPart("nothing here", ["789", "456"])).toBe(0);
  });
});

describe("qaF1 (LongBench)", () => {
  it("computes token F1 of normalised answers", () => {
    // pred "cat sat on mat" (4 tokens, "the" dropped), ref "cat on mat" (3); common 3
    // P = 3/4, R = 1, F1 = 2 * 0.75 / 1.75 = 6/7
    expect(qaF1("the cat sat on the mat", ["cat on mat"])).toBeCloseTo(6 / 7, 12);
  });

  it("counts repeated tokens as a multiset", () => {
    // pred x x y, ref x y y: common = min(2,1) + min(1,2) = 2; P = R = 2/3, F1 = 2/3
    expect(qaF1("x x y", ["x y y"])).toBeCloseTo(2 / 3, 12);
  });

  it("takes the best reference and is 0 without overlap", () => {
    expect(qaF1("paris", ["london", "Paris."])).toBe(1);
    expect(qaF1("paris", ["london"])).toBe(0);
  });
});

describe("rougeL", () => {
  it("is the F1 of the longest common subsequence", () => {
    // LCS("the cat sat on the mat", "the cat on the mat") = 5; P = 5/6, R = 5/5; F = 2(5/6)/(11/6) = 10/11
    expect(rougeL("the cat sat on the mat", ["the cat on the mat"])).toBeCloseTo(10 / 11, 12);
    // LCS("a b c d", "b d e") = 2 (b d); P = 1/2, R = 2/3; F = (2/3)/(7/6) = 4/7
    expect(rougeL("a b c d", ["b d e"])).toBeCloseTo(4 / 7, 12);
  });

  it("is 0 with nothing in common and for an empty prediction", () => {
    expect(rougeL("x y", ["a b"])).toBe(0);
    expect(rougeL("", ["a b"])).toBe(0);
  });
});

describe("accuracy", () => {
  it("is the share of equal positions", () => {
    expect(accuracy([1, 2, 3], [1, 0, 3])).toBeCloseTo(2 / 3, 12);
  });

  it("rejects lists of different lengths", () => {
    expect(() => accuracy([1], [1, 2])).toThrow(RangeError);
  });
});
