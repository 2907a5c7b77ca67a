import { describe, expect, it } from "vitest";
import { QUESTION_INSTRUCTION, answerMessages, questionMessages } from "./prompts.ts";

describe("prompts", () => {
  it("the question prompt holds the chunk verbatim, even with $-patterns, and asks for four numbered questions", () => {
    const chunk = "Prices rose by $& and $1 overnight.";
    const [m] = questionMessages(chunk);
    expect(m?.role).toBe("user");
    expect(m?.content.startsWith(`${chunk}\n\n`)).toBe(true);
    expect(m?.content).toContain('numbered "1:" to "4:"');
    expect(QUESTION_INSTRUCTION).toContain("four questions");
  });

  it("puts a system message first when given, and rejects a template without a passage placeholder", () => {
    expect(questionMessages("x", { system: "Be terse." }).map((m) => m.role)).toEqual(["system", "user"]);
    expect(() => questionMessages("x", { template: "Ask four questions." })).toThrow(RangeError);
  });

  it("an answer prompt is the context, a blank line, then the question", () => {
    expect(answerMessages("C", "Q?")).toEqual([{ role: "user", content: "C\n\nQ?" }]);
  });
});
