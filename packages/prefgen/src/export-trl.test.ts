import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportTrl, toTrlRow } from "./export-trl.ts";
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
