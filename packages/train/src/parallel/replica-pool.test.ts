import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignWeights, llamaPolicy } from "../adapters/llama-policy.ts";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { type WeightMap, withRopeTheta } from "../model/config.ts";
import { selectBackend } from "../model/backend.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import { tinyConfig } from "../model/_test-configs.ts";
import { charTokenizer, TEST_VOCAB, toyPairs } from "../trainer/_test-helpers.ts";
import { attachReferenceLogps, scoreSequences } from "../trainer/reference-logps.ts";
import { buildTrainConfig, type TrainConfigInput } from "../trainer/train-config.ts";
import { train, type TrainResult } from "../trainer/trainer.ts";
import { buildTrainingExample, type TrainingExample } from "../trainer/training-example.ts";
import { ReplicaPool, WorkerFailedError } from "./replica-pool.ts";

const config = tinyConfig({ vocabSize: TEST_VOCAB, maxPositionEmbeddings: 512 });
let root = "";
let examples: TrainingExample[] = [];
let model: LlamaModel;
let policy: ReturnType<typeof llamaPolicy>;
let initial: WeightMap;
let shared: ReplicaPool;

beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-pool-"));
  const raw = toyPairs(8).map((p) => buildTrainingExample(charTokenizer, p, "short"));
  const reference = LlamaModel.random(config, 11);
  examples = (await attachReferenceLogps(raw, llamaPolicy(reference), { padId: 0 })).examples;
  reference.dispose();
  model = LlamaModel.random(config, 3);
  policy = llamaPolicy(model);
  initial = model.weights();
  shared = await startPool();
});
afterAll(async () => {
  await shared.close();
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

const base: TrainConfigInput = {
  method: "longpo", learningRate: 0.01, optimizer: "adamw", batchSize: 4, maxSteps: 3, warmupRatio: 0,
  schedule: "constant", beta: 0.1, lambda: 1, contextLossWeight: 0.1, maxGradNorm: 1, saveEvery: 0,
};

/** Train the tiny Llama from its seed-3 weights, here (no pool) or over `pool`, and return its final weights. */
async function trainTiny(name: string, pool: ReplicaPool | undefined, overrides: TrainConfigInput = {}, hooks: {
  onLog?: (step: number) => Promise<void>;
  resume?: boolean;
} = {}): Promise<{ weights: Map<string, Float32Array>; result: TrainResult | Error }> {
  const { config: trainConfig } = buildTrainConfig({ ...base, outputDir: join(root, name), ...overrides });
  assignWeights(model, initial);
  let result: TrainResult | Error;
  try {
    result = await train({
      config: trainConfig, policy, examples, padId: 0, resume: hooks.resume === true,
      saveModel: (dir) => saveCheckpoint(dir, { config: model.config, weights: model.weights() }),
      loadWeights: async (dir) => assignWeights(model, (await loadCheckpoint(dir)).weights),
      ...(pool === undefined ? {} : { gradients: pool }),
      ...(hooks.onLog === undefined ? {} : { onLog: (line) => void hooks.onLog?.(line.step) }),
    });
  } catch (e) {
    result = e as Error;
  }
  return { weights: new Map([...model.weights()].map(([k, v]) => [k, v.data])), result };
}

const startPool = () => ReplicaPool.start({ workers: 2, backend: "wasm", config, weights: initial, parameters: policy.parameters });

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
    const one = await trainTiny("one", undefined);
    const two = await trainTiny("two", shared);
    expect(one.result).toMatchObject({ status: "completed", steps: 3 });
    expect(two.result).toMatchObject({ status: "completed", steps: 3 });
    // Adam at lr 0.01 moves weights by ~0.01 per step; shard sums differ from one sum only by rounding.
    expect(maxAbsDiff(one.weights, new Map([...initial].map(([k, v]) => [k, v.data])))).toBeGreaterThan(0.005);
    expect(maxAbsDiff(one.weights, two.weights)).toBeLessThan(1e-5);
  });

  let twoWorkers: Map<string, Float32Array> | undefined;

  it("two runs with two workers and the same seed give bit-identical weights", async () => {
    const a = await trainTiny("det-a", shared);
    const b = await trainTiny("det-b", shared);
    expect(a.result).toMatchObject({ status: "completed" });
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    twoWorkers = a.weights;
  });

  it("a killed worker stops the run with its error, and --resume finishes it as if uninterrupted", async () => {
    const overrides = { saveEvery: 1 };
    const doomed = await startPool();
    const killed = await trainTiny("killed", doomed, overrides, {
      onLog: async (step) => {
        if (step === 2) await doomed.fault(1, "kill");
      },
    });
    await doomed.close();
    expect(killed.result).toBeInstanceOf(WorkerFailedError);
    expect((killed.result as Error).message).toMatch(/worker 1 of the replica pool exited/);
    const resumed = await trainTiny("killed", shared, overrides, { resume: true });
    expect(resumed.result).toMatchObject({ status: "completed", steps: 3 });
    // Resumed from checkpoint-2 (weights, Adam moments, data position): the same bits as the run above.
    expect(twoWorkers).toBeInstanceOf(Map);
    expect(maxAbsDiff(resumed.weights, twoWorkers as Map<string, Float32Array>)).toBe(0);
  });

  it("shards scoring and generation jobs in input order, equal to one replica, retargets, and reports a worker that throws", async () => {
    assignWeights(model, initial);
    const pool = shared; // last test: the fault below ends this pool
    {
      const seqs = examples.flatMap((e) => [e.chosen, e.rejected]);
      const local = await scoreSequences(policy, seqs, 0, 4);
      const sharded = await pool.scoreSequences(seqs, 0, 4);
      expect(sharded).toHaveLength(seqs.length);
      // The same length-sorted batches, each computed by one replica: the same bits as one replica here.
      expect(sharded).toEqual(local);
      const prompts = [[1, 5, 9], [1, 7], [1, 20, 21, 22, 23], [1, 3], [1, 40, 41]];
      const sampled = { maxNewTokens: 6, temperature: 1, seed: 4, eosTokenIds: [] };
      const jobs = [prompts.slice(0, 2), prompts.slice(2, 4), prompts.slice(4)];
      const viaPool = await pool.runJobs(jobs.map((p) => ({ type: "generate", prompts: p, options: sampled })));
      const here = [];
      for (const p of jobs) here.push(await generate(model, p, sampled));
      expect(viaPool).toEqual(here);
      // Retargeted to the same weights at another RoPE θ: the replicas score as that model does here.
      const other = LlamaModel.fromWeights(withRopeTheta(config, 40_000), initial);
      try {
        await pool.retarget(other.config, llamaPolicy(other).parameters);
        const otherHere = await scoreSequences(llamaPolicy(other), seqs, 0, 4);
        expect(await pool.scoreSequences(seqs, 0, 4)).toEqual(otherHere);
        expect(otherHere).not.toEqual(local);
        await pool.retarget(config, policy.parameters);
        expect(await pool.scoreSequences(seqs, 0, 4)).toEqual(local);
      } finally {
        other.dispose();
      }
      await pool.fault(0, "throw");
      await expect(pool.scoreSequences(seqs, 0, 4)).rejects.toThrow(/worker 0 of the replica pool threw: replica 0 was asked to crash/);
    }
  });
});
