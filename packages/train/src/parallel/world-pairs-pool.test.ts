import { PreTrainedTokenizer } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { M0Recipe, m0HfConfig } from "../demo/m0-recipe.ts";
import { makeWorldPairs } from "../demo/world-pairs.ts";
import { buildWorldTokenizer } from "../demo/world-tokenizer.ts";
import { createWorld } from "../demo/world.ts";
import { selectBackend } from "../model/backend.ts";
import { parseModelConfig, withRopeTheta } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import { ChatTokenizer } from "../model/tokenizer.ts";
import { replicaPoolFor } from "./replica-pool-for.ts";

const world = createWorld();
const files = buildWorldTokenizer(world);
const tok = new ChatTokenizer(new PreTrainedTokenizer(files.tokenizerJson, files.tokenizerConfig));
const tiny = M0Recipe.parse({ model: { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 2, intermediateSize: 32, ropeTheta: 10_000 } });
let short: LlamaModel;
let long: LlamaModel;

beforeAll(async () => {
  await selectBackend("wasm");
  const config = parseModelConfig(m0HfConfig(tiny, Object.keys(files.vocab).length));
  short = LlamaModel.random(config, 3, 0.5);
  long = LlamaModel.fromWeights(withRopeTheta(config, 40_000), short.weights());
});
afterAll(() => {
  short.dispose();
  long.dispose();
});

describe("makeWorldPairs over worker replicas", () => {
  it("gives the same pairs and statistics, in the same order, as the models in this thread", async () => {
    const base = { seed: 4, documents: 6, chunks: 4, chunkLength: 32, factsPerChunk: [2, 3] as const, turns: 2, keepIdentical: true, batchSize: 4 };
    const shortPool = await replicaPoolFor(short, 2);
    const longPool = await replicaPoolFor(long, 2);
    try {
      expect(shortPool?.size).toBe(2);
      // template questions: pairs to compare; self-copy: M0-written questions with the first-token constraint.
      for (const questions of ["template", "self-copy"] as const) {
        const here = await makeWorldPairs(world, short, long, tok, { ...base, questions });
        const pooled = await makeWorldPairs(world, short, long, tok, { ...base, questions, pools: { short: shortPool, long: longPool } });
        if (questions === "template") expect(here.pairs.length).toBeGreaterThan(0);
        expect(pooled.pairs).toEqual(here.pairs);
        expect({ ...pooled.stats, seconds: 0 }).toEqual({ ...here.stats, seconds: 0 });
        if (questions === "self-copy") expect(here.stats.questionsWritten).toBe(12); // 6 documents × 2 turns
      }
    } finally {
      await shortPool?.close();
      await longPool?.close();
    }
  });
});
