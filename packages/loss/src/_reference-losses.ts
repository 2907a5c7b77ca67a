// Test helper: every preference loss written again as a plain float64 JS loop, for finite differences.
import type { PreferenceLossType } from "./preference-losses.ts";

/** Plain-number pairs; token counts default to 1. */
export interface PlainPairs {
  policyChosenLogps: number[];
  policyRejectedLogps: number[];
  refChosenLogps?: number[];
  refRejectedLogps?: number[];
  chosenTokens?: number[];
  rejectedTokens?: number[];
}

export interface PlainOptions {
  beta: number;
  labelSmoothing?: number;
  gamma?: number;
  tau?: number;
  delta?: number;
}

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const logSigmoid = (x: number) => -softplus(-x);
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const log1mexp = (x: number) => (x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x)));
const smoothed = (z: number, eps: number) => -(1 - eps) * logSigmoid(z) - eps * logSigmoid(-z);
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Per-pair losses of `type`, straight from the formulas in issue 2 / TRL's `dpo_loss`, in float64. */
export function referenceLosses(type: PreferenceLossType, pairs: PlainPairs, options: PlainOptions): number[] {
  const { beta, labelSmoothing: eps = 0, gamma = 0.5, tau = 0.05, delta = 0 } = options;
  const n = pairs.policyChosenLogps.length;
  const at = (xs: number[] | undefined, i: number, fallback: number) => (xs === undefined ? fallback : (xs[i] as number));
  const pc = (i: number) => pairs.policyChosenLogps[i] as number;
  const pr = (i: number) => pairs.policyRejectedLogps[i] as number;
  const c = (i: number) => pc(i) - at(pairs.refChosenLogps, i, 0);
  const r = (i: number) => pr(i) - at(pairs.refRejectedLogps, i, 0);
  const nc = (i: number) => Math.max(at(pairs.chosenTokens, i, 1), 1);
  const nr = (i: number) => Math.max(at(pairs.rejectedTokens, i, 1), 1);
  const indices = Array.from({ length: n }, (_, i) => i);
  if (type === "aot" || type === "aot_unpaired") {
    const refMargin = (i: number) => at(pairs.refChosenLogps, i, 0) - at(pairs.refRejectedLogps, i, 0);
    const [left, right] =
      type === "aot"
        ? [ascending(indices.map((i) => pc(i) - pr(i))), ascending(indices.map(refMargin))]
        : [ascending(indices.map(c)), ascending(indices.map(r))];
    return indices.map((i) => smoothed(beta * ((left[i] as number) - (right[i] as number)), eps));
  }
  return indices.map((i) => {
    const z = beta * (c(i) - r(i));
    const averaged = c(i) / nc(i) - r(i) / nr(i);
    switch (type) {
      case "sigmoid":
        return smoothed(z, eps);
      case "robust":
        return (-(1 - eps) * logSigmoid(z) + eps * logSigmoid(-z)) / (1 - 2 * eps);
      case "hinge":
        return Math.max(0, 1 - z);
      case "ipo":
        return (averaged - 1 / (2 * beta)) ** 2;
      case "exo_pair": {
        const e = eps === 0 ? 1e-3 : eps;
        return sigmoid(z) * (logSigmoid(z) - Math.log1p(-e)) + sigmoid(-z) * (logSigmoid(-z) - Math.log(e));
      }
      case "nca_pair":
        return -logSigmoid(beta * c(i)) - 0.5 * logSigmoid(-beta * c(i)) - 0.5 * logSigmoid(-beta * r(i));
      case "bco_pair":
        return -logSigmoid(beta * c(i) - delta) - logSigmoid(-(beta * r(i) - delta));
      case "sppo_hard":
        return (c(i) - 0.5 / beta) ** 2 + (r(i) + 0.5 / beta) ** 2;
      case "apo_zero":
        return 1 - sigmoid(beta * c(i)) + sigmoid(beta * r(i));
      case "apo_down":
        return sigmoid(beta * c(i)) + 1 - sigmoid(z);
      case "discopop":
        return -logSigmoid(z) * sigmoid(-z / tau) + Math.exp(-z + logSigmoid(z / tau));
      case "sigmoid_norm":
        return -logSigmoid(beta * averaged);
      case "cpo":
        return smoothed(beta * (pc(i) - pr(i)), eps);
      case "simpo":
        return smoothed(beta * (pc(i) / nc(i) - pr(i) / nr(i)) - gamma, eps);
      case "orpo": {
        const a = pc(i) / nc(i);
        const b = pr(i) / nr(i);
        return -beta * logSigmoid(a - b - (log1mexp(a) - log1mexp(b)));
      }
      default:
        throw new Error(`no reference for ${type}`);
    }
  });
}
