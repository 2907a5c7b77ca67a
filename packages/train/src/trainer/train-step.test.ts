// microBatchGradients' NLL term against a plain-JS log-softmax over fixed logits: responses only, and with the
// context tokens weighted (contextLossWeight), for sft and for longpo's chosen rows.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { padBatch } from "./length-grouped-batches.ts";
import { microBatchGradients, type TrainablePolicy } from "./train-step.ts";
import type { TokenizedSequence } from "./training-example.ts";

beforeAll(async () => {
  await selectBackend("cpu");
});

const V = 5;
const T = 6;

/** A policy whose logits are one variable (R, T, V), whatever the ids. */
function fixedLogitsPolicy(values: number[][][]): TrainablePolicy {
  const v = tf.variable(tf.tensor3d(values), true, "logits");
  return { logits: () => v as tf.Tensor3D, parameters: new Map([["logits", v]]) };
}

/** log p(target) from raw logits, in float64. */
function logp(row: readonly number[], target: number): number {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
  return (row[target] ?? Number.NaN) - lse;
}

const seqs: TokenizedSequence[] = [
  { ids: [1, 2, 3, 4], labelMask: [0, 0, 0, 1] }, // 4 tokens, padded to 6: context targets 2, 3; response 4
  { ids: [1, 3, 2, 2, 4, 1], labelMask: [0, 0, 0, 0, 1, 1] }, // 6 real tokens: context 3, 2, 2; responses 4, 1
];
// Deterministic, uneven logits (R = 2 rows; a third row for longpo's rejected side is added below).
const logitsFor = (rows: number) =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: T }, (_, t) => Array.from({ length: V }, (_, k) => Math.sin(1 + r * 7 + t * 3 + k * 1.3) * 2)));

/** Hand NLL: weights 1 on response targets, c on context targets, over the first `rows` sequences. */
function handNll(values: number[][][], c: number, rows: number): number {
  let num = 0;
  let den = 0;
  for (let r = 0; r < rows; r++) {
    const s = seqs[r] as TokenizedSequence;
    for (let t = 0; t + 1 < s.ids.length; t++) {
      const w = s.labelMask[t + 1] === 1 ? 1 : c;
      num -= w * logp(values[r]?.[t] ?? [], s.ids[t + 1] ?? 0);
      den += w;
    }
  }
  return num / den;
}

describe("microBatchGradients NLL", () => {
  it("padBatch counts the context targets (real tokens, not padding)", () => {
    const b = padBatch(seqs, 0);
    expect(b.labelCounts).toEqual([1, 2]);
    expect(b.contextCounts).toEqual([2, 3]);
    expect(Array.from(b.contextMask.subarray(0, T))).toEqual([1, 1, 0, 0, 0, 0]);
  });

  for (const c of [0, 0.1, 1]) {
    it(`sft loss is the response-weighted mean CE with contextLossWeight ${c}`, async () => {
      const values = logitsFor(2);
      const policy = fixedLogitsPolicy(values);
      const mb = { pairs: 2, sequences: padBatch(seqs, 0), refChosenLogps: new Float32Array(2), refRejectedLogps: new Float32Array(2) };
      const { grads, metrics } = await microBatchGradients(policy, mb, { method: "sft", beta: 0.1, lambda: 1, contextLossWeight: c });
      expect(metrics.loss).toBeCloseTo(handNll(values, c, 2), 5);
      expect(metrics.nll).toBeCloseTo(handNll(values, 0, 2), 5); // the reported nll stays the response NLL
      for (const g of grads.values()) g.dispose();
      for (const v of policy.parameters.values()) v.dispose();
    });
  }

  it("longpo's NLL term weights the chosen rows' context only (λ = 0 leaves the NLL)", async () => {
    const values = logitsFor(2);
    const policy = fixedLogitsPolicy(values); // row 0 chosen, row 1 rejected
    const mb = { pairs: 1, sequences: padBatch(seqs, 0), refChosenLogps: new Float32Array([-1]), refRejectedLogps: new Float32Array([-2]) };
    const { metrics } = await microBatchGradients(policy, mb, { method: "longpo", beta: 0.1, lambda: 0, contextLossWeight: 0.5 });
    expect(metrics.loss).toBeCloseTo(handNll(values, 0.5, 1), 5);
    for (const v of policy.parameters.values()) v.dispose();
  });

  it("rejects a context weight for a method without an NLL term", async () => {
    const policy = fixedLogitsPolicy(logitsFor(2));
    const mb = { pairs: 1, sequences: padBatch(seqs, 0), refChosenLogps: new Float32Array([-1]), refRejectedLogps: new Float32Array([-2]) };
    await expect(microBatchGradients(policy, mb, { method: "dpo", beta: 0.1, lambda: 1, contextLossWeight: 0.1 })).rejects.toThrow(/contextLossWeight applies to sft and longpo/);
    for (const v of policy.parameters.values()) v.dispose();
  });
});
