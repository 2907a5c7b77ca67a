import { describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { niahTask } from "./niah-task.ts";
import { passkeyTask } from "./passkey-task.ts";
import { continuationLogprob, loadTransformersModel, loadTransformersTokenizer } from "./transformers-model.ts";

describe("continuationLogprob", () => {
  // vocab 3, tokens [0, 2, 1]; row 0 = [0, 0, 0], row 1 = [0, ln 2, 0]
  const logits = [0, 0, 0, 0, Math.log(2), 0, 9, 9, 9];
  it("sums the log-softmax of each continuation token from the previous row", () => {
    // token 2 from row 0: log(1/3); token 1 from row 1: log(2/4); total log(1/6); row 0's argmax is 0, so not greedy
    const r = continuationLogprob(logits, 3, [0, 2, 1], 1);
    expect(r.logprob).toBeCloseTo(-Math.log(6), 12);
    expect(r.isGreedy).toBe(false);
  });

  it("is greedy when every continuation token is its row's argmax", () => {
    const r = continuationLogprob(logits, 3, [0, 2, 1], 2);
    expect(r.logprob).toBeCloseTo(-Math.log(2), 12);
    expect(r.isGreedy).toBe(true);
  });

  it("stays finite for huge logits", () => {
    const r = continuationLogprob([1e4, 0, 0, 0], 2, [0, 0], 1);
    expect(r.logprob).toBeCloseTo(0, 12);
  });

  it("rejects a start of 0", () => {
    expect(() => continuationLogprob(logits, 3, [0, 2, 1], 0)).toThrow(RangeError);
  });
});

describe("transformers.js adapter", () => {
  it("fails with an error when the folder holds no model", async () => {
    await expect(loadTransformersModel({ folder: "/nonexistent/model" })).rejects.toThrow();
  });

  const phi3 = asset("tokenizers/phi-3-mini");
  it.skipIf(phi3 === undefined)("sizes NIAH and passkey prompts in the real phi-3 tokenizer's tokens within 2%", async () => {
    const tokenizer = await loadTransformersTokenizer(phi3 as string);
    expect(tokenizer.decode(tokenizer.encode("The pass key is 71432."))).toBe("The pass key is 71432.");
    expectWithinTwoPercent(niahTask({ tokenizer, lengths: [1024, 3000], depths: [50], variant: "multikey" }), tokenizer);
    expectWithinTwoPercent(passkeyTask({ tokenizer, lengths: [2048], depths: [25] }), tokenizer);
  });
});
