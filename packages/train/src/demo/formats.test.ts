import { describe, expect, it } from "vitest";
import { answerMatches, parseQuestion, qaUserMessage, qgUserMessage, questionGrounding } from "./formats.ts";
import { createWorld, type Fact } from "./world.ts";

const world = createWorld();
const [n0, n1, n2] = world.names as [string, string, string];
const facts: Fact[] = [
  { name: n0, attribute: "color", value: "teal" },
  { name: n1, attribute: "city", value: "oslo" },
];

describe("formats", () => {
  it("puts the question after the document and the separator", () => {
    expect(qaUserMessage("a b .", `${n0} : what is the color ?`)).toEqual({ role: "user", content: `a b . <q> ${n0} : what is the color ?` });
    expect(qgUserMessage("a b .").content).toBe("a b . <q> write a question about the text .");
  });

  it("parses questions in the name-first format only", () => {
    expect(parseQuestion(world, `${n0} : what is the color ?`)).toEqual({ name: n0, attribute: "color" });
    expect(parseQuestion(world, ` ${n0}  : what is the color ? </s>`)).toEqual({ name: n0, attribute: "color" });
    expect(parseQuestion(world, `what is the color of ${n0} ?`)).toBeUndefined();
    expect(parseQuestion(world, `nobody : what is the color ?`)).toBeUndefined();
    expect(parseQuestion(world, `${n0} : what is the size ?`)).toBeUndefined();
  });

  it("judges a question grounded only when its chunk states that attribute of that name", () => {
    expect(questionGrounding(world, `${n0} : what is the color ?`, facts)).toBe("grounded");
    expect(questionGrounding(world, `${n0} : what is the city ?`, facts)).toBe("name-only");
    expect(questionGrounding(world, `${n2} : what is the color ?`, facts)).toBe("ungrounded");
    expect(questionGrounding(world, "teal", facts)).toBe("unparsed");
  });

  it("matches an answer exactly: one word, optionally followed by the end of sequence", () => {
    expect(answerMatches("teal", "teal")).toBe(true);
    expect(answerMatches(" teal </s>", "teal")).toBe(true);
    expect(answerMatches("teal </s> red red", "teal")).toBe(true);
    expect(answerMatches("teal red", "teal")).toBe(false);
    expect(answerMatches("red", "teal")).toBe(false);
    expect(answerMatches("", "teal")).toBe(false);
  });

  it("matches a multi-word answer only when every word is right, in order", () => {
    expect(answerMatches("pale teal", "pale teal")).toBe(true);
    expect(answerMatches(" pale  teal </s>", "pale teal")).toBe(true);
    expect(answerMatches("pale teal </s> red", "pale teal")).toBe(true);
    expect(answerMatches("pale", "pale teal")).toBe(false); // the first word alone
    expect(answerMatches("pale </s> teal", "pale teal")).toBe(false);
    expect(answerMatches("pale red", "pale teal")).toBe(false); // first word right, second wrong
    expect(answerMatches("deep teal", "pale teal")).toBe(false);
    expect(answerMatches("teal pale", "pale teal")).toBe(false);
    expect(answerMatches("pale teal teal", "pale teal")).toBe(false);
    expect(answerMatches("", "")).toBe(false);
  });
});
