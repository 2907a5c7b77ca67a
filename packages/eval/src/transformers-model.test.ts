import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { writeTinyOnnxModel } from "./_testdata/tiny-onnx-model.ts";
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

describe("loadTransformersModel on a tiny ONNX bigram model written by the test", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eval-onnx-"));
  const vocab = ["<pad>", "<s>", "</s>", "<user>", "<assistant>", "hello", "world", "sea", "calm"];
  writeTinyOnnxModel(dir, vocab, { "<assistant>": { hello: 4 }, hello: { world: 4 }, world: { "</s>": 4 }, sea: { calm: 3 } });
  const model = await loadTransformersModel({ folder: dir, name: "tiny" });
  afterAll(() => model.dispose());
  // 9 logits a row; a row with one logit at 4 gives that token log p = 4 − ln(e⁴ + 8), the others −ln(e⁴ + 8)
  const top = 4 - Math.log(Math.exp(4) + 8);

  it("generates greedily through the chat template until the end token, and cuts at stop strings", async () => {
    // "<s> <user> sea <assistant>" then the chain hello -> world -> </s>
    expect(await model.generate([[{ role: "user", content: "sea" }]], { maxTokens: 8 })).toEqual(["hello world"]);
    expect(await model.generate([[{ role: "user", content: "sea" }]], { maxTokens: 1 })).toEqual(["hello"]);
    expect(await model.generate([[{ role: "user", content: "sea" }]], { maxTokens: 8, stop: [" world"] })).toEqual(["hello"]);
    // a raw prompt ending in "sea" continues with its bigram: calm (logit 3), then calm's all-zero row picks id 0
    expect((await model.generate(["sea"], { maxTokens: 1 }))[0]).toBe("calm");
  });

  it("scores continuations with hand-computed log-softmax values", async () => {
    const [a, b] = await model.logLikelihood!([
      { context: "<s> <user> sea <assistant>", continuation: " hello world" },
      { context: "<s> <user> sea <assistant>", continuation: " calm" },
    ]);
    expect(a?.logprob).toBeCloseTo(2 * top, 5);
    expect(a?.isGreedy).toBe(true);
    expect(b?.logprob).toBeCloseTo(-Math.log(Math.exp(4) + 8), 5);
    expect(b?.isGreedy).toBe(false);
  });

  it("counts tokens with the folder's tokenizer", () => {
    expect(model.tokenizer.encode("hello world sea")).toEqual([5, 6, 7]);
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
