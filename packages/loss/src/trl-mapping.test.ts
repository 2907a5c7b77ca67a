// TRL's DPOTrainer loss, written out in float64 from TRL's source, against longpoLoss through the mapping that
// docs/scale-out.md gives; if either side changes, this fails and the document must change with it.
//
// TRL v0.28.0 (trl/trainer/dpo_trainer.py, the last release with `rpo_alpha`):
//   per pair  losses_i = −logσ(β·((π_c − π_r) − (ref_c − ref_r)))              loss_type "sigmoid", no smoothing
//   loss      = mean_i(losses_i + rpo_alpha·nll_loss)                           get_batch_loss_metrics
//   nll_loss  = F.cross_entropy over the chosen rows' completion tokens, ignore_index=0: one mean over every
//               chosen completion token of the micro-batch (not a mean of per-sequence means)
//   rewards   = β(π_c − ref_c), β(π_r − ref_r)
// TRL ≥ 0.29 (rpo_alpha removed): loss_type=["sigmoid", "sft"], loss = Σ_k loss_weights[k]·mean(per_sequence_k),
//   the "sft" term being the same token-mean cross-entropy over chosen completion tokens.
// LongPO (longpoLoss): L = nll + λ·mean_i(−logσ(βΔ_i)). So rpo_alpha = 1/λ gives L_TRL = L/λ, and
// loss_weights = [λ, 1] gives L exactly.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, finiteDifferences, onBackends, read, seededRandom } from "./_backends.ts";
import { longpoLoss } from "./longpo-loss.ts";

const logSigmoid = (x: number) => -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));

/** Per-token log-probs of each pair's chosen and rejected completion (ragged), and the reference sums. */
interface Batch {
  chosenTokens: number[][];
  rejectedTokens: number[][];
  refChosen: number[];
  refRejected: number[];
}

