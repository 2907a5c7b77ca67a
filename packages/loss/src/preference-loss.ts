// One entry point for every preference loss: validates inputs, fills defaults, dispatches through the table.
import * as tf from "@tensorflow/tfjs-core";
import type {
  PreferenceLossOutput,
  PreferenceLossTerms,
  ResolvedPreferenceLossOptions,
} from "./preference-loss-definition.ts";
import { preferenceLosses, type PreferenceLossType } from "./preference-losses.ts";

/** Per-pair inputs, all `(B)`: log-probs summed over completion tokens, token counts where a loss averages. */
export interface PreferenceLossInputs {
  /** log π_θ(y_c | x), summed over the chosen completion's tokens. */
  policyChosenLogps: tf.Tensor1D;
  /** log π_θ(y_r | x), summed over the rejected completion's tokens. */
  policyRejectedLogps: tf.Tensor1D;
  /** log π_ref(y_c | x); required by every type except `cpo`, `simpo`, `orpo`. */
  refChosenLogps?: tf.Tensor1D;
  /** log π_ref(y_r | x); required by every type except `cpo`, `simpo`, `orpo`. */
  refRejectedLogps?: tf.Tensor1D;
  /** Completion tokens of the chosen response; required by `ipo`, `sigmoid_norm`, `simpo`, `orpo`. */
  chosenTokens?: tf.Tensor1D;
  /** Completion tokens of the rejected response; required by `ipo`, `sigmoid_norm`, `simpo`, `orpo`. */
  rejectedTokens?: tf.Tensor1D;
}

/** Which loss and its hyper-parameters (TRL's `DPOConfig` names in camel case). */
export interface PreferenceLossOptions {
  type: PreferenceLossType;
  /** β > 0: strength of the pull toward the reference (the reward scale). */
  beta: number;
  /** ε in [0, 0.5): assumed share of flipped labels (`sigmoid`, `robust`, `exo_pair`, `aot*`, `cpo`, `simpo`). */
  labelSmoothing?: number;
  /** γ: SimPO's target reward margin, 0.5 by default. */
  gamma?: number;
  /** τ > 0: DiscoPOP's temperature, 0.05 by default. */
  tau?: number;
  /** δ: BCO's reward shift (a running mean of rewards the caller keeps), 0 by default. */
  delta?: number;
}

export type { PreferenceLossOutput } from "./preference-loss-definition.ts";

const DEFAULTS = { labelSmoothing: 0, gamma: 0.5, tau: 0.05, delta: 0 } as const;

/**
 * Per-pair preference losses and implicit rewards with TRL DPOTrainer's (v0.28) semantics, for every
 * `type` in {@link preferenceLosses}. With `c = π_c − ref_c`, `r = π_r − ref_r`, `Δ = c − r`: rewards are `βc`,
 * `βr` for reference-based types, `βπ_c`, `βπ_r` for `cpo` and `βπ̄_c`, `βπ̄_r` (token averages) for `simpo`
 * and `orpo`. Every `logσ` is `−softplus(−x)`, finite for margins of any size.
 *
 * @param inputs `(B)` tensors; see {@link PreferenceLossInputs} for which types need which
 * @param options the loss type and its hyper-parameters
 * @returns `{ losses, chosenRewards, rejectedRewards }`, each `(B)`; `losses` is differentiable with respect to
 *   the policy log-probs
 * @throws {TypeError} when an input is not a float32 `(B)` tensor, or the type needs an input that is missing
 * @throws {RangeError} when batch sizes differ, the type is unknown, or a hyper-parameter is out of range
 * @example
 * ```ts
 * const { losses } = preferenceLoss({
 *   policyChosenLogps: tf.tensor1d([-10]), policyRejectedLogps: tf.tensor1d([-12]),
 *   refChosenLogps: tf.tensor1d([-11]), refRejectedLogps: tf.tensor1d([-11]),
 * }, { type: "sigmoid", beta: 0.5 });
 * losses.print(); // [log(1 + e⁻¹)] = [0.3132617]
 * ```
 */
