import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, onBackends } from "./_backends.ts";
import { readRewardMetrics, rewardMetrics } from "./reward-metrics.ts";

describe("rewardMetrics", () => {
  it("reports TRL's reward means, margin and accuracy as plain numbers", async () => {
    // chosen [1, 0, 2], rejected [0, 2, 2]: means 3/3 = 1 and 4/3; margins (1 − 2 + 0)/3 = −1/3;
    // accuracy: only pair 0 has chosen > rejected (a tie is not a win) → 1/3.
    await onBackends(() => {
      const metrics = rewardMetrics({ chosenRewards: tf.tensor1d([1, 0, 2]), rejectedRewards: tf.tensor1d([0, 2, 2]) });
      expectClose(metrics, {
        "rewards/chosen": 1,
        "rewards/rejected": 4 / 3,
        "rewards/margins": -1 / 3,
        "rewards/accuracies": 1 / 3,
      });
      return metrics;
    });
  });

  it("throws a RangeError when the two reward vectors differ in size", () => {
    tf.tidy(() => {
      expect(() => rewardMetrics({ chosenRewards: tf.tensor1d([1]), rejectedRewards: tf.tensor1d([0, 2]) })).toThrow(RangeError);
    });
  });

  it("reads the same metrics asynchronously (readRewardMetrics, for GPU backends)", async () => {
    // Same vectors as above: chosen [1, 0, 2], rejected [0, 2, 2] → 1, 4/3, −1/3, 1/3.
    const chosenRewards = tf.tensor1d([1, 0, 2]);
    const rejectedRewards = tf.tensor1d([0, 2, 2]);
    expectClose(await readRewardMetrics({ chosenRewards, rejectedRewards }), {
      "rewards/chosen": 1,
      "rewards/rejected": 4 / 3,
      "rewards/margins": -1 / 3,
      "rewards/accuracies": 1 / 3,
    });
    tf.dispose([chosenRewards, rejectedRewards]);
    await expect(readRewardMetrics({ chosenRewards: tf.tensor1d([]), rejectedRewards: tf.tensor1d([]) })).rejects.toThrow(RangeError);
  });
});
