// The contract every preference loss in the table fulfils: a new loss is one file with one of these.
import type * as tf from "@tensorflow/tfjs-core";

/** Per-pair losses and implicit rewards, all `(B)`. */
export type PreferenceLossOutput = {
  /** Per-pair loss, `(B)`; a trainer minimises its mean. */
  losses: tf.Tensor1D;
  /** Implicit reward of the chosen responses, `(B)` (TRL's `rewards/chosen`). */
  chosenRewards: tf.Tensor1D;
  /** Implicit reward of the rejected responses, `(B)` (TRL's `rewards/rejected`). */
  rejectedRewards: tf.Tensor1D;
};

/**
 * Validated `(B)` float32 tensors handed to a loss. Log-probs are sums over completion tokens. When a loss does not
 * declare `needs.reference`, the reference log-probs are zeros; when it does not declare `needs.tokenCounts`, the
 * token counts are ones. Token counts are clamped to at least 1 (TRL's `clamp(min=1)`).
 */
export interface PreferenceLossTerms {
  policyChosenLogps: tf.Tensor1D;
  policyRejectedLogps: tf.Tensor1D;
  refChosenLogps: tf.Tensor1D;
  refRejectedLogps: tf.Tensor1D;
  chosenTokens: tf.Tensor1D;
  rejectedTokens: tf.Tensor1D;
}

/** Hyper-parameters with their defaults filled in. */
export interface ResolvedPreferenceLossOptions {
  /** β: strength of the pull toward the reference (the reward scale). */
  beta: number;
  /** ε: label smoothing, the assumed share of flipped preference labels (0 by default). */
  labelSmoothing: number;
  /** γ: SimPO's target reward margin (0.5 by default). */
  gamma: number;
  /** τ: DiscoPOP's temperature (0.05 by default). */
  tau: number;
  /** δ: BCO's reward shift, a running mean of rewards kept by the caller (0 by default). */
  delta: number;
}

/** One preference loss: what it reads and how it computes per-pair losses and rewards. */
export interface PreferenceLossDefinition {
  /** Inputs it needs beyond the policy log-probs. */
  readonly needs: { readonly reference: boolean; readonly tokenCounts: boolean };
  /** Runs inside `tf.tidy`; must be differentiable with respect to the policy log-probs on every backend. */
  compute(terms: PreferenceLossTerms, options: ResolvedPreferenceLossOptions): PreferenceLossOutput;
}
