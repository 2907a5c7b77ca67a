import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaPolicy } from "../adapters/llama-policy.ts";
import { selectBackend } from "../model/backend.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import { tinyConfig } from "../model/_test-configs.ts";
import { charTokenizer, TEST_VOCAB, toyPairs } from "../trainer/_test-helpers.ts";
import { attachReferenceLogps, scoreSequences } from "../trainer/reference-logps.ts";
import { buildTrainConfig, type TrainConfigInput } from "../trainer/train-config.ts";
import { train, type TrainResult } from "../trainer/trainer.ts";
import { padBatch } from "../trainer/length-grouped-batches.ts";
import { buildTrainingExample, type TrainingExample } from "../trainer/training-example.ts";
import { ReplicaPool, WorkerFailedError } from "./replica-pool.ts";

const config = tinyConfig({ vocabSize: TEST_VOCAB, maxPositionEmbeddings: 512 });
let root = "";
let examples: TrainingExample[] = [];

beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-pool-"));
  const raw = toyPairs(12).map((p) => buildTrainingExample(charTokenizer, p, "short"));
  const reference = LlamaModel.random(config, 11);
  examples = (await attachReferenceLogps(raw, llamaPolicy(reference), { padId: 0 })).examples;
  reference.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const base: TrainConfigInput = {
  method: "longpo", learningRate: 0.01, optimizer: "adamw", batchSize: 6, maxSteps: 3, warmupRatio: 0,
  schedule: "constant", beta: 0.1, lambda: 1, contextLossWeight: 0.1, maxGradNorm: 1, saveEvery: 0,
};

/** Train the tiny Llama from seed 3 with `workers` (1: in this thread, no pool) and return its final weights. */
async function trainTiny(name: string, workers: number, overrides: TrainConfigInput = {}, hook?: (pool: ReplicaPool | undefined) => {
  onLog?: (step: number) => Promise<void> | void;
  resume?: boolean;
}): Promise<{ weights: Map<string, Float32Array>; result: TrainResult | Error }> {
  const { config: trainConfig } = buildTrainConfig({ ...base, outputDir: join(root, name), ...overrides });
  const model = LlamaModel.random(config, 3);
  const policy = llamaPolicy(model);
  const pool = workers > 1 ? await ReplicaPool.start({ workers, backend: "wasm", config, weights: model.weights(), parameters: policy.parameters }) : undefined;
  const h = hook?.(pool) ?? {};
  let result: TrainResult | Error;
  try {
    result = await train({
      config: trainConfig, policy, examples, padId: 0, resume: h.resume === true,
      saveModel: async (dir) => {
        const { saveCheckpoint } = await import("../model/checkpoint.ts");
        await saveCheckpoint(dir, { config: model.config, weights: model.weights() });
      },
      loadWeights: async (dir) => {
        const { loadCheckpoint } = await import("../model/checkpoint.ts");
        const { assignWeights } = await import("../adapters/llama-policy.ts");
        assignWeights(model, (await loadCheckpoint(dir)).weights);
      },
      ...(pool === undefined ? {} : { gradients: pool }),
      ...(h.onLog === undefined ? {} : { onLog: (line) => void h.onLog?.(line.step) }),
    });
  } catch (e) {
    result = e as Error;
  } finally {
    await pool?.close();
  }
  const weights = new Map([...model.weights()].map(([k, v]) => [k, v.data]));
  model.dispose();
  return { weights, result };
}

function maxAbsDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let m = 0;
  for (const [k, x] of a) {
    const y = b.get(k) as Float32Array;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  }
  return m;
}

describe("ReplicaPool", () => {
  it("two workers train the same weights as one worker, within float tolerance, and move them", async () => {
    const one = await trainTiny("one", 1);
    const two = await trainTiny("two", 2);
    expect(one.result).toMatchObject({ status: "completed", steps: 3 });
    expect(two.result).toMatchObject({ status: "completed", steps: 3 });
    const start = LlamaModel.random(config, 3);
    const initial = new Map([...start.weights()].map(([k, v]) => [k, v.data]));
    start.dispose();
    // Adam at lr 0.01 moves weights by ~0.01 per step; shard sums differ from one sum only by rounding.
    expect(maxAbsDiff(one.weights, initial)).toBeGreaterThan(0.005);
    expect(maxAbsDiff(one.weights, two.weights)).toBeLessThan(1e-5);
  });

  let twoWorkers: Map<string, Float32Array> | undefined;

  it("two runs with two workers and the same seed give bit-identical weights", async () => {
    const a = await trainTiny("det-a", 2);
    const b = await trainTiny("det-b", 2);
    expect(a.result).toMatchObject({ status: "completed" });
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    twoWorkers = a.weights;
  });

  it("a killed worker stops the run with its error, and --resume finishes it as if uninterrupted", async () => {
    const overrides = { saveEvery: 1 };
    const killed = await trainTiny("killed", 2, overrides, (pool) => ({
      onLog: async (step) => {
        if (step === 2) await pool?.fault(1, "kill");
      },
    }));
    expect(killed.result).toBeInstanceOf(WorkerFailedError);
    expect((killed.result as Error).message).toMatch(/worker 1 of the replica pool exited/);
    const resumed = await trainTiny("killed", 2, overrides, () => ({ resume: true }));
    expect(resumed.result).toMatchObject({ status: "completed", steps: 3 });
    // Resumed from checkpoint-2 (weights, Adam moments, data position): the same bits as the run above.
    expect(twoWorkers).toBeDefined();
    expect(maxAbsDiff(resumed.weights, twoWorkers as Map<string, Float32Array>)).toBe(0);
  });

  it("shards scoring and greedy generation in input order, equal to one replica, and reports a worker that throws", async () => {
    const model = LlamaModel.random(config, 5);
    const policy = llamaPolicy(model);
    const pool = await ReplicaPool.start({ workers: 2, backend: "wasm", config, weights: model.weights(), parameters: policy.parameters });
    try {
      const seqs = examples.flatMap((e) => [e.chosen, e.rejected]);
      const local = await scoreSequences(policy, seqs, 0, 4);
      const sharded = await pool.scoreSequences(seqs, 0, 4);
      expect(sharded).toHaveLength(seqs.length);
      sharded.forEach((v, i) => expect(v).toBeCloseTo(local[i] as number, 3));
      const prompts = [[1, 5, 9], [1, 7], [1, 20, 21, 22, 23], [1, 3], [1, 40, 41]];
      const greedy = { maxNewTokens: 6, temperature: 0, eosTokenIds: [] };
      expect(await pool.generate(prompts, greedy)).toEqual(await generate(model, prompts, greedy));
      await pool.fault(0, "throw");
      await expect(pool.scoreSequences(seqs, 0, 4)).rejects.toThrow(/worker 0 of the replica pool threw: replica 0 was asked to crash/);
      // padBatch is the trainer's: a one-worker pool would see the same rows.
      expect(padBatch(seqs.slice(0, 2), 0).batch).toBe(2);
    } finally {
      await pool.close();
      model.dispose();
    }
  });
});
