import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { BACKENDS, expectClose, finiteDifferences, onBackends, read, useBackend } from "./_backends.ts";
import { longpoLoss } from "./longpo-loss.ts";

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

describe("longpoLoss", () => {
  it("adds λ times the mean DPO loss to the NLL in a hand-worked case", async () => {
    // π_c = −9.5, π_r = −11.5, ref_c = ref_r = −11 → Δ = 1.5 − (−0.5) = 2, βΔ = 0.5·2 = 1.
    // preference = −logσ(1) = log(1 + e⁻¹) = 0.3132616875; loss = 2 + 0.01·0.3132616875 = 2.0031326169.
    await onBackends(() => {
      const out = longpoLoss(
        {
          policyChosenLogps: tf.tensor1d([-9.5]),
          policyRejectedLogps: tf.tensor1d([-11.5]),
          refChosenLogps: tf.tensor1d([-11]),
          refRejectedLogps: tf.tensor1d([-11]),
          nll: tf.scalar(2),
        },
        { beta: 0.5, lambda: 0.01 },
      );
      const result = {
        loss: read(out.loss),
        preference: read(out.preference),
        nll: read(out.nll),
        chosenRewards: read(out.chosenRewards),
        rejectedRewards: read(out.rejectedRewards),
      };
      expectClose(result, { loss: [2.0031326168751822], preference: [0.31326168751822286], nll: [2], chosenRewards: [0.75], rejectedRewards: [-0.25] });
      return result;
    });
  });

  it("stays finite and exact with huge margins", async () => {
    // β = 1, Δ = [1e4, −1e4] → preference [0, 1e4], mean 5000; loss = 1 + 0.5·5000 = 2501.
    await onBackends(() => {
      const out = longpoLoss(
        {
          policyChosenLogps: tf.tensor1d([-1, -10001]),
          policyRejectedLogps: tf.tensor1d([-10001, -1]),
          refChosenLogps: tf.tensor1d([-1, -1]),
          refRejectedLogps: tf.tensor1d([-1, -1]),
          nll: tf.scalar(1),
        },
        { beta: 1, lambda: 0.5 },
      );
      const result = { loss: read(out.loss), preference: read(out.preference) };
      expectClose(result, { loss: [2501], preference: [0, 10000] }, { rtol: 1e-7, atol: 0 });
      return result;
    });
  });

  it("has gradients with respect to the policy log-probs and the NLL that match float64 central differences", async () => {
    const pc = [-12.25, -30.5, -7];
    const pr = [-14, -29.75, -9.5];
    const rc = [-13, -31, -8.25];
    const rr = [-13.5, -30, -8];
    const [beta, lambda] = [0.3, 0.7];
    // L(π_c, π_r, nll) = nll + λ·mean(softplus(−βΔ)) in float64.
    const objective = (x: number[]) =>
      (x[6] as number) +
      (lambda / 3) *
        [0, 1, 2].reduce((acc, i) => acc + softplus(-beta * ((x[i] as number) - (x[3 + i] as number) - ((rc[i] as number) - (rr[i] as number)))), 0);
    const expected = finiteDifferences(objective, [...pc, ...pr, 1.5]);
    await onBackends(() => {
      const [rcT, rrT] = [tf.tensor1d(rc), tf.tensor1d(rr)];
      const grads = tf.grads((chosen: tf.Tensor, rejected: tf.Tensor, nll: tf.Tensor) =>
        longpoLoss(
          { policyChosenLogps: chosen as tf.Tensor1D, policyRejectedLogps: rejected as tf.Tensor1D, refChosenLogps: rcT, refRejectedLogps: rrT, nll: nll as tf.Scalar },
          { beta, lambda },
        ).loss,
      )([tf.tensor1d(pc), tf.tensor1d(pr), tf.scalar(1.5)]);
      const result = grads.flatMap((g) => read(g));
      expectClose(result, expected, { rtol: 1e-4, atol: 1e-6 });
      return result;
    });
  });

  it("leaks no tensor once its outputs are disposed", async () => {
    for (const name of BACKENDS) {
      await useBackend(name);
      const inputs = {
        policyChosenLogps: tf.tensor1d([-3]),
        policyRejectedLogps: tf.tensor1d([-4]),
        refChosenLogps: tf.tensor1d([-3.5]),
        refRejectedLogps: tf.tensor1d([-3.5]),
        nll: tf.scalar(0.5),
      };
      const before = tf.memory().numTensors;
      const out = longpoLoss(inputs, { beta: 0.1, lambda: 0.01 });
      tf.dispose(Object.values(out));
      expect(tf.memory().numTensors, name).toBe(before);
      expect(inputs.nll.isDisposed, `${name}: the caller's nll is not the output's`).toBe(false);
      tf.dispose(Object.values(inputs));
    }
  });

  it("throws a TypeError for a missing reference and a RangeError for a negative λ or mismatched batches", () => {
    tf.tidy(() => {
      const policy = { policyChosenLogps: tf.tensor1d([-1]), policyRejectedLogps: tf.tensor1d([-2]), nll: tf.scalar(1) };
      expect(() => longpoLoss(policy as never, { beta: 0.1, lambda: 0.01 })).toThrow(TypeError);
      const full = { ...policy, refChosenLogps: tf.tensor1d([-1]), refRejectedLogps: tf.tensor1d([-1]) };
      expect(() => longpoLoss(full, { beta: 0.1, lambda: -1 })).toThrow(RangeError);
      expect(() => longpoLoss({ ...full, refRejectedLogps: tf.tensor1d([-1, -1]) }, { beta: 0.1, lambda: 0.01 })).toThrow(RangeError);
      expect(() => longpoLoss({ ...full, nll: tf.tensor1d([1]) as never }, { beta: 0.1, lambda: 0.01 })).toThrow(TypeError);
    });
  });
});