export function preferenceLoss(inputs: PreferenceLossInputs, options: PreferenceLossOptions): PreferenceLossOutput {
  const definition = Object.hasOwn(preferenceLosses, options.type) ? preferenceLosses[options.type] : undefined;
  if (definition === undefined) {
    const known = Object.keys(preferenceLosses).join(", ");
    throw new RangeError(`Cannot compute preference loss: type must be one of ${known}, got ${JSON.stringify(options.type)}`);
  }
  const resolved = resolveOptions(options);
  const what = `Cannot compute ${options.type} loss`;
  const batch = checkVector(what, "policyChosenLogps", inputs.policyChosenLogps, undefined, true);
  checkVector(what, "policyRejectedLogps", inputs.policyRejectedLogps, batch, true);
  if (definition.needs.reference) {
    requirePair(what, "refChosenLogps", "refRejectedLogps", inputs.refChosenLogps, inputs.refRejectedLogps);
    checkVector(what, "refChosenLogps", inputs.refChosenLogps, batch, true);
    checkVector(what, "refRejectedLogps", inputs.refRejectedLogps, batch, true);
  }
  if (definition.needs.tokenCounts) {
    requirePair(what, "chosenTokens", "rejectedTokens", inputs.chosenTokens, inputs.rejectedTokens);
    checkVector(what, "chosenTokens", inputs.chosenTokens, batch, false);
    checkVector(what, "rejectedTokens", inputs.rejectedTokens, batch, false);
  }
  return tf.tidy(() => {
    const zeros = () => tf.zeros([batch]) as tf.Tensor1D;
    const counts = (t: tf.Tensor1D | undefined) =>
      t === undefined ? (tf.ones([batch]) as tf.Tensor1D) : (tf.maximum(tf.cast(t, "float32"), 1) as tf.Tensor1D);
    const terms: PreferenceLossTerms = {
      policyChosenLogps: inputs.policyChosenLogps,
      policyRejectedLogps: inputs.policyRejectedLogps,
      refChosenLogps: definition.needs.reference && inputs.refChosenLogps ? inputs.refChosenLogps : zeros(),
      refRejectedLogps: definition.needs.reference && inputs.refRejectedLogps ? inputs.refRejectedLogps : zeros(),
      chosenTokens: counts(definition.needs.tokenCounts ? inputs.chosenTokens : undefined),
      rejectedTokens: counts(definition.needs.tokenCounts ? inputs.rejectedTokens : undefined),
    };
    return definition.compute(terms, resolved);
  });
}

function resolveOptions(options: PreferenceLossOptions): ResolvedPreferenceLossOptions {
  const what = `Cannot compute ${options.type} loss`;
  const resolved = {
    beta: options.beta,
    labelSmoothing: options.labelSmoothing ?? DEFAULTS.labelSmoothing,
    gamma: options.gamma ?? DEFAULTS.gamma,
    tau: options.tau ?? DEFAULTS.tau,
    delta: options.delta ?? DEFAULTS.delta,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new RangeError(`${what}: ${name} must be a finite number, got ${String(value)}`);
    }
  }
  if (!(resolved.beta > 0)) throw new RangeError(`${what}: beta must be > 0, got ${resolved.beta}`);
  if (!(resolved.tau > 0)) throw new RangeError(`${what}: tau must be > 0, got ${resolved.tau}`);
  if (!(resolved.labelSmoothing >= 0 && resolved.labelSmoothing < 0.5)) {
    throw new RangeError(`${what}: labelSmoothing must lie in [0, 0.5), got ${resolved.labelSmoothing}`);
  }
  return resolved;
}

function requirePair(what: string, a: string, b: string, x: unknown, y: unknown): void {
  const missing = [x === undefined ? a : undefined, y === undefined ? b : undefined].filter((m) => m !== undefined);
  if (missing.length > 0) throw new TypeError(`${what}: ${a} and ${b} must be given, got no ${missing.join(" and no ")}`);
}

function checkVector(what: string, name: string, x: unknown, batch: number | undefined, float: boolean): number {
  if (!(x instanceof tf.Tensor) || x.rank !== 1 || (float && x.dtype !== "float32")) {
    const got = x instanceof tf.Tensor ? `${x.dtype} tensor of shape (${x.shape.join(", ")})` : typeof x;
    throw new TypeError(`${what}: ${name} must be a (B) ${float ? "float32 " : ""}tensor, got ${got}`);
  }
  const size = x.shape[0] as number;
  if (batch !== undefined && size !== batch) {
    throw new RangeError(`${what}: every input must have the same batch size, got ${batch} and ${size} (${name})`);
  }
  return size;
}
