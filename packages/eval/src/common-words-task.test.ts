import { describe, expect, it } from "vitest";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { commonWordsTask } from "./common-words-task.ts";
import { runSuite } from "./run-suite.ts";

const tokenizer = toyTokenizer();
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe("commonWordsTask", () => {
  it("repeats each common word commonFreq times and every other word uncommonFreq times", () => {
    for (const ex of commonWordsTask({ tokenizer, lengths: [600, 4000], seed: 3 }).examples()) {
      const words = [...text(ex.prompt).split("\n")[1]!.matchAll(/\d+\. ([a-z]+)/g)].map((m) => m[1] as string);
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const [w, c] of counts) expect(c).toBe(ex.references.includes(w) ? ex.metadata.commonFreq : 3);
      expect(ex.references).toHaveLength(10);
    }
  });

  it("lands within 2% below each target length", () => {
    expectWithinTwoPercent(commonWordsTask({ tokenizer, lengths: [700, 3000, 8000] }), tokenizer);
  });

  it("scores 100 for the oracle and 0 for a constant guess", async () => {
    const task = commonWordsTask({ tokenizer, lengths: [700, 2000], samples: 2 });
    const oracle = await runSuite(oracleModel(), { name: "cwe", tasks: [task] });
    const constant = await runSuite(constantModel("the, of, and"), { name: "cwe", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_all?.mean).toBe(1);
    expect(constant.tasks[0]?.status === "completed" && constant.tasks[0].metrics.string_match_all?.mean).toBe(0);
  });
});
