import { describe, expect, it } from "vitest";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { runSuite } from "./run-suite.ts";
import { variableTrackingTask } from "./variable-tracking-task.ts";

const tokenizer = toyTokenizer();
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe("variableTrackingTask", () => {
  it("writes each chain once and in order, and asks for every variable of the first chain", () => {
    const task = variableTrackingTask({ tokenizer, lengths: [1500], chains: 2, hops: 3, samples: 3, seed: 1 });
    for (const ex of task.examples()) {
      const p = text(ex.prompt);
      const refs = ex.references;
      expect(refs).toHaveLength(4);
      const first = p.indexOf(`VAR ${refs[0]} = `);
      expect(p.split(`VAR ${refs[0]} = `).length - 1).toBe(1);
      let last = first;
      for (let i = 1; i < refs.length; i++) {
        const at = p.indexOf(`VAR ${refs[i]} = VAR ${refs[i - 1]}.`);
        expect(at).toBeGreaterThan(last);
        last = at;
      }
      expect(p.match(/VAR [A-Z]{5} = /g)).toHaveLength(8);
    }
  });

  it("lands within 2% below each target length", () => {
    expectWithinTwoPercent(variableTrackingTask({ tokenizer, lengths: [300, 2000, 6000] }), tokenizer);
  });

  it("scores 100 for the oracle and 0 for a constant guess", async () => {
    const task = variableTrackingTask({ tokenizer, lengths: [400, 1200], chains: 3, samples: 3 });
    const oracle = await runSuite(oracleModel(), { name: "vt", tasks: [task] });
    const constant = await runSuite(constantModel("ABCDE FGHIJ"), { name: "vt", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_all?.mean).toBe(1);
    expect(constant.tasks[0]?.status === "completed" && constant.tasks[0].metrics.string_match_all?.mean).toBe(0);
  });
});
