import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { bigramPolicy, charTokenizer, loadTestPolicy, saveTestPolicy, toyPairs } from "./_test-helpers.ts";
import { attachReferenceLogps } from "./reference-logps.ts";
import { buildTrainConfig, type TrainConfigInput } from "./train-config.ts";
import type { TrainablePolicy } from "./train-step.ts";
import { listCheckpoints, train, type MetricsLine, type TrainerOptions } from "./trainer.ts";
import { buildTrainingExample, type TrainingExample } from "./training-example.ts";
import { wasmTempRoot } from "../_temp-root.ts";

const root = wasmTempRoot("longpo-trainer-");

async function readMetrics(dir: string): Promise<MetricsLine[]> {
  const text = await readFile(join(dir, "metrics.jsonl"), "utf8");
  return text.trim().split("\n").map((l) => JSON.parse(l) as MetricsLine);
}

const base: TrainConfigInput = {
  learningRate: 0.05, optimizer: "adam", batchSize: 4, gradientAccumulation: 1, maxSteps: 20, warmupRatio: 0,
  schedule: "constant", beta: 0.1, lambda: 1,
};

async function toyExamples(method: string): Promise<TrainingExample[]> {
  const raw = toyPairs(16).map((p) => buildTrainingExample(charTokenizer, p, method === "longpo" ? "short" : "long"));
  const reference = bigramPolicy(7);
  const { examples } = await attachReferenceLogps(raw, reference, { padId: 0 });
  (reference as { dispose(): void }).dispose();
  return examples;
}

async function runToy(name: string, overrides: TrainConfigInput, extra: Partial<TrainerOptions> = {}, policy = bigramPolicy(7)) {
  const { config } = buildTrainConfig({ ...base, outputDir: join(root(), name), ...overrides });
  const examples = await toyExamples(config.method);
  const result = await train({
    config, policy, examples, padId: 0,
    saveModel: (dir) => saveTestPolicy(policy, dir),
    loadWeights: (dir) => loadTestPolicy(policy, dir),
    ...extra,
  });
  policy.dispose();
  return { result, metrics: await readMetrics(config.outputDir), dir: config.outputDir };
}

const mean = (xs: MetricsLine[], k: keyof MetricsLine) => xs.reduce((a, m) => a + (m[k] as number), 0) / xs.length;

