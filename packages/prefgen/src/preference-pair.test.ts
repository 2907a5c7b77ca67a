import { describe, expect, it } from "vitest";
import { PreferencePair, longDialogue, pairId, shortDialogue } from "./preference-pair.ts";
import { makePair } from "./_testdata/make-pair.ts";

describe("PreferencePair", () => {
  it("accepts a well-formed single-turn pair and rejects one without turns", () => {
    const pair = makePair(1);
    expect(PreferencePair.parse(pair)).toEqual(pair);
    expect(PreferencePair.safeParse({ ...pair, turns: [] }).success).toBe(false);
  });

  it("pair ids are stable and change with the document, the span or the question", () => {
    const base = pairId("d", [{ start: 0, end: 10 }], ["q"]);
    expect(base).toBe(pairId("d", [{ start: 0, end: 10 }], ["q"]));
    expect(base).toMatch(/^[0-9a-f]{24}$/);
    const others = [pairId("e", [{ start: 0, end: 10 }], ["q"]), pairId("d", [{ start: 0, end: 11 }], ["q"]), pairId("d", [{ start: 0, end: 10 }], ["q?"])];
    for (const other of others) expect(other).not.toBe(base);
  });

  it("the long dialogue of a three-turn pair interleaves later questions with that side's answers", () => {
    const pair = makePair(3);
    const rejected = longDialogue(pair, "rejected");
    expect(rejected.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
    expect(rejected[2]?.content).toBe(pair.turns[1]?.question);
    expect(rejected.filter((m) => m.role === "assistant").map((m) => m.content)).toEqual(pair.turns.map((t) => t.rejected));
    expect(longDialogue(pair, "chosen").at(-1)?.content).toBe(pair.chosen);
  });

  it("top-level reference log-probs of a multi-turn pair are the sums over turns", () => {
    const pair = makePair(3, { ref: [[-1, -2], [-3, -5], [-0.5, -0.25]] });
    expect(pair.ref_chosen_logps).toBe(-4.5); // -1 - 3 - 0.5
    expect(pair.ref_rejected_logps).toBe(-7.25); // -2 - 5 - 0.25
  });

  it("a short dialogue is the turn's own prompt plus the answer, and a bad turn index is a RangeError", () => {
    const pair = makePair(2);
    expect(shortDialogue(pair, 1, "chosen")).toEqual([...pair.turns[1]!.prompt_short, { role: "assistant", content: pair.turns[1]!.chosen }]);
    expect(() => shortDialogue(pair, 2, "chosen")).toThrow(RangeError);
  });
});
