// The world's chat formats: answer a question about a document, write a question about a document, and judge both.
import type { Fact, World } from "./world.ts";

/** A chat message as every `@longpo/*` package passes it. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** The token between a document and the request about it. */
export const QUESTION_SEPARATOR = "<q>";

/** The instruction that asks for a question about the document. */
export const QG_INSTRUCTION = "write a question about the text .";

/** The instruction that asks to write the document out again (M0's optional plain-text turns). */
export const COPY_INSTRUCTION = "write the text .";

/** User turn of a copy example: `DOC <q> write the text .` */
export function copyUserMessage(documentText: string): ChatMessage {
  return { role: "user", content: `${documentText} ${QUESTION_SEPARATOR} ${COPY_INSTRUCTION}` };
}

/** User turn of a QA example: `DOC <q> zorvan : what is the color ?` */
export function qaUserMessage(documentText: string, question: string): ChatMessage {
  return { role: "user", content: `${documentText} ${QUESTION_SEPARATOR} ${question}` };
}

/** User turn of a question-writing example: `DOC <q> write a question about the text .` */
export function qgUserMessage(documentText: string): ChatMessage {
  return { role: "user", content: `${documentText} ${QUESTION_SEPARATOR} ${QG_INSTRUCTION}` };
}

/** A question parsed back into what it asks. */
export interface ParsedQuestion {
  readonly name: string;
  readonly attribute: string;
}

function words(text: string): string[] {
  return text.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0 && w !== "</s>");
}

/**
 * Parse a question in the world's format (`zorvan : what is the color ?`); undefined when it does not parse or
 * names an unknown entity or attribute.
 */
export function parseQuestion(world: World, text: string): ParsedQuestion | undefined {
  const w = words(text);
  if (w.length !== 7) return undefined;
  const [name, colon, what, is, the, attribute, mark] = w as [string, string, string, string, string, string, string];
  if (colon !== ":" || what !== "what" || is !== "is" || the !== "the" || mark !== "?") return undefined;
  if (!world.names.includes(name) || !world.attributes.some((a) => a.name === attribute)) return undefined;
  return { name, attribute };
}

/**
 * How a self-written question relates to the facts of its chunk:
 * - `grounded`: it asks for the attribute of a name that the chunk states (answerable from the chunk);
 * - `name-only`: the name is in the chunk but with another attribute;
 * - `ungrounded`: it parses but the name is not in the chunk;
 * - `unparsed`: not a question in the world's format.
 */
export type QuestionGrounding = "grounded" | "name-only" | "ungrounded" | "unparsed";

/** Judge a self-written question against the facts of the chunk it was written about. */
export function questionGrounding(world: World, question: string, facts: readonly Fact[]): QuestionGrounding {
  const parsed = parseQuestion(world, question);
  if (parsed === undefined) return "unparsed";
  const sameName = facts.filter((f) => f.name === parsed.name);
  if (sameName.length === 0) return "ungrounded";
  return sameName.some((f) => f.attribute === parsed.attribute) ? "grounded" : "name-only";
}

/** The answer to a question from a set of facts, or undefined when the facts do not answer it. */
export function answerFrom(facts: readonly Fact[], question: ParsedQuestion): string | undefined {
  return facts.find((f) => f.name === question.name && f.attribute === question.attribute)?.value;
}

/**
 * Exact match of a generated answer: the words of the output (after trimming, lowercased, before any `</s>`) are
 * the words of the expected value, all of them and in order (one word for a one-word value; both for "pale teal",
 * so "pale" or "pale red" fail), and nothing but an end of sequence follows them.
 */
export function answerMatches(output: string, expected: string): boolean {
  const w = words(output.split("</s>")[0] ?? "");
  const e = words(expected);
  return e.length > 0 && w.length === e.length && w.every((x, i) => x === e[i]);
}