describe("train", () => {
  it("lowers the LongPO loss and raises rewards/accuracies on a small preference set", async () => {
    const { result, metrics } = await runToy("longpo", { method: "longpo" });
    expect(result.status).toBe("completed");
    expect(metrics).toHaveLength(20);
    expect(mean(metrics.slice(-3), "loss")).toBeLessThan(mean(metrics.slice(0, 3), "loss"));
    expect(mean(metrics.slice(-3), "rewards/accuracies")).toBeGreaterThan(mean(metrics.slice(0, 3), "rewards/accuracies"));
    // The reference saw the short input, so step 1's rewards are not 0; the logged margin is chosen − rejected.
    const m = metrics[0] as MetricsLine;
    expect(m["rewards/margins"]).toBeCloseTo(m["rewards/chosen"] - m["rewards/rejected"], 6);
  });

  it("trains DPO (reference on the long input) with zero rewards at the first step", async () => {
    const { result, metrics } = await runToy("dpo", { method: "dpo", maxSteps: 6 });
    expect(result.status).toBe("completed");
    // The policy starts equal to the reference on the same input, so z = 0 and the loss is log 2 = 0.693147.
    expect(metrics[0]?.loss).toBeCloseTo(Math.log(2), 5);
    expect(metrics[0]?.["rewards/chosen"]).toBeCloseTo(0, 6);
    expect(mean(metrics.slice(-2), "loss")).toBeLessThan(Math.log(2));
  });

  it("trains SFT on the chosen long sequences, its loss equal to the NLL", async () => {
    const { result, metrics } = await runToy("sft", { method: "sft", maxSteps: 6 });
    expect(result.status).toBe("completed");
    for (const m of metrics) expect(m.loss).toBeCloseTo(m.nll, 5);
    expect(metrics.at(-1)?.loss).toBeLessThan(metrics[0]?.loss ?? 0);
  });

  it("trains other preference types: SimPO without reference log-probs, IPO with them", async () => {
    const policy = bigramPolicy(7);
    const { config } = buildTrainConfig({ ...base, method: "simpo", maxSteps: 4, outputDir: join(root(), "simpo") });
    const bare = toyPairs(16).map((p) => buildTrainingExample(charTokenizer, p, "long"));
    const simpo = await train({ config, policy, examples: bare, padId: 0, saveModel: async () => {} });
    policy.dispose();
    expect(simpo.status).toBe("completed");
    const ipo = await runToy("ipo", { method: "ipo", maxSteps: 4 });
    expect(ipo.result.status).toBe("completed");
    for (const m of [...(await readMetrics(join(root(), "simpo"))), ...ipo.metrics]) expect(Number.isFinite(m.loss)).toBe(true);
  });

  it("logs gradient diagnostics every diagnosticsEvery steps without changing the run", async () => {
    const plain = await runToy("diag-off", { method: "longpo", maxSteps: 4 });
    const diag = await runToy("diag-on", { method: "longpo", maxSteps: 4, diagnosticsEvery: 2 });
    expect(diag.metrics.map((m) => m.loss)).toEqual(plain.metrics.map((m) => m.loss));
    expect(diag.metrics.map((m) => m["diag/cos_nll_pref"] !== undefined)).toEqual([false, true, false, true]);
    for (const m of diag.metrics.filter((x) => x["diag/grad_norm_nll"] !== undefined)) {
      expect(m["diag/grad_norm_nll"]).toBeGreaterThan(0);
      expect(m["diag/grad_norm_pref"]).toBeGreaterThan(0);
      expect(Math.abs(m["diag/cos_nll_pref"] ?? 2)).toBeLessThanOrEqual(1);
      expect(m["diag/pair_weight"]).toBeGreaterThan(0);
      expect(m["diag/pair_weight"]).toBeLessThan(1);
    }
  });

  it("resumes from a checkpoint with the same losses as a run that never stopped", async () => {
    const cfg: TrainConfigInput = { method: "longpo", maxSteps: 10, schedule: "cosine", warmupRatio: 0.2, optimizer: "adamw", weightDecay: 0.01, gradientAccumulation: 2 };
    const whole = await runToy("whole", cfg);
    const stopped = await runToy("split", cfg, { shouldStop: (step) => step === 4 });
    expect(stopped.result).toMatchObject({ status: "stopped", step: 4 });
    const resumed = await runToy("split", cfg, { resume: true }, bigramPolicy(99));
    expect(resumed.result.status).toBe("completed");
    expect(resumed.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(resumed.metrics.map((m) => m.loss)).toEqual(whole.metrics.map((m) => m.loss));
    expect(resumed.metrics.map((m) => m.learning_rate)).toEqual(whole.metrics.map((m) => m.learning_rate));
  });

  it("stops on a NaN loss with an error naming the step and keeps the last good checkpoint", async () => {
    const inner = bigramPolicy(7);
    let calls = 0;
    const poisoned: TrainablePolicy & { dispose(): void } = {
      parameters: inner.parameters,
      logits(ids) {
        calls++;
        return tf.tidy(() => {
          const l = inner.logits(ids);
          return calls >= 4 ? (tf.mul(l, Number.NaN) as tf.Tensor3D) : l;
        });
      },
      dispose: () => inner.dispose(),
    };
    const { result, dir } = await runToy("nan", { method: "sft", maxSteps: 8, saveEvery: 2 }, {}, poisoned);
    expect(result.status).toBe("diverged");
    if (result.status !== "diverged") return;
    expect(result.step).toBe(4);
    expect(result.error).toMatch(/loss is NaN at step 4/);
    expect(result.lastCheckpoint).toBe(join(dir, "checkpoint-2"));
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([2]);
    expect((await readdir(dir)).filter((n) => n.startsWith(".tmp"))).toEqual([]);
  });

  it("leaks no tensors across a run", async () => {
    const policy = bigramPolicy(7);
    const before = tf.memory().numTensors;
    const { config } = buildTrainConfig({ ...base, method: "longpo", maxSteps: 3, outputDir: join(root(), "leak") });
    const examples = await toyExamples("longpo");
    await train({ config, policy, examples, padId: 0, saveModel: (d) => saveTestPolicy(policy, d) });
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });
});
