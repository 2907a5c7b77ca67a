import { describe, expect, it } from "vitest";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { frequentWordsTask, zipfCounts } from "./frequent-words-task.ts";
import { runSuite } from "./run-suite.ts";

const tokenizer = toyTokenizer();
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe("zipfCounts", () => {
  it("matches counts worked by hand for 40 words and alpha 2", () => {
    // ranks 1..ceil(sqrt 40)+1 = 8; H = 1 + 1/4 + 1/9 + 1/16 + 1/25 + 1/36 + 1/49 + 1/64 = 1.52742
    // 40/H = 26.19 -> 26; /4 = 6.55 -> 7; /9 = 2.91 -> 3; /16 = 1.64 -> 2; 1.05, 0.73, 0.53 -> 1; 0.41 -> 0 (dropped)
    expect(zipfCounts(40, 2)).toEqual([26, 7, 3, 2, 1, 1, 1]);
  });
});

describe("frequentWordsTask", () => {
  it("answers with the three most frequent words, strictly ahead of the fourth", () => {
    for (const ex of frequentWordsTask({ tokenizer, lengths: [500, 3000] }).examples()) {
      const counts = new Map<string, number>();
      for (const w of text(ex.prompt).split("\n")[1]!.split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
      const sorted = [...counts.values()].sort((a, b) => b - a);
      expect(ex.references.map((r) => counts.get(r))).toEqual(sorted.slice(0, 3));
      expect(sorted[2]).toBeGreaterThan(sorted[3] as number);
    }
  });

  it("lands within 2% below each target length", () => {
    expectWithinTwoPercent(frequentWordsTask({ tokenizer, lengths: [300, 2000, 8000] }), tokenizer);
  });

  it("scores 100 for the oracle and 0 for a constant guess", async () => {
    const task = frequentWordsTask({ tokenizer, lengths: [400, 1500], samples: 2 });
    const oracle = await runSuite(oracleModel(), { name: "fwe", tasks: [task] });
    const constant = await runSuite(constantModel("the of and"), { name: "fwe", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_all?.mean).toBe(1);
    expect(constant.tasks[0]?.status === "completed" && constant.tasks[0].metrics.string_match_all?.mean).toBe(0);
  });
});
