// lossTermDiagnostics against gradients worked by hand in float64: with the logits themselves as the parameter,
// ∂ log p(y)/∂logits = onehot(y) − softmax, so each term's gradient, norm and cosine follow in closed form.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { lossTermDiagnostics } from "./grad-diagnostics.ts";
import { padBatch } from "./length-grouped-batches.ts";
import type { MicroBatch, TrainablePolicy } from "./train-step.ts";
import type { TokenizedSequence } from "./training-example.ts";

beforeAll(async () => {
  await selectBackend("cpu");
});

const V = 5;
const T = 5;
// Two pairs: rows 0, 1 chosen, rows 2, 3 rejected (same prompts, other responses).
const seqs: TokenizedSequence[] = [
  { ids: [1, 2, 3, 4, 2], labelMask: [0, 0, 0, 1, 1] },
  { ids: [1, 3, 3, 1], labelMask: [0, 0, 0, 1] },
  { ids: [1, 2, 3, 0, 4], labelMask: [0, 0, 0, 1, 1] },
  { ids: [1, 3, 3, 2], labelMask: [0, 0, 0, 1] },
];
const values = Array.from({ length: 4 }, (_, r) => Array.from({ length: T }, (_, t) => Array.from({ length: V }, (_, k) => Math.cos(2 + r * 5 + t * 1.7 + k * 0.9) * 1.5)));
const refChosen = [-1.2, -0.4];
const refRejected = [-3.5, -2.0];

function policy(rows = 4): TrainablePolicy & { dispose(): void } {
  const v = tf.variable(tf.tensor3d(values.slice(0, rows)), true, `diag-logits-${Math.random()}`);
  return { logits: () => v as tf.Tensor3D, parameters: new Map([["logits", v]]), dispose: () => v.dispose() };
}

const softmax = (row: readonly number[]): number[] => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

/** Per row: Σ over response targets of log p, and its gradient onehot − p at those positions (float64). */
function rowTerms(r: number): { logp: number; grad: number[][] } {
  const s = seqs[r] as TokenizedSequence;
  const grad = Array.from({ length: T }, () => new Array<number>(V).fill(0));
  let logp = 0;
  for (let t = 0; t + 1 < s.ids.length; t++) {
    if (s.labelMask[t + 1] !== 1) continue;
    const y = s.ids[t + 1] as number;
    const p = softmax(values[r]?.[t] ?? []);
    logp += Math.log(p[y] as number);
    for (let k = 0; k < V; k++) (grad[t] as number[])[k] = (k === y ? 1 : 0) - (p[k] as number);
  }
  return { logp, grad };
}

function hand(beta: number) {
  const rows = [0, 1, 2, 3].map(rowTerms);
  const nResp = 3; // response tokens of the chosen rows: 2 + 1
  const flat = (f: (r: number, t: number, k: number) => number) =>
    [0, 1, 2, 3].flatMap((r) => Array.from({ length: T }, (_, t) => Array.from({ length: V }, (_, k) => f(r, t, k))).flat());
  const g = (r: number, t: number, k: number) => rows[r]?.grad[t]?.[k] ?? 0;
  const nll = flat((r, t, k) => (r < 2 ? -g(r, t, k) / nResp : 0));
  const weights = [0, 1].map((i) => {
    const z = beta * (((rows[i]?.logp ?? 0) - (rows[i + 2]?.logp ?? 0)) - ((refChosen[i] ?? 0) - (refRejected[i] ?? 0)));
    return 1 / (1 + Math.exp(z)); // σ(−z)
  });
  // ∂ mean_i −log σ(z_i) / ∂ logits: −(β/P)σ(−z_i)(onehot − p) on chosen row i, the opposite on rejected row i.
  const pref = flat((r, t, k) => (r < 2 ? -1 : 1) * (beta / 2) * (weights[r % 2] ?? 0) * g(r, t, k));
  const norm = (x: number[]) => Math.sqrt(x.reduce((a, b) => a + b * b, 0));
  const dot = nll.reduce((a, x, i) => a + x * (pref[i] ?? 0), 0);
  return { nllNorm: norm(nll), prefNorm: norm(pref), cos: dot / (norm(nll) * norm(pref)), pairWeight: (weights[0]! + weights[1]!) / 2 };
}

const batch = (rows: readonly TokenizedSequence[], pairs: number): MicroBatch => ({
  pairs,
  sequences: padBatch(rows, 0, T),
  refChosenLogps: Float32Array.from(refChosen),
  refRejectedLogps: Float32Array.from(refRejected),
});

describe("lossTermDiagnostics", () => {
  for (const [method, lambda] of [["longpo", 0.01], ["longpo", 1], ["dpo", 1]] as const) {
    it(`matches the hand-worked norms, cosine and pair weight for ${method} (λ ${lambda})`, async () => {
      const p = policy();
      const before = tf.memory().numTensors;
      const d = await lossTermDiagnostics(p, batch(seqs, 2), { method, beta: 0.5, lambda });
      expect(tf.memory().numTensors).toBe(before);
      const h = hand(0.5);
      expect(d["diag/grad_norm_nll"]).toBeCloseTo(h.nllNorm, 5);
      expect(d["diag/grad_norm_pref"]).toBeCloseTo(h.prefNorm, 5);
      expect(d["diag/cos_nll_pref"]).toBeCloseTo(h.cos, 4);
      expect(d["diag/pair_weight"]).toBeCloseTo(h.pairWeight, 5);
      p.dispose();
    });
  }

  it("gives only the NLL norm for sft", async () => {
    const p = policy(2);
    const d = await lossTermDiagnostics(p, batch(seqs.slice(0, 2), 2), { method: "sft", beta: 0.5, lambda: 1 });
    expect(d["diag/grad_norm_nll"]).toBeCloseTo(hand(0.5).nllNorm, 5);
    expect(d["diag/grad_norm_pref"]).toBeUndefined();
    p.dispose();
  });
});
