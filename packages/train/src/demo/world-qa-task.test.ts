import { runSuite, type EvalModel, type Prompt } from "@longpo/eval";
import { describe, expect, it } from "vitest";
import { createWorld, MULTI_TOKEN_ATTRIBUTES } from "./world.ts";
import { answerTokens, worldExactMatch, worldQaExamples, worldQaTask } from "./world-qa-task.ts";

const world = createWorld();
const options = { seed: 5, lengths: [64, 256], examplesPerCell: 10 };

function userText(prompt: Prompt): string {
  return typeof prompt === "string" ? prompt : (prompt.at(-1)?.content ?? "");
}

/** Reads the answer from the prompt: `words` value words, 5 words after the asked name's "name : the attr is". */
function reader(words: number): EvalModel {
  return {
    name: `reader-${words}`,
    generate: async (prompts) =>
      prompts.map((p) => {
        const [doc = "", question = ""] = userText(p).split(" <q> ");
        const name = question.split(" ")[0];
        const w = doc.split(" ");
        const at = w.findIndex((x, i) => x === name && w[i + 1] === ":");
        return at < 0 ? "" : w.slice(at + 5, at + 5 + words).join(" ");
      }),
  };
}

/** The oracle of the default world's one-word values. */
const oracle = reader(1);

describe("worldQaTask", () => {
  it("builds one cell per length and depth, deterministic for the seed", () => {
    const a = worldQaExamples(world, options);
    expect(a).toHaveLength(2 * 4 * 10);
    expect(worldQaExamples(world, options)).toEqual(a);
    expect(worldQaExamples(world, { ...options, seed: 6 })).not.toEqual(a);
  });

  it("writes documents of the requested length with the asked fact near the requested depth", () => {
    for (const e of worldQaExamples(world, options)) {
      const [doc = ""] = userText(e.prompt).split(" <q> ");
      expect(doc.split(" ")).toHaveLength(e.metadata.length as number);
      // Within the longest filler sentence (25 words) of the requested position: half of one from snapping to a
      // sentence boundary, the rest where a distractor fact crowds the asked one.
      const tolerance = (100 * 25) / ((e.metadata.length as number) - 7);
      expect(Math.abs((e.metadata.placed_depth as number) - (e.metadata.depth as number))).toBeLessThanOrEqual(tolerance + 0.01);
    }
  });

  it("states each fact once in its documents (no restatements: the test measures retrieval, not repetition)", () => {
    for (const e of worldQaExamples(world, options)) {
      const [doc = ""] = userText(e.prompt).split(" <q> ");
      const words = doc.split(" ");
      const mentions = words.filter((w, i) => words[i + 1] === ":" && words[i + 2] === "the").length; // "name : the attr is value ."
      expect(mentions).toBe(e.metadata.facts);
      const names = words.filter((w, i) => words[i + 1] === ":");
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("scores an oracle that reads the document at 100% and a constant answer near chance", async () => {
    const task = worldQaTask(world, options);
    const perfect = await runSuite(oracle, { name: "t", tasks: [task] });
    const r = perfect.tasks[0];
    expect(r?.status).toBe("completed");
    if (r?.status === "completed") expect(r.metrics.exact_match?.mean).toBe(1);
    const constant: EvalModel = { name: "teal", generate: async (ps) => ps.map(() => "teal") };
    const c = (await runSuite(constant, { name: "t", tasks: [task] })).tasks[0];
    // Chance is 1/6 attributes × 1/12 values per attribute ≈ 1.4%; 80 examples leave at most a few hits.
    if (c?.status === "completed") expect(c.metrics.exact_match?.mean).toBeLessThan(0.1);
    else expect.unreachable("the constant model's task must complete");
  });

  it("rejects depths outside [0, 100]", () => {
    expect(() => worldQaExamples(world, { ...options, depths: [0.5, 120] })).toThrow(RangeError);
  });

  it("counts a hit only for the exact one-word answer", () => {
    expect(worldExactMatch("teal", ["teal"])).toBe(1);
    expect(worldExactMatch("teal blue", ["teal"])).toBe(0);
  });
});

describe("worldQaTask, multi-word values", () => {
  const multi = createWorld({ attributes: MULTI_TOKEN_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })) });

  it("generates the answer's two words and </s>; the default world keeps its two new tokens", () => {
    expect(answerTokens(multi)).toBe(3);
    expect(worldQaTask(multi, options).sampling?.maxTokens).toBe(3);
    expect(answerTokens(world)).toBe(2);
    expect(worldQaTask(world, options).sampling?.maxTokens).toBe(2);
  });

  it("references the whole two-word value, in documents of the requested length", () => {
    for (const e of worldQaExamples(multi, options)) {
      expect(e.references[0]!.split(" ")).toHaveLength(2);
      const [doc = ""] = userText(e.prompt).split(" <q> ");
      expect(doc.split(" ")).toHaveLength(e.metadata.length as number);
      expect(doc).toContain(`: the ${(userText(e.prompt).split(" <q> ")[1] ?? "").split(" ")[5]} is ${e.references[0]} .`);
    }
  });

  it("scores a reader of both words at 100% and one that stops after the first word at 0%", async () => {
    const task = worldQaTask(multi, options);
    const both = (await runSuite(reader(2), { name: "t", tasks: [task] })).tasks[0];
    const first = (await runSuite(reader(1), { name: "t", tasks: [task] })).tasks[0];
    if (both?.status !== "completed" || first?.status !== "completed") expect.unreachable("both tasks must complete");
    else {
      expect(both.metrics.exact_match?.mean).toBe(1);
      expect(first.metrics.exact_match?.mean).toBe(0);
    }
  });

  it("counts no hit when only the first word is right", () => {
    expect(worldExactMatch("pale teal", ["pale teal"])).toBe(1);
    expect(worldExactMatch("pale", ["pale teal"])).toBe(0);
    expect(worldExactMatch("pale red", ["pale teal"])).toBe(0);
  });
});
