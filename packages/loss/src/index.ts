/**
 * @module
 * `@longpo/loss`: sequence log-probabilities and every preference loss (the DPO family, SimPO, CPO, ORPO and
 * LongPO's objective) as pure TF.js tensor functions. Depends on `@tensorflow/tfjs-core` only; runs on any backend.
 *
 * Gradients: tfjs-core registers op gradients only when `@tensorflow/tfjs-core/dist/register_all_gradients.js` is
 * imported; that file loads under Bun, vitest and bundlers but not under plain Node ESM or plain Deno (extension-less
 * imports), where the `@tensorflow/tfjs` or `@tensorflow/tfjs-node` umbrella registers them. This package leaves that
 * choice to the program, so that its built `dist/` imports under plain Node. Forward passes need no gradients.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { preferenceLoss, rewardMetrics } from "@longpo/loss";
 *
 * const out = preferenceLoss({
 *   policyChosenLogps: tf.tensor1d([-10]), policyRejectedLogps: tf.tensor1d([-12]),
 *   refChosenLogps: tf.tensor1d([-11]), refRejectedLogps: tf.tensor1d([-11]),
 * }, { type: "sigmoid", beta: 0.5 });
 * console.log(out.losses.dataSync()[0], rewardMetrics(out)); // 0.3132617 = log(1 + e⁻¹), margins 1
 * ```
 */
export { sequenceLogps } from "./sequence-logps.ts";
export type { SequenceLogps } from "./sequence-logps.ts";
export { nllLoss } from "./nll-loss.ts";
export { preferenceLoss } from "./preference-loss.ts";
export type { PreferenceLossInputs, PreferenceLossOptions } from "./preference-loss.ts";
export { preferenceLosses } from "./preference-losses.ts";
export type { PreferenceLossType } from "./preference-losses.ts";
export type {
  PreferenceLossDefinition,
  PreferenceLossOutput,
  PreferenceLossTerms,
  ResolvedPreferenceLossOptions,
} from "./preference-loss-definition.ts";
export { longpoLoss } from "./longpo-loss.ts";
export type { LongpoLossInputs, LongpoLossOptions, LongpoLossOutput } from "./longpo-loss.ts";
export { readRewardMetrics, rewardMetrics } from "./reward-metrics.ts";
export type { RewardMetrics } from "./reward-metrics.ts";
export { logSigmoid } from "./log-sigmoid.ts";
export { log1mexp } from "./log1mexp.ts";
