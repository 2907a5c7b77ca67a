import { describe, expect, it } from "vitest";
import { constantModel, oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { Haystack, promptTokens, splitSentences } from "./haystack.ts";
import type { Prompt } from "./model.ts";
import { niahNeedle, niahTask, type NiahVariant } from "./niah-task.ts";
import { runSuite } from "./run-suite.ts";
import type { GenerateExample } from "./task.ts";

const content = (p: Prompt): string => (typeof p === "string" ? p : p.map((m) => m.content).join("\n"));
const count = (hay: string, needle: string): number => hay.split(needle).length - 1;
const needleRe = /One of the special magic \w+ for \S+ is: \S+\./g;

/** The context line of a chat NIAH prompt: head, context, question are its three lines. */
function contextOf(ex: GenerateExample): string {
  return content(ex.prompt).split("\n")[1] as string;
}

describe("niahTask", () => {
  const tokenizer = toyTokenizer();
  const variants: NiahVariant[] = ["single", "multikey", "multivalue", "multiquery"];

  it.each(variants)("%s: every needle appears exactly once and the prompt is within 2% below the target", (variant) => {
    const task = niahTask({ tokenizer, lengths: [500, 2000], depths: [0, 50, 100], variant, seed: 1 });
    for (const ex of task.examples()) {
      const p = content(ex.prompt);
      const needles = p.match(needleRe) ?? [];
      expect(needles.length).toBe(variant === "single" ? 1 : 4);
      for (const n of needles) expect(count(p, n)).toBe(1);
      for (const r of ex.references) expect(count(p, r)).toBe(1);
      const tokens = promptTokens(tokenizer, ex.prompt);
      expect(tokens).toBe(ex.metadata.tokens);
      expect(tokens).toBeLessThanOrEqual(Number(ex.metadata.length));
      expect(tokens).toBeGreaterThanOrEqual(0.98 * Number(ex.metadata.length));
    }
  });

  it("puts the first needle at the requested depth, within one sentence", () => {
    const text = "Alpha beta gamma delta. Epsilon zeta eta! Theta iota kappa lambda mu? Nu xi omicron pi rho sigma.";
    const haystack = new Haystack(text);
    const longest = Math.max(...splitSentences(text).map((s) => s.length + 1));
    const task = niahTask({ tokenizer, lengths: [1500], depths: [0, 10, 33, 50, 90, 100], variant: "multikey", haystack, seed: 4 });
    for (const ex of task.examples()) {
      const ctx = contextOf(ex);
      const first = niahNeedle(/for (\S+) mentioned/.exec(content(ex.prompt))?.[1] as string, ex.references[0] as string, "numbers");
      // offset of the first needle in the context once all needles are removed, as a share of that context
      const before = ctx.slice(0, ctx.indexOf(first)).replace(needleRe, "");
      const stripped = ctx.replace(needleRe, "").replace(/ +/g, " ");
      const expected = (Number(ex.metadata.depth) / 100) * stripped.length;
      expect(Math.abs(before.replace(/ +/g, " ").length - expected)).toBeLessThanOrEqual(longest);
    }
  });

  it("generates identical examples for a seed and different ones for another seed", () => {
    const make = (seed: number) => [...niahTask({ tokenizer, lengths: [400], depths: [50], seed }).examples()];
    expect(make(3)).toEqual(make(3));
    expect(make(3)[0]?.references).not.toEqual(make(4)[0]?.references);
  });

  it("offers UUID and word needles and a text prompt ending in the answer prefix", () => {
    const task = niahTask({ tokenizer, lengths: [600], depths: [25], keyType: "uuids", valueType: "words", style: "text" });
    const ex = [...task.examples()][0] as GenerateExample;
    expect(typeof ex.prompt).toBe("string");
    expect(ex.prompt as string).toMatch(/for [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} is: [a-z]+-[a-z]+\./);
    expect((ex.prompt as string).endsWith("mentioned in the provided text are")).toBe(true);
  });

  it("rejects depths outside [0, 100] and lengths too short for the template", () => {
    expect(() => niahTask({ tokenizer, lengths: [500], depths: [101] })).toThrow(RangeError);
    expect(() => niahTask({ tokenizer, lengths: [20] }).examples()).toThrow(/Cannot fit a prompt of 20 tokens/);
  });

  it("scores 100 for an oracle that reads the prompt and 0 for a constant answer", async () => {
    const tasks = variants.map((variant) => niahTask({ tokenizer, lengths: [300, 900], depths: [0, 50, 100], variant, seed: 2 }));
    const oracle = await runSuite(oracleModel(), { name: "niah", tasks });
    const constant = await runSuite(constantModel("1234567"), { name: "niah", tasks });
    for (const t of oracle.tasks) expect(t.status === "completed" && t.metrics.string_match_all?.mean).toBe(1);
    for (const t of constant.tasks) expect(t.status === "completed" && t.metrics.string_match_all?.mean).toBe(0);
  });
});
