import * as tf from "@tensorflow/tfjs-core";
import { describe, it } from "vitest";
import { rowLogSumExp } from "./_row-log-sum-exp.ts";
import { expectClose, onBackends, read } from "./_backends.ts";

describe("rowLogSumExp", () => {
  it("gives the same row log-sum-exps in blocks of rows as in one piece, stably for huge logits", async () => {
    // Row 0: log(e⁰ + e⁰ + e⁰) = ln 3 = 1.0986122887. Row 1: 1000 + log(1 + e⁻¹ + e⁻²) = 1000.4076059644.
    // Row 2: −1000 + ln 3 = −998.9013877113. Row 3: log(e¹ + e² + e³) = 3.4076059644.
    // Row 4: log(e⁻⁵ + e⁰ + e⁵) = 5 + log(1 + e⁻⁵ + e⁻¹⁰) = 5.0067838797.
    const rows = [[0, 0, 0], [1000, 999, 998], [-1000, -1000, -1000], [1, 2, 3], [-5, 0, 5]];
    const expected = [1.0986122886681098, 1000.4076059644444, -998.9013877113319, 3.4076059644443806, 5.006783879710665];
    await onBackends(() => {
      const x = tf.tensor2d(rows);
      // A 6-element block holds 2 rows of 3: blocks of 2, 2 and 1 rows.
      const result = { whole: read(rowLogSumExp(x)), blocked: read(rowLogSumExp(x, 6)), perRow: read(rowLogSumExp(x, 1)) };
      expectClose(result, { whole: expected, blocked: expected, perRow: expected });
      return result;
    });
  });
});
