// TRL's reward metrics as plain numbers, for logging.
import type * as tf from "@tensorflow/tfjs-core";

/** The reward metrics TRL's DPOTrainer logs, under TRL's names. */
export type RewardMetrics = {
  /** Mean chosen reward. */
  "rewards/chosen": number;
  /** Mean rejected reward. */
  "rewards/rejected": number;
  /** Mean of chosen − rejected. */
  "rewards/margins": number;
  /** Share of pairs whose chosen reward is strictly greater than the rejected one. */
  "rewards/accuracies": number;
};

/**
 * Batch means of the implicit rewards in a loss output (from `preferenceLoss` or `longpoLoss`). Reads the two
 * `(B)` tensors back synchronously and leaves them alive (the caller disposes the output).
 *
 * @param output any object with `chosenRewards` and `rejectedRewards`, `(B)` each
 * @returns plain numbers keyed by TRL's metric names
 * @throws {RangeError} when the two tensors differ in size or are empty
 * @example
 * ```ts
 * rewardMetrics({ chosenRewards: tf.tensor1d([1, 0]), rejectedRewards: tf.tensor1d([0, 2]) });
 * // { "rewards/chosen": 0.5, "rewards/rejected": 1, "rewards/margins": -0.5, "rewards/accuracies": 0.5 }
 * ```
 */
export function rewardMetrics(output: { chosenRewards: tf.Tensor; rejectedRewards: tf.Tensor }): RewardMetrics {
  return metricsOf(output.chosenRewards.dataSync(), output.rejectedRewards.dataSync());
}

/**
 * {@link rewardMetrics} reading the two tensors back asynchronously (`data()`), as a GPU backend wants: the
 * webgpu backend has no synchronous read under Deno, and on a real GPU a synchronous read stalls the queue.
 *
 * @param output any object with `chosenRewards` and `rejectedRewards`, `(B)` each
 * @returns plain numbers keyed by TRL's metric names
 * @throws {RangeError} when the two tensors differ in size or are empty
 * @example
 * ```ts
 * await readRewardMetrics({ chosenRewards: tf.tensor1d([1, 0]), rejectedRewards: tf.tensor1d([0, 2]) });
 * ```
 */
export async function readRewardMetrics(output: { chosenRewards: tf.Tensor; rejectedRewards: tf.Tensor }): Promise<RewardMetrics> {
  const [chosen, rejected] = await Promise.all([output.chosenRewards.data(), output.rejectedRewards.data()]);
  return metricsOf(chosen, rejected);
}

function metricsOf(chosen: ArrayLike<number>, rejected: ArrayLike<number>): RewardMetrics {
  if (chosen.length !== rejected.length || chosen.length === 0) {
    throw new RangeError(
      `Cannot compute reward metrics: chosen and rejected rewards must be non-empty and the same size, got ${chosen.length} and ${rejected.length}`,
    );
  }
  let sumChosen = 0;
  let sumRejected = 0;
  let wins = 0;
  for (let i = 0; i < chosen.length; i++) {
    const c = chosen[i] as number;
    const r = rejected[i] as number;
    sumChosen += c;
    sumRejected += r;
    if (c > r) wins += 1;
  }
  const n = chosen.length;
  return {
    "rewards/chosen": sumChosen / n,
    "rewards/rejected": sumRejected / n,
    "rewards/margins": (sumChosen - sumRejected) / n,
    "rewards/accuracies": wins / n,
  };
}
