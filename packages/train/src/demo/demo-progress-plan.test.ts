import { describe, expect, it } from "vitest";
import { demoProgressPlan } from "./demo-progress-plan.ts";
import { DemoConfig, QUICK_DEMO } from "./run-demo.ts";

describe("demoProgressPlan", () => {
  it("expects about the measured wall time of the default demo (788 s in BENCHMARKS.md)", () => {
    const plan = demoProgressPlan(DemoConfig.parse({}));
    const total = plan.reduce((a, s) => a + s.cost, 0);
    // the plan leaves out loading, saving and charts (a few seconds), so it may undershoot a little
    expect(total).toBeGreaterThan(788 * 0.9);
    expect(total).toBeLessThan(788 * 1.05);
  });

  it("lists each bar of the demo once, in the order they run", () => {
    const plan = demoProgressPlan(DemoConfig.parse({ ...QUICK_DEMO, rows: ["longpo", "dpo"], trainSeeds: [1, 2] }));
    expect(plan.map((s) => s.label)).toEqual([
      "eval m0-theta-x1", "eval m0-theta-x4", "eval M0", "eval M0 θ×*",
      "pairs: questions", "pairs: chosen", "pairs: reference (chosen)", "pairs: rejected", "pairs: reference (rejected)",
      "train longpo", "eval LongPO seed 1", "train longpo", "eval LongPO seed 2",
      "reference log-probs (long input)", "train dpo", "eval DPO seed 1", "train dpo", "eval DPO seed 2",
    ]);
    for (const s of plan) expect(s.cost).toBeGreaterThan(0);
  });
});
