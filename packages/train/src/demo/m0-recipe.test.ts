import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseModelConfig } from "../model/config.ts";
import { bootstrapM0, M0Recipe, m0HfConfig } from "./m0-recipe.ts";
import { DemoConfig, shippedM0Dir } from "./run-demo.ts";
import { createWorld, maxValueWords, MULTI_TOKEN_ATTRIBUTES } from "./world.ts";

const tiny = {
  dialogues: 16,
  model: { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 2, intermediateSize: 32, ropeTheta: 10_000 },
  train: { method: "sft", learningRate: 1e-3, batchSize: 8, gradientAccumulation: 1, maxLength: 96, schedule: "constant", warmupRatio: 0 },
  eval: { seed: 1, shortLength: 32, examplesPerCell: 1, groundingChunks: 2 },
};

describe("M0Recipe", () => {
  it("fills every default and builds a Llama config the model core accepts", () => {
    const recipe = M0Recipe.parse({});
    expect(recipe.data.maxSequence).toBeGreaterThanOrEqual(recipe.data.docLength[1] + 19);
    const config = parseModelConfig(m0HfConfig(recipe, 700));
    expect(config.vocabSize).toBe(700);
    expect(config.hiddenSize).toBe(128);
    expect(config.eosTokenIds).toEqual([3]);
  });

  it("is the recipe of the shipped M0 (the default recipe rebuilds what the repository ships)", async () => {
    const shipped = JSON.parse(await readFile(join(shippedM0Dir(), "m0-recipe.json"), "utf8"));
    expect(shipped).toEqual(M0Recipe.parse({}));
    const config = JSON.parse(await readFile(join(shippedM0Dir(), "config.json"), "utf8"));
    const recipe = M0Recipe.parse({});
    expect([config.hidden_size, config.num_hidden_layers, config.intermediate_size, config.rope_theta]).toEqual([
      recipe.model.hiddenSize, recipe.model.layers, recipe.model.intermediateSize, recipe.model.ropeTheta,
    ]);
  });

  it("rejects unknown recipe keys", () => {
    expect(() => M0Recipe.parse({ dialogs: 3 })).toThrow();
  });

  it("ships a multi-token recipe (examples/multi-token) whose world is MULTI_TOKEN_ATTRIBUTES, the rest the defaults", async () => {
    const file = join(shippedM0Dir(), "..", "..", "..", "..", "examples", "multi-token", "m0-recipe.json");
    const recipe = M0Recipe.parse(JSON.parse(await readFile(file, "utf8")));
    expect(recipe.world.attributes).toEqual(MULTI_TOKEN_ATTRIBUTES);
    expect(maxValueWords(createWorld(recipe.world))).toBe(2);
    const defaults = M0Recipe.parse({});
    expect({ ...recipe, world: defaults.world, dialogues: defaults.dialogues }).toEqual(defaults);
  });

  it("ships the multi-token experiment's demo configs, valid DemoConfigs on the validation set with the named rows", async () => {
    for (const seed of [1, 2]) {
      const file = join(shippedM0Dir(), "..", "..", "..", "..", "examples", "multi-token", `demo-seed${seed}.json`);
      const config = DemoConfig.parse(JSON.parse(await readFile(file, "utf8")));
      expect(config).toMatchObject({ pairSeed: seed, trainSeeds: [seed], evaluateOn: "validation", rows: ["longpo", "sft", "dpo"] });
    }
  });
});

describe("bootstrapM0", () => {
  it("trains the same weights twice for the same recipe and writes its report", async () => {
    const a = await mkdtemp(join(tmpdir(), "m0-a-"));
    const b = await mkdtemp(join(tmpdir(), "m0-b-"));
    try {
      const ra = await bootstrapM0({ outDir: a, recipe: tiny, backend: "wasm" });
      const rb = await bootstrapM0({ outDir: b, recipe: tiny, backend: "wasm" });
      expect(ra.steps).toBe(2); // 16 dialogues / batch 8
      const wa = await readFile(join(ra.modelDir, "model.safetensors"));
      const wb = await readFile(join(rb.modelDir, "model.safetensors"));
      expect(Buffer.compare(wa, wb)).toBe(0);
      expect(await readFile(join(a, "m0-sft.jsonl"), "utf8")).toBe(await readFile(join(b, "m0-sft.jsonl"), "utf8"));
      const report = JSON.parse(await readFile(join(a, "m0-report.json"), "utf8")) as { measurement: { shortExamples: number } };
      expect(report.measurement.shortExamples).toBe(4); // 4 depths × 1 example
      // The model folder carries its recipe (its world), as the shipped M0 does.
      expect(JSON.parse(await readFile(join(ra.modelDir, "m0-recipe.json"), "utf8"))).toEqual(M0Recipe.parse(tiny));
    } finally {
      await rm(a, { recursive: true, force: true });
      await rm(b, { recursive: true, force: true });
    }
  });

  it("trains the shipped M0's first 20 steps to the bytes of the code that trained it (any rounding change fails)", async () => {
    // The default recipe (model shape, optimizer, schedule over 20 steps) on 640 dialogues; the hash is what commit
    // 76dbb59, whose code trained the shipped M0, writes for this recipe on wasm. A change that rounds differently in
    // the training path (a reordered sum, a folded constant) makes `longpo bootstrap` no longer rebuild M0 byte for
    // byte, and fails here.
    const dir = await mkdtemp(join(tmpdir(), "m0-pin-"));
    try {
      const r = await bootstrapM0({ outDir: dir, recipe: { dialogues: 640, eval: { examplesPerCell: 1, groundingChunks: 1 } }, backend: "wasm" });
      expect(r.steps).toBe(20);
      const sha = createHash("sha256").update(await readFile(join(r.modelDir, "model.safetensors"))).digest("hex");
      expect(sha).toBe("652d589a5d2a4e6aeb3691e62ffee0afa19076ffe3c9421b83f79dd7292fdb0f");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
