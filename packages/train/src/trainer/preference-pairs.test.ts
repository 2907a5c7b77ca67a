import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PreferenceDataError } from "@longpo/prefgen";
import { describe, expect, it } from "vitest";
import { makePair } from "../cli/_test-fixture.ts";
import { charTokenizer } from "./_test-helpers.ts";
import { pairDialogues, readPreferencePairs } from "./preference-pairs.ts";
import { buildTrainingExample } from "./training-example.ts";

/** A two-turn pair: one document, two (chunk, question) turns in one dialogue. */
function twoTurnPair() {
  const pair = makePair(0, "doc q1", "c1 q1", "a2", "b2");
  const first = { ...pair.turns[0]!, chosen: "a1", rejected: "b1", ref_chosen_logps: -1, ref_rejected_logps: -2 };
  const second = { ...pair.turns[0]!, question: "q2", prompt_short: [{ role: "user" as const, content: "c2 q2" }], chosen: "a2", rejected: "b2", ref_chosen_logps: -3, ref_rejected_logps: -4 };
  return { ...pair, turns: [first, second], ref_chosen_logps: -4, ref_rejected_logps: -6 };
}

describe("pairDialogues", () => {
  it("labels every answer of a multi-turn pair in the long dialogue and gives the reference one short dialogue per turn", () => {
    const d = pairDialogues(twoTurnPair());
    expect(d.longChosen.map((m) => `${m.role}:${m.content}`)).toEqual(["user:doc q1", "assistant:a1", "user:q2", "assistant:a2"]);
    expect(d.shortRejected.map((t) => t.map((m) => m.content))).toEqual([["c1 q1", "b1"], ["c2 q2", "b2"]]);
    const e = buildTrainingExample(charTokenizer, d, "short");
    // Rendered: BOS <u> "doc q1" <a> "a1" EOS <u> "q2" <a> "a2" EOS → labels: a1+EOS (3) and a2+EOS (3).
    expect(e.chosen.labelMask.reduce((a, b) => a + b, 0)).toBe(6);
    expect(e.refChosen).toHaveLength(2);
    expect([e.refChosenLogps, e.refRejectedLogps]).toEqual([-4, -6]); // sums over turns, from the file
  });
});

describe("readPreferencePairs", () => {
  const write = (name: string, text: string | Buffer) => {
    const file = join(mkdtempSync(join(tmpdir(), "train-pairs-")), name);
    writeFileSync(file, text);
    return file;
  };
  const a = makePair(0, "doc a", "c a", "yes a", "no a");
  const b = makePair(1, "doc b", "c b", "yes b", "no b");

  it("rejects a pair id that repeats an earlier line, naming both lines (it would be trained twice)", async () => {
    const file = write("dup.jsonl", [a, b, a].map((p) => `${JSON.stringify(p)}\n`).join(""));
    const e = await readPreferencePairs(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreferenceDataError);
    expect((e as Error).message).toBe(`Cannot read ${file}: line 3 repeats pair id ${JSON.stringify(a.id)} of line 1 (each pair id must appear once)`);
  });

  it("rejects a pair holding invalid UTF-8, naming file and line, instead of training on U+FFFD", async () => {
    const text = `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`;
    const at = text.lastIndexOf("yes b");
    const file = write("latin1.jsonl", Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff]), Buffer.from(text.slice(at))]));
    const e = await readPreferencePairs(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreferenceDataError);
    expect((e as Error).message).toBe(`Cannot read ${file}: line 2 is not valid UTF-8 (the file must be UTF-8 text)`);
  });

  it("reads distinct pairs in file order, a last line without a newline included", async () => {
    const file = write("ok.jsonl", `${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    expect((await readPreferencePairs(file)).map((p) => p.id)).toEqual([a.id, b.id]);
  });
});
