import { describe, expect, it } from "vitest";
import {
  applyFilters, defaultFilters, degenerateFilter, emptyFilter, identicalFilter, overLengthFilter, realWordCount,
  refusalFilter, repeatRatio, summarizeVerdicts,
} from "./filters.ts";
import { makePair } from "./_testdata/make-pair.ts";

const ANSWER = "The whaler sank after the white whale rammed it twice, and only Ishmael survived by floating on a coffin.";

describe("text measures", () => {
  it("repeat ratio counts n-grams seen before: 'a b a b a b' has 4 unigram repeats of 6 and 2 trigram repeats of 4", () => {
    expect(repeatRatio("a b a b a b", 1)).toBeCloseTo(4 / 6, 12);
    expect(repeatRatio("a b a b a b", 3)).toBeCloseTo(2 / 4, 12); // trigrams: aba bab aba bab
    expect(repeatRatio("one two", 3)).toBe(0);
    expect(repeatRatio(ANSWER, 3)).toBe(0);
  });

  it("real words need a letter; numbers and markup do not count", () => {
    expect(realWordCount("42 ... ** -- 7")).toBe(0);
    expect(realWordCount("Yes.")).toBe(1);
    expect(realWordCount("It's 3 o'clock")).toBe(2);
  });
});

describe("filters on messy model outputs", () => {
  it("empty drops whitespace-only answers in any turn", () => {
    expect(emptyFilter()(makePair(1, { chosen: [" \n\t "] }))).toMatch(/turn 0 chosen is empty/);
    expect(emptyFilter()(makePair(2, { rejected: [ANSWER, ""] }))).toMatch(/turn 1 rejected/);
    expect(emptyFilter()(makePair(1))).toBeNull();
  });

  it("degenerate drops a looping answer, a one-word answer and punctuation soup, and keeps a real answer", () => {
    const f = degenerateFilter();
    const loop = "The answer is the ship. The answer is the ship. The answer is the ship. The answer is the ship.";
    expect(f(makePair(1, { chosen: [loop] }))).toMatch(/repeats itself/);
    expect(f(makePair(1, { rejected: ["Yes."] }))).toMatch(/1 real word/);
    expect(f(makePair(1, { rejected: ["*** ... 12 ---"] }))).toMatch(/0 real word/);
    expect(f(makePair(1, { chosen: [ANSWER], rejected: ["The ship survived and Ahab caught the whale."] }))).toBeNull();
  });

  it("degenerate thresholds are configurable (unigram ratio, word minimum)", () => {
    const pair = makePair(1, { chosen: ["whale whale ship ship"], rejected: ["The ship survived the storm."] });
    expect(degenerateFilter()(pair)).toBeNull(); // trigrams "whale whale ship", "whale ship ship": no repeats
    expect(degenerateFilter({ ngram: 1, maxRepeatRatio: 0.4 })(pair)).toMatch(/1-gram repeat ratio 0.50/);
    expect(degenerateFilter({ minWords: 6 })(pair)).toMatch(/fewer than 6/);
  });

  it("refusal drops refusals in several phrasings and keeps an answer that quotes one late", () => {
    const f = refusalFilter();
    for (const text of ["I cannot answer that question based on the text.", "As an AI language model, I do not have opinions.", "I'm sorry, but the passage does not say.", "I apologize, there is no such detail."]) {
      expect(f(makePair(1, { rejected: [text] }))).toMatch(/refusal/);
    }
    const late = `${"The captain shouts orders across the deck while the crew hauls the lines. ".repeat(3)}Then he says: "I cannot help you."`;
    expect(f(makePair(1, { chosen: [late] }))).toBeNull();
    expect(f(makePair(1, { chosen: ["I cannot stress enough how calm the sea was."] }))).toBeNull();
  });

  it("identical drops chosen equal to rejected up to case and whitespace, in any turn", () => {
    expect(identicalFilter()(makePair(2, { chosen: ["a b", "Same  answer\n"], rejected: ["c d", " same answer"] }))).toMatch(/turn 1/);
    expect(identicalFilter()(makePair(1))).toBeNull();
  });

  it("over-length drops long inputs, long answers and truncated answers", () => {
    const pair = makePair(1); // prompt_long_tokens 20, answers 6 tokens each, both finished with "stop"
    expect(overLengthFilter({ maxPromptTokens: 19 })(pair)).toMatch(/20 tokens > 19/);
    expect(overLengthFilter({ maxResponseTokens: 5 })(pair)).toMatch(/6 tokens > 5/);
    expect(overLengthFilter({ maxPromptTokens: 20, maxResponseTokens: 6 })(pair)).toBeNull();
    const cut = makePair(1);
    cut.turns[0]!.rejected_finish = "length";
    expect(overLengthFilter()(cut)).toMatch(/"length"/);
    expect(overLengthFilter({ dropTruncated: false })(cut)).toBeNull();
  });

  it("applyFilters reports the first filter that objects, and the summary counts drops per filter", () => {
    const filters = defaultFilters();
    const pairs = [makePair(1), makePair(1, { chosen: [""] }), makePair(1, { chosen: ["", ""], rejected: ["I cannot help with that."] }), makePair(1, { chosen: ["As an AI, no."] }), makePair(1, { chosen: [ANSWER], rejected: [ANSWER] })];
    const verdicts = pairs.map((p) => applyFilters(p, filters));
    expect(verdicts.map((v) => (v.kept ? "kept" : v.filter))).toEqual(["kept", "empty", "empty", "refusal", "identical"]);
    expect(summarizeVerdicts(verdicts, filters)).toEqual({ total: 5, kept: 1, dropped: { empty: 2, degenerate: 0, refusal: 1, identical: 1, "over-length": 0 } });
  });
});
