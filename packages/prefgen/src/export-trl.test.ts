import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportTrl, toTrlRow } from "./export-trl.ts";
import { scoreBatch } from "./score-pairs.ts";
import type { Scorer } from "./model-interfaces.ts";
import { makePair } from "./_testdata/make-pair.ts";

describe("TRL export", () => {
  it("writes the conversational columns: the long prompt, one assistant message per side, the short-prompt reference log-probs", () => {
    const pair = makePair(1, { ref: [[-3.5, -9.25]] });
    expect(toTrlRow(pair)).toEqual({
      prompt: pair.prompt_long,
      chosen: [{ role: "assistant", content: pair.chosen }],
      rejected: [{ role: "assistant", content: pair.rejected }],
      ref_chosen_logps: -3.5,
      ref_rejected_logps: -9.25,
    });
  });

  it("renders the prompt for the standard format and needs a renderer for it", () => {
    const pair = makePair(1);
    const row = toTrlRow(pair, { format: "standard", renderPrompt: (m) => m.map((x) => `[${x.role}] ${x.content}`).join("\n") });
    expect(row).toMatchObject({ prompt: `[user] ${pair.prompt_long[0]!.content}`, chosen: pair.chosen, rejected: pair.rejected });
    expect(() => toTrlRow(pair, { format: "standard" })).toThrow(TypeError);
  });

  it("refuses unscored pairs and leaves multi-turn pairs out with a count", async () => {
    expect(() => toTrlRow(makePair(1, { ref: null }))).toThrow(/run the scoring stage first/);
    const file = join(mkdtempSync(join(tmpdir(), "prefgen-trl-")), "trl.jsonl");
    const summary = await exportTrl([makePair(1), makePair(2), makePair(1)], file);
    expect(summary).toEqual({ written: 2, skippedMultiTurn: 1 });
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });
});

describe("scoreBatch", () => {
  const byLength: Scorer = { name: "len", score: async (items) => items.map((i) => ({ logprob: -i.completion.length, tokens: 1 })) };

  it("sums per-turn reference log-probs and records the reference model", async () => {
    const pair = makePair(2, { chosen: ["ab", "abcd"], rejected: ["abcdefgh", "a"], ref: null });
    const [scored] = await scoreBatch([pair], byLength);
    expect(scored!.turns.map((t) => [t.ref_chosen_logps, t.ref_rejected_logps])).toEqual([[-2, -8], [-4, -1]]);
    expect([scored!.ref_chosen_logps, scored!.ref_rejected_logps]).toEqual([-6, -9]); // -2-4, -8-1
    expect(scored!.provenance.reference_model).toBe("len");
  });

  it("rejects a scorer that returns too few scores or a non-finite log-prob", async () => {
    const short: Scorer = { name: "s", score: async (items) => items.slice(1).map(() => ({ logprob: -1, tokens: 1 })) };
    await expect(scoreBatch([makePair(1)], short)).rejects.toThrow(/one score per item, got 1 for 2/);
    const nan: Scorer = { name: "n", score: async (items) => items.map(() => ({ logprob: Number.NaN, tokens: 1 })) };
    await expect(scoreBatch([makePair(1)], nan)).rejects.toThrow(/finite/);
  });
});
