// Acceptance 1: stories260K, converted from llama2.c, decodes greedily to llama2.c's own output, on every backend.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStories260k, STORIES260K_DIR, stories260kReference } from "./_stories260k.ts";
import { selectBackend } from "./backend.ts";
import { type Checkpoint, loadCheckpoint } from "./checkpoint.ts";
import { generate } from "./generate.ts";
import { convertLlama2c } from "./llama2c.ts";
import { LlamaModel } from "./llama.ts";
import { type ChatTokenizer, loadTokenizer } from "./tokenizer.ts";

const present = hasStories260k();
if (!present) console.warn(`skipping the stories260K parity test: ${STORIES260K_DIR} is missing`);

describe.runIf(present)("stories260K converted from llama2.c", () => {
  let root = "";
  let checkpoint: Checkpoint;
  let tok: ChatTokenizer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "longpo-stories-"));
    const out = join(root, "stories260K");
    await convertLlama2c({
      modelPath: join(STORIES260K_DIR, "stories260K.bin"),
      tokenizerPath: join(STORIES260K_DIR, "tok512.bin"),
      outDir: out,
    });
    checkpoint = await loadCheckpoint(out);
    tok = await loadTokenizer(out);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Runs `body` with a fresh model on `backend` and checks that no tensor outlives it. */
  async function withModel(backend: "cpu" | "wasm", body: (model: LlamaModel) => Promise<void>): Promise<void> {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    const model = LlamaModel.fromWeights(checkpoint.config, checkpoint.weights);
    try {
      await body(model);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }

  // llama2.c's `-n 200` feeds positions 0..199 (BOS first) and prints the 200 tokens they predict.
  const NEW_TOKENS = 200;

  for (const backend of ["cpu", "wasm"] as const) {
    it(`decodes llama2.c's reference text greedily from BOS on ${backend} with the cache`, async () => {
      await withModel(backend, async (model) => {
        const [result] = await generate(model, [[1]], { maxNewTokens: NEW_TOKENS, temperature: 0, useCache: true });
        expect(result!.tokenIds.length).toBe(NEW_TOKENS);
        expect(tok.decode(result!.tokenIds, { skipSpecialTokens: true })).toBe(stories260kReference());
        // the model writes the tokenizer's own segmentation of the text
        expect(result!.tokenIds).toEqual(tok.encode(stories260kReference()));
      });
    });

    // Greedy decoding without the cache reruns the whole prefix each step and takes the last position's argmax;
    // one causal forward over the reference computes every one of those logits at once.
    it(`predicts every next reference token from a full forward on ${backend}`, async () => {
      const ids = tok.encode(stories260kReference()); // (200)
      const input = [1, ...ids.slice(0, -1)]; // BOS + the first 199 tokens
      await withModel(backend, async (model) => {
        const predicted = tf.tidy(() => {
          const logits = model.forward(tf.tensor2d([input], [1, input.length], "int32")); // (1, 200, V)
          return tf.argMax(logits, -1); // (1, 200)
        });
        const argmax = Array.from(await predicted.data());
        predicted.dispose();
        expect(argmax).toEqual(ids);
      });
    });
  }

  it("decodes llama2.c's reference text greedily from BOS on wasm without the cache", async () => {
    await withModel("wasm", async (model) => {
      const [result] = await generate(model, [[1]], { maxNewTokens: NEW_TOKENS, temperature: 0, useCache: false });
      expect(tok.decode(result!.tokenIds, { skipSpecialTokens: true })).toBe(stories260kReference());
    });
  });
});
