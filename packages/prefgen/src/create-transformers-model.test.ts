import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransformersModel, type TransformersModel } from "./create-transformers-model.ts";
import { writeTinyModel } from "./_testdata/tiny-onnx-model.ts";

// A real ONNX file (Gather + MatMul bigram model) written by the test, loaded by transformers.js from a folder.
const VOCAB = ["<pad>", "<s>", "</s>", "<user>", "<assistant>", "hello", "world", "sea", "calm"];
let model: TransformersModel;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "prefgen-onnx-"));
  writeTinyModel(dir, { vocab: VOCAB, logits: { "<assistant>": { hello: 4 }, hello: { world: 4 }, world: { "</s>": 4 }, sea: { calm: 2 } } });
  model = await createTransformersModel({ modelDir: dir, name: "tiny" });
});
afterAll(async () => {
  await model.dispose();
});

const user = (content: string) => [{ role: "user" as const, content }];

describe("createTransformersModel on a tiny ONNX model", () => {
  it("generates greedily until end of sequence, and reports 'length' at the token limit", async () => {
    const [full, cut] = await model.generate([
      { messages: user("sea sea"), sampling: { temperature: 0, topP: 1, maxTokens: 8 } },
      { messages: user("sea sea"), sampling: { temperature: 0, topP: 1, maxTokens: 1 } },
    ]);
    // Prompt "<s> <user> sea sea <assistant>" is 5 tokens; the bigram chain is hello → world → </s>.
    expect(full).toEqual({ text: "hello world", finishReason: "stop", promptTokens: 5, completionTokens: 2 });
    expect(cut).toEqual({ text: "hello", finishReason: "length", promptTokens: 5, completionTokens: 1 });
  });

  it("cuts the text at a stop string", async () => {
    const [r] = await model.generate([{ messages: user("sea"), sampling: { temperature: 0, topP: 1, maxTokens: 8, stop: [" world"] } }]);
    expect([r?.text, r?.finishReason]).toEqual(["hello", "stop"]);
  });

  it("samples only words of the vocabulary at temperature 1", async () => {
    const [r] = await model.generate([{ messages: user("calm"), sampling: { temperature: 1, topP: 1, maxTokens: 6 } }]);
    for (const w of r!.text.split(" ").filter(Boolean)) expect(VOCAB).toContain(w);
    expect(r!.completionTokens).toBeLessThanOrEqual(6);
  });

  it("scores completions with hand-computed log-softmax values", async () => {
    const [a, b] = await model.score([
      { messages: user("sea"), completion: "hello world" },
      { messages: user("sea"), completion: "calm" },
    ]);
    // The assistant turn is "hello world </s>". 9 logits per row: one at 4, eight at 0, so
    // log p(hello | <assistant>) = log p(world | hello) = log p(</s> | world) = 4 − ln(e⁴ + 8).
    const top = 4 - Math.log(Math.exp(4) + 8);
    expect(a?.tokens).toBe(3);
    expect(a?.logprob).toBeCloseTo(3 * top, 5);
    // "calm </s>": log p(calm | <assistant>) = 0 − ln(e⁴ + 8); the row of "calm" is all zeros: log p(</s> | calm) = −ln 9.
    expect(b?.tokens).toBe(2);
    expect(b?.logprob).toBeCloseTo(-Math.log(Math.exp(4) + 8) - Math.log(9), 5);
  });

  it("returns empty text when the model ends its turn at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prefgen-onnx-eos-"));
    writeTinyModel(dir, { vocab: VOCAB, logits: { "<assistant>": { "</s>": 20 } } });
    const mute = await createTransformersModel({ modelDir: dir });
    try {
      const [r] = await mute.generate([{ messages: user("sea"), sampling: { temperature: 0, topP: 1, maxTokens: 4 } }]);
      expect(r).toEqual({ text: "", finishReason: "stop", promptTokens: 4, completionTokens: 0 });
    } finally {
      await mute.dispose();
    }
  });

  it("says which package to install when transformers.js cannot be loaded", async () => {
    const load = () => Promise.reject(new Error("Cannot find package '@huggingface/transformers'"));
    await expect(createTransformersModel({ modelDir: "/nowhere", load })).rejects.toThrow(/install the optional peer @huggingface\/transformers/);
  });
});
