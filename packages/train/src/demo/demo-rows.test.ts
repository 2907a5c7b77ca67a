// The demo's named rows reach the loss with the NLL scope, λ and β they are named after: the config the demo trains
// each row with, given to the training step, gives the loss worked by hand in float64 from fixed logits.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { padBatch } from "../trainer/length-grouped-batches.ts";
import { microBatchGradients, type TrainablePolicy } from "../trainer/train-step.ts";
import type { TokenizedSequence } from "../trainer/training-example.ts";
import { DEFAULT_DEMO_ROWS, DEMO_ROWS, type DemoRowName, demoRowTrainConfig, FULL_DEMO_ROWS } from "./demo-rows.ts";
import { DemoConfig } from "./run-demo.ts";

beforeAll(async () => {
  await selectBackend("cpu");
});

const V = 6;
const T = 7;
// One pair on the same long prompt: row 0 chosen, row 1 rejected (context targets 2..4, two response tokens each).
const seqs: TokenizedSequence[] = [
  { ids: [1, 2, 3, 4, 5, 2, 3], labelMask: [0, 0, 0, 0, 0, 1, 1] },
  { ids: [1, 2, 3, 4, 5, 4, 1], labelMask: [0, 0, 0, 0, 0, 1, 1] },
];
const values = Array.from({ length: 2 }, (_, r) => Array.from({ length: T }, (_, t) => Array.from({ length: V }, (_, k) => Math.cos(2 + r * 5 + t * 1.7 + k * 0.9) * 2.5)));
const ref = { chosen: -3.1, rejected: -4.4 };

function fixedLogitsPolicy(): TrainablePolicy {
  const v = tf.variable(tf.tensor3d(values), true, "logits");
  return { logits: () => v as tf.Tensor3D, parameters: new Map([["logits", v]]) };
}

/** log p(target | prefix) from raw logits, in float64. */
function logp(row: readonly number[], target: number): number {
  const max = Math.max(...row);
  return (row[target] ?? Number.NaN) - max - Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
}

/** Σ over targets of weight × log p, and Σ weight: weight 1 on response targets, c on context targets. */
function weighted(r: number, c: number): { sum: number; weight: number } {
  const s = seqs[r] as TokenizedSequence;
  let sum = 0;
  let weight = 0;
  for (let t = 0; t + 1 < s.ids.length; t++) {
    const w = s.labelMask[t + 1] === 1 ? 1 : c;
    sum += w * logp(values[r]?.[t] ?? [], s.ids[t + 1] ?? 0);
    weight += w;
  }
  return { sum, weight };
}

const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);

/** The loss a row is named after, by hand: LongPO `NLL_c + λ·softplus(−z)`, DPO `softplus(−z)`, z = β·(Δπ − Δref). */
function handLoss(loss: { method: string; contextLossWeight?: number; lambda?: number; beta?: number }): number {
  const chosen = weighted(0, 0).sum;
  const rejected = weighted(1, 0).sum;
  const beta = loss.beta ?? Number.NaN;
  const pref = softplus(-beta * ((chosen - rejected) - (ref.chosen - ref.rejected)));
  if (loss.method === "dpo") return pref;
  const nll = weighted(0, loss.contextLossWeight ?? 0);
  return -nll.sum / nll.weight + (loss.lambda ?? Number.NaN) * pref;
}

describe("the demo's named rows", () => {
  const budget = DemoConfig.parse({}).train;
  const run = { seed: 1, maxLength: 64, outputDir: "unused" };

  it("are LongPO as its authors run it, its two ablations, SFT and DPO", () => {
    expect(DEMO_ROWS.longpo.loss).toEqual({ method: "longpo", contextLossWeight: 1, lambda: 0.01, beta: 0.01 });
    expect(DEMO_ROWS["longpo-answers"].loss).toEqual({ method: "longpo", contextLossWeight: 0, lambda: 1, beta: 0.1 });
    expect(DEMO_ROWS["longpo-lambda0"].loss).toEqual({ method: "longpo", contextLossWeight: 1, lambda: 0, beta: 0.01 });
    expect(DemoConfig.parse({}).rows).toEqual([...DEFAULT_DEMO_ROWS]);
    expect(FULL_DEMO_ROWS).toEqual(["longpo", "longpo-answers", "longpo-lambda0", "sft", "dpo"]);
  });

  it("train with the settings they are named after and the shared budget", () => {
    for (const name of FULL_DEMO_ROWS) {
      const c = demoRowTrainConfig(name, budget, run);
      expect(c).toMatchObject({ ...DEMO_ROWS[name].loss, learningRate: budget.learningRate, maxSteps: budget.steps, batchSize: budget.batchSize, seed: 1 });
    }
    expect(demoRowTrainConfig("sft", budget, run).contextLossWeight).toBe(0);
    expect(demoRowTrainConfig("dpo", budget, run).beta).toBe(0.1);
  });

  for (const name of ["longpo", "longpo-answers", "longpo-lambda0", "dpo"] as DemoRowName[]) {
    it(`${name}: the training step's loss is the hand-worked loss of its NLL scope, λ and β`, async () => {
      const policy = fixedLogitsPolicy();
      const mb = { pairs: 1, sequences: padBatch(seqs, 0), refChosenLogps: new Float32Array([ref.chosen]), refRejectedLogps: new Float32Array([ref.rejected]) };
      const { grads, metrics } = await microBatchGradients(policy, mb, demoRowTrainConfig(name, budget, run));
      expect(metrics.loss).toBeCloseTo(handLoss(DEMO_ROWS[name].loss), 5);
      for (const g of grads.values()) g.dispose();
      for (const v of policy.parameters.values()) v.dispose();
    });
  }

  it("the three LongPO rows give three different losses on the same batch (each setting matters)", () => {
    const losses = (["longpo", "longpo-answers", "longpo-lambda0"] as const).map((n) => handLoss(DEMO_ROWS[n].loss));
    expect(new Set(losses.map((l) => l.toFixed(5))).size).toBe(3);
  });
});
