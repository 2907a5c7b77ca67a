// The chat prompts of the pipeline: asking for four questions about a chunk, and asking for an answer.
import type { ChatMessage } from "./model-interfaces.ts";

/**
 * The instruction that asks for questions (the paper's step 2, in our own words). `{passage}` is replaced by the
 * chunk. Asks for exactly four questions numbered "1:" to "4:", varied, needing comprehension and synthesis.
 */
export const QUESTION_INSTRUCTION = [
  "{passage}",
  "",
  "Write four questions about the passage above for a reading test. Each question must need an understanding of the",
  "passage as a whole, or bring together details from different parts of it, rather than copying one sentence. Make",
  "the four questions different in kind: for example one about causes or motives, one comparing ideas or events, one",
  "asking for a summary of an argument, one asking what can be inferred. Reply with the questions only, one per line,",
  'numbered "1:" to "4:".',
].join("\n");

/** Options shared by the prompt builders. */
export interface PromptOptions {
  /** A system message to put first; none by default. */
  system?: string;
}

function withSystem(messages: ChatMessage[], options: PromptOptions): ChatMessage[] {
  return options.system === undefined ? messages : [{ role: "system", content: options.system }, ...messages];
}

/**
 * The messages asking for four questions about a chunk.
 * @param template the instruction with a `{passage}` placeholder; default {@link QUESTION_INSTRUCTION}
 * @throws {RangeError} when the template has no `{passage}` placeholder
 */
export function questionMessages(chunk: string, options: PromptOptions & { template?: string } = {}): ChatMessage[] {
  const template = options.template ?? QUESTION_INSTRUCTION;
  if (!template.includes("{passage}")) {
    throw new RangeError(`Cannot build the question prompt: the template must contain "{passage}", got ${JSON.stringify(template.slice(0, 60))}`);
  }
  return withSystem([{ role: "user", content: template.replace("{passage}", () => chunk) }], options);
}

/**
 * The messages asking to answer a question about a context: `[system?, user: context + blank line + question]`.
 * The same builder makes x_S (context = one chunk) and x_L (context = the whole document).
 */
export function answerMessages(context: string, question: string, options: PromptOptions = {}): ChatMessage[] {
  return withSystem([{ role: "user", content: `${context}\n\n${question}` }], options);
}
