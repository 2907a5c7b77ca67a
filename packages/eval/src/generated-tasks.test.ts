// Acceptance checks over every generated task at once, in a real tokenizer's tokens (phi-3-mini, transformers.js).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { expectWithinTwoPercent } from "./_testdata/expect-length.ts";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { parseBabi } from "./babi.ts";
import { babilongTask } from "./babilong-task.ts";
import { commonWordsTask } from "./common-words-task.ts";
import { frequentWordsTask } from "./frequent-words-task.ts";
import { Haystack, splitSentences } from "./haystack.ts";
import { kvRetrievalTask } from "./kv-retrieval-task.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import type { Prompt, Tokenizer } from "./model.ts";
import { niahNeedle, niahTask } from "./niah-task.ts";
import { passkeyTask } from "./passkey-task.ts";
import { runSuite } from "./run-suite.ts";
import type { GenerateTask } from "./task.ts";
import { loadTransformersTokenizer } from "./transformers-model.ts";
import { variableTrackingTask } from "./variable-tracking-task.ts";

const phi3 = asset("tokenizers/phi-3-mini");
const qa1 = asset("babi/qa1_single-supporting-fact_test.txt");
const shakespeare = asset("haystack/tinyshakespeare.txt");
const content = (p: Prompt): string => (typeof p === "string" ? p : p.map((m) => m.content).join("\n"));

function allTasks(tokenizer: Tokenizer, seed: number, haystack: Haystack): GenerateTask[] {
  const base: LongContextOptions = { tokenizer, lengths: [1500], seed };
  return [
    niahTask({ ...base, depths: [10, 90], haystack }),
    niahTask({ ...base, depths: [50], variant: "multikey", keyType: "uuids" }),
    niahTask({ ...base, depths: [50], variant: "multivalue", valueType: "words" }),
    niahTask({ ...base, depths: [50], variant: "multiquery", style: "text" }),
    passkeyTask({ ...base, depths: [30] }),
    kvRetrievalTask({ ...base, lengths: [4096], depths: [70] }),
    variableTrackingTask({ ...base, haystack }),
    commonWordsTask(base),
    frequentWordsTask(base),
    babilongTask({ ...base, babi: parseBabi(readFileSync(qa1 as string, "utf8"), "qa1"), haystack, samples: 3 }),
  ];
}

describe.skipIf(phi3 === undefined || qa1 === undefined || shakespeare === undefined)("every generated task in phi-3-mini tokens", async () => {
  const tokenizer = phi3 === undefined ? undefined : await loadTransformersTokenizer(phi3);
  const haystack = new Haystack(shakespeare === undefined ? "x." : readFileSync(shakespeare, "utf8").slice(0, 100_000), "tinyshakespeare");
  const tasks = tokenizer === undefined ? [] : allTasks(tokenizer, 21, haystack);

  it("lands within 2% below the target length", () => {
    for (const task of tasks) expectWithinTwoPercent(task, tokenizer as Tokenizer);
  });

  it("is identical for a seed and differs for another seed", () => {
    const again = allTasks(tokenizer as Tokenizer, 21, haystack);
    const other = allTasks(tokenizer as Tokenizer, 22, haystack);
    tasks.forEach((task, i) => {
      expect([...(again[i] as GenerateTask).examples()]).toEqual([...task.examples()]);
      expect([...(other[i] as GenerateTask).examples()].map((e) => e.prompt)).not.toEqual([...task.examples()].map((e) => e.prompt));
    });
  });

  it("puts the NIAH needle in Shakespeare at the requested depth, within one sentence", () => {
    const task = tasks[0] as GenerateTask;
    for (const ex of task.examples()) {
      const p = content(ex.prompt);
      const key = /for (\S+) mentioned/.exec(p)?.[1] as string;
      const needle = niahNeedle(key, ex.references[0] as string, "numbers");
      const context = p.split("\n")[1] as string;
      const before = splitSentences(context.slice(0, context.indexOf(needle))).length;
      const total = splitSentences(context.replace(needle, "")).length;
      expect(Math.abs(before - (Number(ex.metadata.depth) / 100) * total)).toBeLessThanOrEqual(1);
    }
  });

  it("scores 100 for the oracle and 0 for a constant number on each task", async () => {
    const oracle = await runSuite(oracleModel(), { name: "all", tasks });
    const constant = await runSuite(constantModel("7777777"), { name: "all", tasks });
    for (const t of oracle.tasks) expect(t.status === "completed" && Object.values(t.metrics)[0]?.mean).toBe(1);
    for (const t of constant.tasks) expect(t.status === "completed" && Object.values(t.metrics)[0]?.mean).toBe(0);
  });
});
