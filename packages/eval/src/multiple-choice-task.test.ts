import { describe, expect, it } from "vitest";
import { parseJsonl } from "./jsonl.ts";
import type { EvalModel } from "./model.ts";
import { ArcRecord, arcTask, HellaSwagRecord, hellaswagPreprocess, hellaswagTask, MmluRecord, mmluTask } from "./multiple-choice-task.ts";
import { runSuite } from "./run-suite.ts";
import type { ChoiceExample, LoglikelihoodTask } from "./task.ts";

const mmlu = parseJsonl(
  [
    '{"question":"2 + 2 = ?","subject":"elementary_mathematics","choices":["3","4","5","6"],"answer":1}',
    '{"question":" Capital of France? ","subject":"geography","choices":["Rome","Paris","Oslo","Bern"],"answer":"B"}',
  ].join("\n"),
  MmluRecord,
  "mmlu",
);

describe("mmluTask", () => {
  it("formats a zero-shot question as lm-evaluation-harness does", () => {
    const ex = [...mmluTask({ records: mmlu }).examples()][0] as ChoiceExample;
    expect(ex.context).toBe(
      "The following are multiple choice questions (with answers) about elementary mathematics.\n\n2 + 2 = ?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:",
    );
    expect(ex.choices).toEqual([" A", " B", " C", " D"]);
    expect(ex.gold).toBe(1);
  });

  it("puts worked examples with their answers before the question, never the question itself", () => {
    const ex = [...mmluTask({ records: mmlu, fewshot: 1 }).examples()][0] as ChoiceExample;
    expect(ex.context).toBe(
      "The following are multiple choice questions (with answers) about elementary mathematics.\n\n" +
        "Capital of France?\nA. Rome\nB. Paris\nC. Oslo\nD. Bern\nAnswer: B\n\n2 + 2 = ?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:",
    );
  });

  it("rejects more shots than the pool holds", () => {
    expect(() => mmluTask({ records: mmlu, fewshot: 2 })).toThrow(RangeError);
  });
});

describe("arcTask and hellaswagTask", () => {
  it("scores ARC choices as ' <text>' after 'Question: ...\\nAnswer:' and finds the gold by label", () => {
    const records = parseJsonl(
      '{"id":"x","question":"Which is a gas?","choices":{"text":["ice","steam","rock"],"label":["1","2","3"]},"answerKey":"2"}',
      ArcRecord,
    );
    const ex = [...arcTask({ records }).examples()][0] as ChoiceExample;
    expect(ex).toMatchObject({ context: "Question: Which is a gas?\nAnswer:", choices: [" ice", " steam", " rock"], gold: 1 });
  });

  it("cleans HellaSwag text and capitalises ctx_b as Python's str.capitalize", () => {
    // strip; " [title]" -> ". " gives "A man.  sits.  [header] Done"; dropping "[header]" leaves three spaces;
    // one pass of replace("  ", " ") turns "  " into " " and "   " into "  " (Python gives the same)
    expect(hellaswagPreprocess(" A man [title] sits.  [header] Done ")).toBe("A man. sits.  Done");
    const records = parseJsonl(
      '{"activity_label":"Cooking","ctx_a":"A chef chops onions.","ctx_b":"then HE","endings":["cries.","sings [step] loudly."],"label":"0"}',
      HellaSwagRecord,
    );
    const ex = [...hellaswagTask({ records }).examples()][0] as ChoiceExample;
    expect(ex).toMatchObject({ context: "Cooking: A chef chops onions. Then he", choices: [" cries.", " sings loudly."], gold: 0 });
  });
});

describe("multiple choice by log-likelihood", () => {
  // 40 questions whose gold index cycles 0, 1, 2, 3: chance is exactly 1/4
  const records: MmluRecord[] = Array.from({ length: 40 }, (_, i) => ({
    question: `q${i}`,
    subject: "s",
    choices: ["w", "x", "y", "z"].map((c) => `${c}${i}`),
    answer: i % 4,
  }));
  const task: LoglikelihoodTask = mmluTask({ records, fewshot: 2 });
  const golds = new Map([...task.examples()].map((e) => [e.context, e.choices[e.gold]]));

  it("gives an oracle that prefers the gold continuation 100% acc and acc_norm", async () => {
    const oracle: EvalModel = {
      name: "oracle",
      generate: async () => [],
      logLikelihood: async (reqs) => reqs.map((r) => ({ logprob: golds.get(r.context) === r.continuation ? -0.1 : -5, isGreedy: false })),
    };
    const r = (await runSuite(oracle, { name: "mc", tasks: [task] })).tasks[0];
    expect(r?.status === "completed" && [r.metrics.acc?.mean, r.metrics.acc_norm?.mean]).toEqual([1, 1]);
  });

  it("gives a constant model chance accuracy (ties go to the first choice)", async () => {
    const constant: EvalModel = { name: "constant", generate: async () => [], logLikelihood: async (reqs) => reqs.map(() => ({ logprob: -1, isGreedy: false })) };
    const r = (await runSuite(constant, { name: "mc", tasks: [task] })).tasks[0];
    expect(r?.status === "completed" && r.metrics.acc?.mean).toBe(0.25);
  });
});
