import { describe, expect, it } from "vitest";
import type { Scorer } from "./model-interfaces.ts";
import { scoreBatch } from "./score-pairs.ts";
import { makePair } from "./_testdata/make-pair.ts";

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
