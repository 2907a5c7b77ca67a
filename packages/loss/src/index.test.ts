import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { expectClose, onBackends } from "./_backends.ts";
import * as loss from "./index.ts";

describe("@longpo/loss", () => {
  it("exports exactly its documented runtime API", () => {
    expect(Object.keys(loss).sort()).toEqual(
      ["log1mexp", "logSigmoid", "longpoLoss", "nllLoss", "preferenceLoss", "preferenceLosses", "readRewardMetrics", "rewardMetrics", "sequenceLogps"].sort(),
    );
  });

  it("runs the example of its module comment and the README", async () => {
    // −logσ(0.5·((−10 + 12) − (−11 + 11))) = log(1 + e⁻¹) = 0.3132616875; rewards 0.5·1 and 0.5·(−1).
    await onBackends(() => {
      const out = loss.preferenceLoss(
        {
          policyChosenLogps: tf.tensor1d([-10]),
          policyRejectedLogps: tf.tensor1d([-12]),
          refChosenLogps: tf.tensor1d([-11]),
          refRejectedLogps: tf.tensor1d([-11]),
        },
        { type: "sigmoid", beta: 0.5 },
      );
      const result = { loss: out.losses.dataSync()[0] as number, ...loss.rewardMetrics(out) };
      expectClose(result, {
        loss: 0.31326168751822286,
        "rewards/chosen": 0.5,
        "rewards/rejected": -0.5,
        "rewards/margins": 1,
        "rewards/accuracies": 1,
      });
      return result;
    });
  });
});
