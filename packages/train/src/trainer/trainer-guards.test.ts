// The trainer's guards (issue 14, items 5–7): no non-finite checkpoint named good, resume past unusable
// checkpoints, a warning on collapse, and a refused config change on resume.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { bigramPolicy, charTokenizer, loadTestPolicy, saveTestPolicy, TEST_VOCAB, toyPairs } from "./_test-helpers.ts";
import { collapseWatch } from "./collapse-watch.ts";
import { configChanges, describeChanges } from "./config-changes.ts";
import { buildTrainConfig, type TrainConfigInput, TrainConfigError } from "./train-config.ts";
import type { TrainablePolicy } from "./train-step.ts";
import { listCheckpoints, type MetricsLine, train, type TrainerOptions } from "./trainer.ts";
import { buildTrainingExample } from "./training-example.ts";
import { wasmTempRoot } from "../_temp-root.ts";

const root = wasmTempRoot("longpo-guards-");

const base: TrainConfigInput = {
  method: "sft", learningRate: 0.05, optimizer: "adam", batchSize: 4, gradientAccumulation: 1, maxSteps: 6, warmupRatio: 0,
  schedule: "constant", saveEvery: 1,
};

type Policy = TrainablePolicy & { dispose(): void };

async function runToy(name: string, overrides: TrainConfigInput, extra: Partial<TrainerOptions> = {}, policy: Policy = bigramPolicy(7)) {
  const { config } = buildTrainConfig({ ...base, outputDir: join(root(), name), ...overrides });
  const examples = toyPairs(16).map((p) => buildTrainingExample(charTokenizer, p, "long"));
  const warnings: string[] = [];
  try {
    const result = await train({
      config, policy, examples, padId: 0,
      saveModel: (dir) => saveTestPolicy(policy, dir),
      loadWeights: (dir) => loadTestPolicy(policy, dir),
      onWarning: (m) => warnings.push(m),
      ...extra,
    });
    return { result, warnings, dir: config.outputDir };
  } finally {
    policy.dispose();
  }
}

