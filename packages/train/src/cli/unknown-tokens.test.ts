import { describe, expect, it } from "vitest";
import { loadTokenizer } from "../model/tokenizer.ts";
import { shippedM0Dir } from "../demo/run-demo.ts";
import type { CliIo } from "./cli-io.ts";
import { unknownTokens, warnUnknownTokens } from "./unknown-tokens.ts";

function capture(): { io: CliIo; err: () => string } {
  let err = "";
  return { io: { out: () => {}, err: (t) => void (err += t) }, err: () => err };
}

describe("unknown tokens", () => {
  it("counts the words outside M0's vocabulary as unknown", async () => {
    const tok = await loadTokenizer(shippedM0Dir());
    expect(tok.unkTokenId).toBe(1); // "<unk>" is id 1 of M0's tokenizer.json
    // M0's 681 words hold "the", "a", "of", "gold" but not "cat", "sat", "on", "mat" (vocab.json, by hand): 4 of 8.
    expect(unknownTokens(tok, ["the cat sat on a mat of gold"])).toEqual({ tokens: 8, unknown: 4 });
  });

  it("warns once above 3% unknown and stays quiet on the model's own words", async () => {
    const tok = await loadTokenizer(shippedM0Dir());
    const english = capture();
    expect(warnUnknownTokens(english.io, "eval", "m0", tok, ["the cat sat on a mat of gold", "what is the question"])).toBe(true);
    expect(english.err()).toBe(
      "eval: warning: 33.3% of the input's 12 tokens (4) are unknown to the tokenizer of m0; the model cannot read that part of the input, so its output will mean little\n",
    );
    const world = capture();
    expect(warnUnknownTokens(world.io, "eval", "m0", tok, ["what is the question about the text ?"])).toBe(false);
    expect(world.err()).toBe("");
  });
});
