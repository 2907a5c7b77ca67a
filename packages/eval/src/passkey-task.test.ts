import { describe, expect, it } from "vitest";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { FILLER_TEXT } from "./haystack.ts";
import { passkeyNeedle, passkeyTask } from "./passkey-task.ts";
import { runSuite } from "./run-suite.ts";

const tokenizer = toyTokenizer();
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe("passkeyTask", () => {
  it("hides the pass key exactly once, at the requested depth within one sentence", () => {
    const task = passkeyTask({ tokenizer, lengths: [800, 3000], depths: [0, 20, 50, 80, 100], seed: 5 });
    const sentence = Math.max(...FILLER_TEXT.split(". ").map((s) => s.length + 2));
    for (const ex of task.examples()) {
      const p = text(ex.prompt);
      const needle = passkeyNeedle(ex.references[0] as string);
      expect(p.split(needle).length - 1).toBe(1);
      expect(p.split(ex.references[0] as string).length - 1).toBe(2); // twice inside the one needle sentence
      const context = p.split("\n\n")[1] as string;
      const before = context.indexOf(needle);
      const rest = context.length - needle.length;
      expect(Math.abs(before - (Number(ex.metadata.depth) / 100) * rest)).toBeLessThanOrEqual(sentence);
    }
  });

  it("lands within 2% below each target length", () => {
    expectWithinTwoPercent(passkeyTask({ tokenizer, lengths: [256, 1000, 5000], depths: [50] }), tokenizer);
  });

  it("is identical for a seed", () => {
    const make = () => [...passkeyTask({ tokenizer, lengths: [300], depths: [10, 90], seed: 9 }).examples()];
    expect(make()).toEqual(make());
  });

  it("scores 100 for the oracle and 0 for a constant guess", async () => {
    const task = passkeyTask({ tokenizer, lengths: [300, 1200], depths: [0, 50, 100], samples: 2 });
    const oracle = await runSuite(oracleModel(), { name: "p", tasks: [task] });
    const constant = await runSuite(constantModel("The pass key is 12345."), { name: "p", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_part?.mean).toBe(1);
    expect(constant.tasks[0]?.status === "completed" && constant.tasks[0].metrics.string_match_part?.mean).toBe(0);
  });
});
