import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { parseBabi } from "./babi.ts";
import { babilongTask } from "./babilong-task.ts";
import { Haystack } from "./haystack.ts";
import { runSuite } from "./run-suite.ts";

const tokenizer = toyTokenizer();
const qa1 = asset("babi/qa1_single-supporting-fact_test.txt");
const shakespeare = asset("haystack/tinyshakespeare.txt");
const text = (p: unknown): string => (typeof p === "string" ? p : (p as { content: string }[])[0]?.content ?? "");

describe.skipIf(qa1 === undefined || shakespeare === undefined)("babilongTask on bAbI task 1 in Shakespeare", () => {
  // Built in beforeAll: describe.skipIf still runs this body when the assets are missing.
  let babi: ReturnType<typeof parseBabi>;
  let haystack: Haystack;
  let task: ReturnType<typeof babilongTask>;
  beforeAll(() => {
    babi = parseBabi(readFileSync(qa1 as string, "utf8"), "qa1");
    haystack = new Haystack(readFileSync(shakespeare as string, "utf8").slice(0, 200_000), "tinyshakespeare");
    task = babilongTask({ tokenizer, lengths: [1000, 4000], babi, haystack, samples: 30, seed: 1 });
  });

  it("keeps every fact of the story, in order, inside the context", () => {
    for (const ex of task.examples()) {
      const p = text(ex.prompt);
      const source = babi.find((b) => b.source === ex.metadata.source);
      let at = -1;
      for (const fact of source?.facts ?? []) {
        const next = p.indexOf(fact, at + 1);
        expect(next).toBeGreaterThan(at);
        at = next;
      }
    }
  });

  it("lands within 2% below each target length", () => {
    expectWithinTwoPercent(task, tokenizer);
  });

  it("scores 100 for the oracle and the answer's base rate for a constant answer", async () => {
    const oracle = await runSuite(oracleModel(), { name: "b", tasks: [task] });
    const constant = await runSuite(constantModel("hallway"), { name: "b", tasks: [task] });
    expect(oracle.tasks[0]?.status === "completed" && oracle.tasks[0].metrics.string_match_part?.mean).toBe(1);
    // chance for a constant answer is the share of questions whose answer it is (6 places: about 1/6)
    const examples = [...task.examples()];
    const share = examples.filter((e) => e.references[0] === "hallway").length / examples.length;
    const c = constant.tasks[0];
    expect(c?.status === "completed" && c.metrics.string_match_part?.mean).toBe(share);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.35);
  });
});
