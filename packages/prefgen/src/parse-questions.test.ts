import { describe, expect, it } from "vitest";
import { FRAMING_PHRASES, frameQuestion, parseNumberedQuestions } from "./parse-questions.ts";

describe("parseNumberedQuestions", () => {
  it("reads the plain colon format the prompt asks for", () => {
    expect(parseNumberedQuestions("1: Why did the ship sink?\n2: Who survived?\n3: What did Ahab want?\n4: How does it end?"))
      .toEqual(["Why did the ship sink?", "Who survived?", "What did Ahab want?", "How does it end?"]);
  });

  it("reads dots, parentheses, bold numbers, 'Question n' labels and bullets mixed in one list", () => {
    const text = "- **1.** First one?\n2) Second one?\n**Question 3:** Third one?\n* 4 - Fourth one?";
    expect(parseNumberedQuestions(text)).toEqual(["First one?", "Second one?", "Third one?", "Fourth one?"]);
  });

  it("ignores prose before the list and after a blank line", () => {
    const text = "Sure! Here are four questions that need synthesis:\n\n1: A?\n2: B?\n3: C?\n4: D?\n\nThese questions test comprehension. 5 stars!";
    expect(parseNumberedQuestions(text)).toEqual(["A?", "B?", "C?", "D?"]);
  });

  it("joins continuation lines and a question written under a bare bold number", () => {
    const text = "**1:**\n\nHow does the author connect\nthe storm to the ending?\n**2:** Why?\n3: What?\n4: Who?";
    expect(parseNumberedQuestions(text)[0]).toBe("How does the author connect the storm to the ending?");
    expect(parseNumberedQuestions(text)).toHaveLength(4);
  });

  it("strips emphasis and quotes around a question", () => {
    expect(parseNumberedQuestions('1: **"Why did it rain?"**\n2: “Who knew?”')).toEqual(["Why did it rain?", "Who knew?"]);
  });

  it("reports five items when the model writes five, and three when it writes three", () => {
    expect(parseNumberedQuestions("1: a\n2: b\n3: c\n4: d\n5: e")).toHaveLength(5);
    expect(parseNumberedQuestions("1. a\n2. b\n3. c")).toHaveLength(3);
  });

  it("treats an out-of-sequence number as text, not as a new item", () => {
    const text = "1: In 1851, what happened?\n1851. That was the year.\n2: b?\n3: c?\n4: d?";
    expect(parseNumberedQuestions(text)).toEqual(["In 1851, what happened? 1851. That was the year.", "b?", "c?", "d?"]);
  });

  it("drops empty items and finds nothing in prose without a list", () => {
    expect(parseNumberedQuestions("1:\n2: b?")).toEqual(["b?"]);
    expect(parseNumberedQuestions("I cannot write questions about this text.")).toEqual([]);
    expect(parseNumberedQuestions("")).toEqual([]);
  });

  it("handles Windows line endings", () => {
    expect(parseNumberedQuestions("1: a?\r\n2: b?\r\n3: c?\r\n4: d?\r\n")).toEqual(["a?", "b?", "c?", "d?"]);
  });
});

describe("framing phrases", () => {
  it("the pool holds twenty distinct phrases that each end with a colon", () => {
    expect(new Set(FRAMING_PHRASES).size).toBe(20);
    for (const p of FRAMING_PHRASES) expect(p.endsWith(":")).toBe(true);
    expect(frameQuestion(FRAMING_PHRASES[0]!, "Why?")).toBe("Based on the passage above, answer this question: Why?");
  });
});
