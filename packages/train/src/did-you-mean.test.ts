import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.ts";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "abc")).toBe(3); // three insertions
    expect(editDistance("kitten", "sitting")).toBe(3); // k→s, e→i, +g
    expect(editDistance("temprature", "temperature")).toBe(1); // insert the "e" after "temp"
    expect(editDistance("flaw", "lawn")).toBe(2); // delete f, insert n
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("didYouMean", () => {
  const trainKeys = ["learningRate", "warmupRatio", "gradientAccumulation", "beta", "lambda", "seed"];

  it("suggests the close name across spelling styles", () => {
    expect(didYouMean("temprature", ["temperature", "top-k", "top-p"])).toBe("temperature");
    expect(didYouMean("learning-rat", trainKeys)).toBe("learningRate");
    expect(didYouMean("gradient_acumulation", trainKeys)).toBe("gradientAccumulation");
  });

  it("suggests a name that starts with a long enough prefix", () => {
    expect(didYouMean("warmup", trainKeys)).toBe("warmupRatio");
    expect(didYouMean("lam", ["lambdaValue"])).toBeUndefined(); // under four letters: no prefix match
  });

  it("suggests nothing when no name is close", () => {
    expect(didYouMean("zzzzzz", trainKeys)).toBeUndefined();
    expect(didYouMean("", trainKeys)).toBeUndefined();
  });
});