function randomBatch(seed: number, pairs: number): Batch {
  const r = seededRandom(seed);
  const tokens = () => Array.from({ length: 2 + Math.floor(r() * 9) }, () => Math.log(0.02 + 0.9 * r())); // 2..10 tokens
  const chosenTokens = Array.from({ length: pairs }, tokens);
  const rejectedTokens = Array.from({ length: pairs }, tokens);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    chosenTokens,
    rejectedTokens,
    refChosen: chosenTokens.map((t) => sum(t) + (r() - 0.5) * 4),
    refRejected: rejectedTokens.map((t) => sum(t) + (r() - 0.5) * 4),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** TRL's nll_loss: cross-entropy averaged over every chosen completion token of the micro-batch. */
function trlNll(chosenTokens: number[][]): number {
  const flat = chosenTokens.flat();
  return -sum(flat) / flat.length;
}

/** TRL v0.28's loss with loss_type "sigmoid" and rpo_alpha, from summed completion log-probs (float64). */
function trlRpoLoss(policyChosen: number[], policyRejected: number[], b: Batch, nll: number, beta: number, rpoAlpha: number): number {
  const losses = policyChosen.map((c, i) => {
    const logits = c - (policyRejected[i] as number) - ((b.refChosen[i] as number) - (b.refRejected[i] as number));
    return -logSigmoid(beta * logits) + rpoAlpha * nll;
  });
  return sum(losses) / losses.length;
}

/** TRL ≥ 0.29: loss_type ["sigmoid", "sft"] with loss_weights [wSigmoid, wSft]. */
function trlWeightedLoss(policyChosen: number[], policyRejected: number[], b: Batch, nll: number, beta: number, w: [number, number]): number {
  const sigmoid = trlRpoLoss(policyChosen, policyRejected, b, nll, beta, 0);
  return w[0] * sigmoid + w[1] * nll;
}

/** longpoLoss on one backend, with the NLL as train-step computes it: −Σ chosen sums / Σ chosen token counts. */
function ours(b: Batch, beta: number, lambda: number) {
  const chosen = b.chosenTokens.map(sum);
  const rejected = b.rejectedTokens.map(sum);
  const nll = -sum(chosen) / sum(b.chosenTokens.map((t) => t.length));
  const out = longpoLoss(
    {
      policyChosenLogps: tf.tensor1d(chosen),
      policyRejectedLogps: tf.tensor1d(rejected),
      refChosenLogps: tf.tensor1d(b.refChosen),
      refRejectedLogps: tf.tensor1d(b.refRejected),
      nll: tf.scalar(nll),
    },
    { beta, lambda },
  );
  return { loss: read(out.loss), chosenRewards: read(out.chosenRewards), rejectedRewards: read(out.rejectedRewards) };
}

describe("the TRL mapping of docs/scale-out.md", () => {
  const batch = randomBatch(7, 4);
  const chosen = batch.chosenTokens.map(sum);
  const rejected = batch.rejectedTokens.map(sum);

  it("TRL's nll_loss is our NLL: one token mean over the micro-batch, not a mean of per-sequence means", () => {
    const ourNll = -sum(chosen) / sum(batch.chosenTokens.map((t) => t.length)); // train-step.ts
    expect(trlNll(batch.chosenTokens)).toBeCloseTo(ourNll, 12);
    const perSequenceMean = sum(batch.chosenTokens.map((t) => -sum(t) / t.length)) / batch.chosenTokens.length;
    expect(Math.abs(perSequenceMean - ourNll)).toBeGreaterThan(1e-3); // the ragged lengths make the two differ
  });

  for (const [beta, lambda] of [[0.1, 0.01], [0.01, 0.01], [0.1, 1], [0.5, 0.25]] as const) {
    it(`rpo_alpha = 1/λ gives L_TRL = L_LongPO/λ, and loss_weights [λ, 1] gives L_LongPO (β ${beta}, λ ${lambda})`, async () => {
      const nll = trlNll(batch.chosenTokens);
      const rpo = trlRpoLoss(chosen, rejected, batch, nll, beta, 1 / lambda);
      const weighted = trlWeightedLoss(chosen, rejected, batch, nll, beta, [lambda, 1]);
      const { cpu } = await onBackends(() => ours(batch, beta, lambda));
      expectClose(cpu.loss, [lambda * rpo], { rtol: 1e-6, atol: 1e-6 });
      expectClose(cpu.loss, [weighted], { rtol: 1e-6, atol: 1e-6 });
      // TRL's logged rewards are the same β(π − ref).
      expectClose(cpu.chosenRewards, chosen.map((c, i) => beta * (c - (batch.refChosen[i] as number))), { rtol: 1e-5, atol: 1e-5 });
      expectClose(cpu.rejectedRewards, rejected.map((c, i) => beta * (c - (batch.refRejected[i] as number))), { rtol: 1e-5, atol: 1e-5 });
    });
  }

  it("its gradient is λ times TRL's (rpo_alpha = 1/λ), by finite differences of the TRL formula", async () => {
    const beta = 0.1;
    const lambda = 0.01;
    const n = chosen.length;
    // x = [π_c (n), π_r (n), nll]: the quantities the model's parameters reach the loss through.
    const x = [...chosen, ...rejected, trlNll(batch.chosenTokens)];
    const trl = (v: number[]) => trlRpoLoss(v.slice(0, n), v.slice(n, 2 * n), batch, v[2 * n] as number, beta, 1 / lambda);
    const expected = finiteDifferences(trl, x).map((g) => lambda * g);
    const { cpu } = await onBackends(() => {
      const f = (pc: tf.Tensor, pr: tf.Tensor, nll: tf.Tensor) =>
        longpoLoss(
          {
            policyChosenLogps: pc as tf.Tensor1D,
            policyRejectedLogps: pr as tf.Tensor1D,
            refChosenLogps: tf.tensor1d(batch.refChosen),
            refRejectedLogps: tf.tensor1d(batch.refRejected),
            nll: nll as tf.Scalar,
          },
          { beta, lambda },
        ).loss;
      const grads = tf.grads(f)([tf.tensor1d(chosen), tf.tensor1d(rejected), tf.scalar(x[2 * n] as number)]);
      return grads.flatMap(read);
    });
    expectClose(cpu, expected, { rtol: 1e-4, atol: 1e-7 });
  });
});

/** One or more AdamW steps with torch's clip_grad_norm_ (coefficient max_norm / (norm + 1e-6), at most 1). */
function adamUpdates(grads: number[][], o: { lr: number; eps: number; maxGradNorm: number }): number[] {
  const [b1, b2] = [0.9, 0.999];
  const size = grads[0]!.length;
  const m = new Array<number>(size).fill(0);
  const v = new Array<number>(size).fill(0);
  const theta = new Array<number>(size).fill(0);
  grads.forEach((raw, k) => {
    const norm = Math.sqrt(sum(raw.map((g) => g * g)));
    const coef = Math.min(1, o.maxGradNorm / (norm + 1e-6));
    const t = k + 1;
    raw.forEach((g0, i) => {
      const g = g0 * coef;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      theta[i] = theta[i]! - (o.lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + o.eps);
    });
  });
  return theta;
}

describe("Adam on L_TRL = L_LongPO/λ (docs/scale-out.md: max_grad_norm and adam_epsilon)", () => {
  // Two steps of gradients of L_LongPO: norms 0.5 and 3, so a max_grad_norm of 1 clips the second step only.
  const steps = [[0.3, -0.4, 0], [1.8, 2.4, -0.0006]];
  const lambda = 0.01;
  const scaled = steps.map((g) => g.map((x) => x / lambda)); // TRL's gradients with rpo_alpha = 1/λ

  it("takes the same steps when max_grad_norm and adam_epsilon are divided by λ too", () => {
    const longpo = adamUpdates(steps, { lr: 5e-7, eps: 1e-3, maxGradNorm: 1 });
    const trl = adamUpdates(scaled, { lr: 5e-7, eps: 1e-3 / lambda, maxGradNorm: 1 / lambda });
    // Equal up to torch's unscaled 1e-6 in the clip coefficient (a relative 1e-6·λ/norm here).
    expectClose(trl, longpo, { rtol: 1e-6, atol: 0 });
    expect(Math.abs(longpo[2]!)).toBeGreaterThan(0); // the tiny third gradient, where ε matters, moved
  });

  it("takes other steps with TRL's max_grad_norm left at 1 (every step clipped) or ε left unscaled", () => {
    const longpo = adamUpdates(steps, { lr: 5e-7, eps: 1e-3, maxGradNorm: 1 });
    const clipped = adamUpdates(scaled, { lr: 5e-7, eps: 1e-3 / lambda, maxGradNorm: 1 });
    const epsilon = adamUpdates(scaled, { lr: 5e-7, eps: 1e-3, maxGradNorm: 1 / lambda });
    const far = (a: number[]) => Math.max(...a.map((x, i) => Math.abs(x - longpo[i]!) / Math.abs(longpo[i]!)));
    expect(far(clipped)).toBeGreaterThan(0.05);
    expect(far(epsilon)).toBeGreaterThan(0.05);
  });
});
