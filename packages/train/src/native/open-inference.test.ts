// openInference where onnxruntime-node cannot be loaded (the import throws; vitest words the reason its own way):
// auto falls back to TF.js with one note, native fails.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { LlamaModel } from "../model/llama.ts";
import { tinyConfig } from "../model/_test-configs.ts";
import { openInference } from "./open-inference.ts";

vi.mock("onnxruntime-node", () => {
  throw new Error("libonnxruntime.so.1: cannot open shared object file");
});

describe("openInference without onnxruntime-node", () => {
  const config = tinyConfig();
  let weights: ReturnType<LlamaModel["weights"]>;
  beforeAll(async () => {
    await selectBackend("cpu");
    const model = LlamaModel.random(config, 1);
    weights = model.weights();
    model.dispose();
  });

  it("falls back to TF.js under auto with a one-line note, given once per process", async () => {
    const notes: string[] = [];
    const first = await openInference(config, weights, "auto", { note: (l) => notes.push(l) });
    const second = await openInference(config, weights, "auto", { note: (l) => notes.push(l) });
    expect(first).toBeInstanceOf(LlamaModel);
    expect(second).toBeInstanceOf(LlamaModel);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^native inference unavailable \(.+\); scoring and generation use TF\.js$/);
    expect(notes[0]).not.toContain("\n");
    first.dispose();
    second.dispose();
  });

  it("fails under native, saying why", async () => {
    await expect(openInference(config, weights, "native")).rejects.toThrow(/^Cannot open native inference: onnxruntime-node failed to load or run \(.+\)$/);
  });
});