async function losses(dir: string): Promise<number[]> {
  return (await readFile(join(dir, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as MetricsLine).loss);
}

/** The bigram policy, its logits multiplied by NaN from the `from`-th call on. */
function poisonedFrom(from: number): Policy {
  const inner = bigramPolicy(7);
  let calls = 0;
  return {
    parameters: inner.parameters,
    logits(ids) {
      calls++;
      return tf.tidy(() => (calls >= from ? tf.mul(inner.logits(ids), Number.NaN) : inner.logits(ids)) as tf.Tensor3D);
    },
    dispose: () => inner.dispose(),
  };
}

describe("non-finite checkpoints (item 5)", () => {
  it("sets aside the checkpoint whose weights gave a non-finite loss and names the one before as the last good", async () => {
    // One logits call per step (SFT, one micro-batch): call 3 is step 3's loss, computed with checkpoint-2's weights.
    const { result, dir } = await runToy("nan-after-save", {}, {}, poisonedFrom(3));
    expect(result).toMatchObject({ status: "diverged", step: 3, lastCheckpoint: join(dir, "checkpoint-1") });
    if (result.status !== "diverged") return;
    expect(result.error).toContain(`the weights of ${join(dir, "checkpoint-2")} gave it, set aside as ${join(dir, "checkpoint-2.nonfinite")}`);
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([1]);
    expect(existsSync(join(dir, "checkpoint-2.nonfinite", "trainer_state.json"))).toBe(true);
  });

  it("never saves weights that are not finite, and says which parameter", async () => {
    const policy = bigramPolicy(7);
    const E = policy.parameters.get("embed.weight") as tf.Variable;
    const { result, dir } = await runToy("inf-weights", {}, {
      onLog: (line) => {
        if (line.step === 2) tf.tidy(() => E.assign(tf.fill(E.shape, Infinity)));
      },
    }, policy);
    expect(result).toMatchObject({ status: "diverged", step: 2, lastCheckpoint: join(dir, "checkpoint-1") });
    if (result.status !== "diverged") return;
    expect(result.error).toMatch(/after step 2 the parameter embed\.weight holds a non-finite value, so .*checkpoint-2 was not saved/);
    expect((await readdir(dir)).filter((n) => n.startsWith("checkpoint-"))).toEqual(["checkpoint-1"]);
  });

  it("resumes from the newest checkpoint that loads and is finite, naming the newer ones it skipped and why", async () => {
    const whole = await runToy("resume-whole", {});
    const cut = await runToy("resume-cut", {}, { shouldStop: (step) => step === 4 });
    expect(cut.result).toMatchObject({ status: "stopped", step: 4 });
    // checkpoint-4: weights truncated mid-file; checkpoint-3: a NaN optimizer moment.
    const weights = join(cut.dir, "checkpoint-4", "weights.json");
    await writeFile(weights, (await readFile(weights, "utf8")).slice(0, 100));
    const opt = join(cut.dir, "checkpoint-3", "optimizer.bin");
    const bytes = new Uint8Array(await readFile(opt));
    new DataView(bytes.buffer).setFloat32(4, Number.NaN, true);
    await writeFile(opt, bytes);
    const resumed = await runToy("resume-cut", {}, { resume: true }, bigramPolicy(99));
    expect(resumed.result.status).toBe("completed");
    expect(resumed.warnings).toHaveLength(2);
    expect(resumed.warnings[0]).toMatch(new RegExp(`^resume skipped ${join(cut.dir, "checkpoint-4")}: .*JSON`));
    expect(resumed.warnings[1]).toMatch(new RegExp(`^resume skipped ${join(cut.dir, "checkpoint-3")}: optimizer slot .* holds NaN$`));
    expect(await readFile(join(cut.dir, "train.log"), "utf8")).toBe(resumed.warnings.map((w) => `warning: ${w}\n`).join(""));
    expect(await losses(cut.dir)).toEqual(await losses(whole.dir)); // it went on from checkpoint-2 exactly
  });

  it("refuses to resume when no checkpoint is usable, listing each with its reason", async () => {
    const cut = await runToy("resume-none", { maxSteps: 2 }, { shouldStop: (step) => step === 1 });
    await writeFile(join(cut.dir, "checkpoint-1", "weights.json"), "{");
    await expect(runToy("resume-none", { maxSteps: 2 }, { resume: true })).rejects.toThrow(
      new RegExp(`^Cannot resume from ${cut.dir}: no checkpoint loads and is finite: ${join(cut.dir, "checkpoint-1")} \\(.*JSON`),
    );
  });
});

describe("collapse warning (item 6)", () => {
  it("warns once, naming the step, the value ln(V) and where the plateau began", () => {
    const watch = collapseWatch(681);
    const lnV = Math.log(681); // 6.5236
    const seen = [
      watch({ step: 1, loss: 5, nll: 5, gradNorm: 2 }),
      watch({ step: 2, loss: 9, nll: lnV, gradNorm: 0 }),
      watch({ step: 3, loss: 8, nll: lnV, gradNorm: 0 }), // the preference term moves, the NLL stays uniform
      watch({ step: 4, loss: 7, nll: lnV, gradNorm: 0 }),
      watch({ step: 5, loss: 7, nll: lnV, gradNorm: 0 }),
    ];
    expect(seen.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(seen[3]).toBe("training has collapsed at step 4: the NLL is 6.5236 = ln(681), a uniform distribution over the vocabulary, with grad_norm 0 since step 2; the model can no longer learn (is the learning rate too high?)");
    expect(seen[4]).toBeUndefined();
  });

  it("stays silent while the gradient moves or the loss changes under a zero gradient", () => {
    const watch = collapseWatch(100);
    for (let step = 1; step <= 6; step++) expect(watch({ step, loss: 3, nll: 3, gradNorm: 1e-3 })).toBeUndefined();
    for (let step = 7; step <= 12; step++) expect(watch({ step, loss: step, nll: step, gradNorm: 0 })).toBeUndefined();
  });

  it("warns in train.log and through onWarning when a run sits at ln(vocab) with zero gradient, and still completes", async () => {
    const inner = bigramPolicy(7);
    const flat: Policy = { // logits 0·f(θ): uniform over the vocabulary, every gradient exactly 0
      parameters: inner.parameters,
      logits: (ids) => tf.tidy(() => tf.mul(inner.logits(ids), 0) as tf.Tensor3D),
      dispose: () => inner.dispose(),
    };
    const { result, warnings, dir } = await runToy("collapse", { saveEvery: 0 }, { vocabSize: TEST_VOCAB }, flat);
    expect(result.status).toBe("completed");
    expect(warnings).toEqual([expect.stringMatching(/^training has collapsed at step 3: the NLL is 4\.6052 = ln\(100\), .* since step 1;/)]);
    expect(await readFile(join(dir, "train.log"), "utf8")).toBe(`warning: ${warnings[0]}\n`);
    // A fresh run in the same folder starts a fresh log.
    const again = await runToy("collapse", { saveEvery: 0, maxSteps: 2 }, { vocabSize: TEST_VOCAB });
    expect(again.warnings).toEqual([]);
    expect(existsSync(join(dir, "train.log"))).toBe(false);
  });
});

describe("resume with a changed config (item 7)", () => {
  it("lists every changed key with its old and new value", () => {
    const { config: a } = buildTrainConfig({ learningRate: 1e-3, seed: 42 });
    const { config: b } = buildTrainConfig({ learningRate: 0.1, seed: 7, gradientAccumulation: 2, logEvery: 5, maxSteps: 9 });
    expect(describeChanges(configChanges(a, b))).toBe("gradientAccumulation 8 → 2, learningRate 0.001 → 0.1, maxSteps unset → 9, seed 42 → 7");
  });

  it("refuses a changed learning rate, accumulation and seed, touching nothing, unless the change is accepted", async () => {
    const cut = await runToy("changed", {}, { shouldStop: (step) => step === 3 });
    const before = { metrics: await readFile(join(cut.dir, "metrics.jsonl")), config: await readFile(join(cut.dir, "train_config.json")) };
    const changed: TrainConfigInput = { learningRate: 5, gradientAccumulation: 2, seed: 7, logEvery: 2 };
    const refused = runToy("changed", changed, { resume: true });
    await expect(refused).rejects.toThrow(TrainConfigError);
    await expect(refused).rejects.toThrow(
      `Cannot resume from ${join(cut.dir, "checkpoint-3")}: the config changed: gradientAccumulation 1 → 2, learningRate 0.05 → 5, seed 42 → 7 (pass --allow-config-change to accept)`,
    );
    expect(await readFile(join(cut.dir, "metrics.jsonl"))).toEqual(before.metrics);
    expect(await readFile(join(cut.dir, "train_config.json"))).toEqual(before.config);

    const accepted = await runToy("changed", changed, { resume: true, allowConfigChange: true });
    expect(accepted.result.status).toBe("completed");
    expect(await readFile(join(cut.dir, "train_config.until-step-3.json"))).toEqual(before.config);
    expect(JSON.parse(await readFile(join(cut.dir, "train_config.json"), "utf8"))).toMatchObject({ learningRate: 5, seed: 7 });
    expect(accepted.warnings).toEqual([expect.stringMatching(/^resuming from .*checkpoint-3 with a changed config: gradientAccumulation 1 → 2, .*kept in .*train_config\.until-step-3\.json$/)]);
  });
});
