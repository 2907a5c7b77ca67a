import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../cli/_test-fixture.ts";
import { buildModel, type OpenedModel, readModelFolder } from "../cli/open-model.ts";
import { selectBackend } from "../model/backend.ts";
import type { LlamaModel } from "../model/llama.ts";
import { tokenizeDialogue } from "../trainer/training-example.ts";
import { llamaEvalModel, llamaGenerator, llamaScorer } from "./llama-adapters.ts";

let root = "";
let folder: OpenedModel;
let model: LlamaModel;
let words: readonly string[] = [];
beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-adapters-"));
  words = await writeTinyModel(join(root, "m"), 3);
  folder = await readModelFolder(join(root, "m"));
  model = buildModel(folder);
});
afterAll(async () => {
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

describe("llama adapters", () => {
  it("the eval model marks its own greedy continuation as greedy and a changed one as not", async () => {
    const evalModel = llamaEvalModel(model, folder.tokenizer, { name: "tiny" });
    const context = words.slice(20, 26).join(" ");
    const [greedy] = await evalModel.generate([context], { maxTokens: 3, temperature: 0 });
    expect(greedy?.split(" ")).toHaveLength(3);
    const other = words.find((w) => w !== greedy?.split(" ")[0] && !w.startsWith("<")) as string;
    const [a, b] = await evalModel.logLikelihood!([
      { context, continuation: ` ${greedy}` },
      { context, continuation: ` ${other}` },
    ]);
    expect(a?.isGreedy).toBe(true);
    expect(b?.isGreedy).toBe(false);
    expect(a?.logprob).toBeLessThan(0);
  });

  it("the scorer counts the assistant turn's tokens as the trainer labels them", async () => {
    const scorer = llamaScorer(model, folder.tokenizer, { name: "tiny" });
    const messages = [{ role: "user" as const, content: words.slice(30, 40).join(" ") }];
    const completion = words.slice(40, 43).join(" ");
    const [r] = await scorer.score([{ messages, completion }]);
    const labelled = tokenizeDialogue(folder.tokenizer, [...messages, { role: "assistant", content: completion }]).labelMask.reduce((x, y) => x + y, 0);
    expect(r?.tokens).toBe(labelled); // the 3 words and the template's end-of-turn token: 4
    expect(labelled).toBe(4);
    expect(Number.isFinite(r?.logprob)).toBe(true);
  });

  it("the generator reports prompt tokens and finishes by length when the limit is hit", async () => {
    const gen = llamaGenerator(model, folder.tokenizer, { name: "tiny" });
    const messages = [{ role: "user" as const, content: words.slice(50, 55).join(" ") }];
    const [r] = await gen.generate([{ messages, sampling: { temperature: 0, topP: 1, maxTokens: 2 } }]);
    const promptIds = folder.tokenizer.encode(folder.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }));
    expect(r?.promptTokens).toBe(promptIds.length);
    expect(r?.completionTokens).toBeLessThanOrEqual(2);
    if (r?.completionTokens === 2) expect(r.finishReason).toBe("length");
  });
});
