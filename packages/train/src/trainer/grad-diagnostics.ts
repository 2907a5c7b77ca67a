// Gradient diagnostics: the norm of each loss term's gradient, their cosine, and the mean pair weight σ(−z).
import * as tf from "@tensorflow/tfjs-core";
import { microBatchGradients, type MicroBatch, type StepLossOptions, type TrainablePolicy } from "./train-step.ts";

/**
 * What {@link lossTermDiagnostics} measures on one micro-batch, under the metric names it is logged with.
 * The preference entries are absent for SFT (no rejected rows), the pair weight for types other than longpo and
 * dpo (whose loss is −log σ(z), so that σ(−z) is each pair's weight in the gradient).
 */
export interface GradDiagnostics {
  /** ‖∇ NLL‖: the NLL term of the run (sft, longpo), or the chosen-sequence NLL the run would add (dpo). */
  "diag/grad_norm_nll": number;
  /** ‖∇ mean preference loss‖, without λ. */
  "diag/grad_norm_pref"?: number;
  /** cos(∇ NLL, ∇ preference): near 1 means the two terms push the same way. */
  "diag/cos_nll_pref"?: number;
  /** Mean over pairs of σ(−z), z = β·[(π_c − π_r) − (ref_c − ref_r)]: 1 where the margin is far from reached. */
  "diag/pair_weight"?: number;
}

/** Read back asynchronously, as a GPU backend needs (webgpu has no synchronous read under Deno). */
async function normsAndDot(a: Map<string, tf.Tensor>, b?: Map<string, tf.Tensor>): Promise<{ a: number; b: number; dot: number }> {
  const [na, nb, dot] = tf.tidy(() => {
    let sa = tf.scalar(0);
    let sb = tf.scalar(0);
    let sd = tf.scalar(0);
    for (const [k, g] of a) {
      sa = tf.add(sa, tf.sum(tf.square(g)));
      const h = b?.get(k);
      if (h !== undefined) {
        sb = tf.add(sb, tf.sum(tf.square(h)));
        sd = tf.add(sd, tf.sum(tf.mul(g, h)));
      }
    }
    return [tf.sqrt(sa), tf.sqrt(sb), sd];
  });
  const [ra, rb, rd] = await Promise.all([na.data(), nb.data(), dot.data()]);
  const out = { a: ra[0] ?? Number.NaN, b: rb[0] ?? Number.NaN, dot: rd[0] ?? Number.NaN };
  na.dispose();
  nb.dispose();
  dot.dispose();
  return out;
}

const disposeAll = (grads: Map<string, tf.Tensor>): void => {
  for (const g of grads.values()) g.dispose();
};

/**
 * The gradient of each term of the run's loss on one micro-batch, taken apart: for longpo, ∇NLL is the gradient
 * at λ = 0 and ∇pref = ∇(λ = 1) − ∇(λ = 0) (the loss is linear in λ); for dpo, ∇pref is the run's gradient and
 * ∇NLL that of the chosen sequences' NLL. Costs two extra forward and backward passes; changes nothing.
 * @example
 * const d = await lossTermDiagnostics(policy, mb, { method: "longpo", beta: 0.1, lambda: 1 });
 * d["diag/cos_nll_pref"]; // e.g. 0.94: the preference term pushes along the NLL
 */
export async function lossTermDiagnostics(policy: TrainablePolicy, mb: MicroBatch, opts: StepLossOptions): Promise<GradDiagnostics> {
  if (opts.method === "sft") {
    const { grads } = await microBatchGradients(policy, mb, opts);
    const { a } = await normsAndDot(grads);
    disposeAll(grads);
    return { "diag/grad_norm_nll": a };
  }
  const nllOpts: StepLossOptions = { ...opts, method: "longpo", lambda: 0 };
  const nll = await microBatchGradients(policy, mb, nllOpts);
  const withPref = await microBatchGradients(policy, mb, opts.method === "longpo" ? { ...opts, lambda: 1 } : opts);
  let pref = withPref.grads;
  if (opts.method === "longpo") {
    pref = new Map();
    for (const [k, g] of withPref.grads) {
      const g0 = nll.grads.get(k);
      pref.set(k, g0 === undefined ? g.clone() : tf.sub(g, g0));
    }
    disposeAll(withPref.grads);
  }
  const { a, b, dot } = await normsAndDot(nll.grads, pref);
  disposeAll(nll.grads);
  disposeAll(pref);
  const out: GradDiagnostics = { "diag/grad_norm_nll": a, "diag/grad_norm_pref": b, "diag/cos_nll_pref": a > 0 && b > 0 ? dot / (a * b) : 0 };
  if (opts.method === "longpo" || opts.method === "dpo") {
    const P = mb.pairs;
    let w = 0;
    for (let i = 0; i < P; i++) {
      const policyMargin = (withPref.rowLogps[i] ?? 0) - (withPref.rowLogps[P + i] ?? 0);
      const refMargin = (mb.refChosenLogps[i] ?? 0) - (mb.refRejectedLogps[i] ?? 0);
      w += 1 / (1 + Math.exp(opts.beta * (policyMargin - refMargin))); // σ(−z)
    }
    out["diag/pair_weight"] = w / P;
  }
  return out;
}
