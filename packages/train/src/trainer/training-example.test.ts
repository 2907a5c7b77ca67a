import { describe, expect, it } from "vitest";
import { charTokenizer } from "./_test-helpers.ts";
import { buildTrainingExample, tokenizeDialogue } from "./training-example.ts";

describe("tokenizeDialogue", () => {
  it("labels the tokens of every assistant turn and nothing else", () => {
    // Rendered: BOS <u> h i <a> y o EOS <u> q <a> z EOS; labels: "yo"+EOS and "z"+EOS.
    const seq = tokenizeDialogue(charTokenizer, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
      { role: "user", content: "q" },
      { role: "assistant", content: "z" },
    ]);
    expect(seq.ids).toHaveLength(13);
    expect(seq.labelMask).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1]);
  });

  it("rejects a dialogue without an assistant turn", () => {
    expect(() => tokenizeDialogue(charTokenizer, [{ role: "user", content: "hi" }])).toThrow(/assistant turn/);
  });
});

describe("buildTrainingExample", () => {
  const pair = {
    id: "p",
    longChosen: [{ role: "user" as const, content: "long doc q" }, { role: "assistant" as const, content: "a" }],
    longRejected: [{ role: "user" as const, content: "long doc q" }, { role: "assistant" as const, content: "b" }],
    shortChosen: [[{ role: "user" as const, content: "doc q" }, { role: "assistant" as const, content: "a" }]],
    shortRejected: [[{ role: "user" as const, content: "doc q" }, { role: "assistant" as const, content: "b" }]],
    refChosenLogps: -1,
    refRejectedLogps: -2,
  };

  it("gives the LongPO reference the short inputs and keeps precomputed log-probs", () => {
    const e = buildTrainingExample(charTokenizer, pair, "short");
    expect(e.refChosen[0]?.ids.length).toBeLessThan(e.chosen.ids.length);
    expect([e.refChosenLogps, e.refRejectedLogps]).toEqual([-1, -2]);
  });

  it("gives the DPO reference the long inputs and drops short-input log-probs", () => {
    const e = buildTrainingExample(charTokenizer, pair, "long");
    expect(e.refChosen).toEqual([e.chosen]);
    expect(e.refChosenLogps).toBeUndefined();
  });
});
