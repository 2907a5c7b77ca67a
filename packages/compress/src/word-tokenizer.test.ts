import { describe, expect, it } from "vitest";
import { createWordTokenizer } from "./word-tokenizer.ts";

describe("createWordTokenizer", () => {
  it("splits words with their leading space, symbols and whitespace characters", () => {
    const tok = createWordTokenizer();
    const ids = tok.encode("Hello, world.\n\nBye");
    expect(ids.map((id) => tok.decode([id]))).toEqual(["Hello", ",", " world", ".", "\n", "\n", "Bye"]);
  });

  it("gives the same id to the same piece and decodes back to the input", () => {
    const tok = createWordTokenizer();
    const text = "a a  b\té 🙂 x.";
    const ids = tok.encode(text);
    expect(ids[0]).toBe(0);
    expect(ids[1]).toBe(1);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.encode(" a")).toEqual([1]);
  });

  it("rejects ids it never gave out with a RangeError naming the id", () => {
    const tok = createWordTokenizer();
    tok.encode("one two");
    expect(() => tok.decode([7])).toThrow(/got 7/);
    expect(() => tok.decode([7])).toThrow(RangeError);
  });
});
