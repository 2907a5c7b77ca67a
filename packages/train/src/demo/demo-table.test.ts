import { describe, expect, it } from "vitest";
import { diagnosticsTable, type LengthScore, meanOverSeeds } from "./demo-table.ts";

const score = (accuracy: number, n = 400): LengthScore => ({
  length: 256, accuracy, se: Math.sqrt((accuracy * (1 - accuracy)) / n), n, byDepth: { "12.5": accuracy - 0.1, "87.5": accuracy + 0.1 },
});

describe("meanOverSeeds", () => {
  it("averages the seeds and adds their spread to the test set's binomial error", () => {
    const m = meanOverSeeds([score(0.3), score(0.4)]);
    expect(m.accuracy).toBeCloseTo(0.35, 12);
    // p̄(1−p̄)/n = 0.35·0.65/400 = 5.6875e-4; s² = ((0.05)² + (0.05)²)/1 = 5e-3, s²/k = 2.5e-3
    expect(m.se).toBeCloseTo(Math.sqrt(5.6875e-4 + 2.5e-3), 12);
    expect(m.byDepth).toEqual({ "12.5": expect.closeTo(0.25, 12), "87.5": expect.closeTo(0.45, 12) });
    expect(m.n).toBe(400);
  });

  it("is the seed's own score for one seed, and refuses none", () => {
    expect(meanOverSeeds([score(0.3)])).toEqual(score(0.3));
    expect(() => meanOverSeeds([])).toThrow(/got no score/);
  });
});

describe("diagnosticsTable", () => {
  it("averages the logged steps of every seed and gives the preference term's share λ‖∇pref‖/‖∇NLL‖", () => {
    const md = diagnosticsTable([
      {
        label: "LongPO", lambda: 0.01, seeds: [
          [{ loss: 1 }, { "diag/grad_norm_nll": 2, "diag/grad_norm_pref": 4, "diag/cos_nll_pref": 0.1, "diag/pair_weight": 0.5 }],
          [{ "diag/grad_norm_nll": 4, "diag/grad_norm_pref": 2, "diag/cos_nll_pref": 0.3, "diag/pair_weight": 0.7 }],
        ],
      },
      { label: "SFT", lambda: 1, seeds: [[{ "diag/grad_norm_nll": 1 }]] },
      { label: "none", lambda: 1, seeds: [[{ loss: 1 }]] },
    ]);
    const lines = md.split("\n");
    expect(lines).toHaveLength(4); // head, rule, LongPO, SFT (the row without diagnostics is left out)
    // shares 0.01·4/2 = 0.02 and 0.01·2/4 = 0.005: mean 0.0125
    expect(lines[2]).toBe("| LongPO | 2 | 3.000 | 3.000 | 0.0125 | 0.200 | 0.600 |");
    expect(lines[3]).toBe("| SFT | 1 | 1.000 |  |  |  |  |");
  });
});
