import { describe, expect, it } from "vitest";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { kvRetrievalTask } from "./kv-retrieval-task.ts";
import { runSuite } from "./run-suite.ts";

const tokenizer = toyTokenizer();
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe("kvRetrievalTask", () => {
  it("puts the queried pair once, at the requested position among the pairs", () => {
    const task = kvRetrievalTask({ tokenizer, lengths: [3000], depths: [0, 25, 50, 100], seed: 2 });
    for (const ex of task.examples()) {
      const p = text(ex.prompt);
      const data = JSON.parse(/JSON data:\n(\{.*\})\n/.exec(p)?.[1] as string) as Record<string, string>;
      const key = JSON.parse(/Key: (".*")/.exec(p)?.[1] as string) as string;
      const keys = Object.keys(data);
      expect(keys).toHaveLength(Number(ex.metadata.pairs));
      expect(data[key]).toBe(ex.references[0]);
      expect(p.split(ex.references[0] as string).length - 1).toBe(1);
      // position of the pair among the others: round(depth * (pairs - 1)), within one pair
      const expected = (Number(ex.metadata.depth) / 100) * (keys.length - 1);
      expect(Math.abs(keys.indexOf(key) - expected)).toBeLessThanOrEqual(1);
    }
  });

  it("lands within 2% below targets of a few thousand tokens", () => {
    expectWithinTwoPercent(kvRetrievalTask({ tokenizer, lengths: [3000, 6000], depths: [50] }), tokenizer);
  });

  it("scores 100 for the oracle and 0 for a constant guess", async () => {
    const task = kvRetrievalTask({ tokenizer, lengths: [600, 1500], depths: [0, 100] });
    const oracle = await runSuite(oracleModel(), { name: "kv", tasks: [task] });
    const constant = await runSuite(constantModel("00000000-0000-4000-8000-000000000000"), { name: "kv", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_part?.mean).toBe(1);
    expect(constant.tasks[0]?.status === "completed" && constant.tasks[0].metrics.string_match_part?.mean).toBe(0);
  });
});
