import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { parseBabi } from "./babi.ts";
import { DataFileError } from "./data-file-error.ts";

const SMALL = [
  "1 Mary got the milk there.",
  "2 John moved to the bedroom.",
  "3 Where is the milk? \thallway\t1",
  "4 Mary travelled to the hallway.",
  "5 Where is the milk? \thallway\t1 4",
  "1 Sandra went to the garden.",
  "2 Where is Sandra? \tgarden\t1",
].join("\n");

describe("parseBabi", () => {
  it("turns each question into a sample with the story's facts before it", () => {
    const s = parseBabi(SMALL, "small.txt");
    expect(s).toHaveLength(3);
    expect(s[1]).toEqual({
      facts: ["Mary got the milk there.", "John moved to the bedroom.", "Mary travelled to the hallway."],
      question: "Where is the milk?",
      answer: "hallway",
      // line ids 1 and 4 are facts 0 and 2 once question line 3 is left out
      supporting: [0, 2],
      source: "small.txt:5",
    });
    expect(s[2]?.facts).toEqual(["Sandra went to the garden."]);
  });

  it("names file and line of a malformed line", () => {
    const bad = "1 Mary went home.\n2 Where is Mary?\thome\n";
    expect(() => parseBabi(bad, "bad.txt")).toThrow(DataFileError);
    expect(() => parseBabi(bad, "bad.txt")).toThrow(/bad\.txt line 2/);
    expect(() => parseBabi("no number here", "x.txt")).toThrow(/x\.txt line 1/);
  });

  const qa1 = asset("babi/qa1_single-supporting-fact_test.txt");
  it.skipIf(qa1 === undefined)("reads the 1,000 questions of the real bAbI task 1 test set", () => {
    const samples = parseBabi(readFileSync(qa1 as string, "utf8"), "qa1");
    expect(samples).toHaveLength(1000);
    expect(samples[0]).toMatchObject({ question: "Where is John?", answer: "hallway", supporting: [0] });
  });
});
