// A deterministic toy chat model for tests and benchmarks: a word tokenizer, a chat template, canned questions and
// answers derived from the prompt, and per-token log-probs anyone can recompute by hand.
import { createHash } from "node:crypto";
import type { ChatMessage } from "../model-interfaces.ts";

/** Toy tokens: a run of non-space characters with the whitespace after it. */
export function toyTokens(text: string): { token: string; offset: number }[] {
  return [...text.matchAll(/\S+\s*/g)].map((m) => ({ token: m[0], offset: m.index }));
}

function hash(...parts: (string | number)[]): number {
  return createHash("sha256").update(parts.join("\u0000")).digest().readUInt32LE(0);
}

/** log p of a toy token: −1 − (FNV-1a(token without trailing space) mod 1000) / 1000, so in (−2, −1]. */
export function toyTokenLogprob(token: string): number {
  let h = 0x811c9dc5;
  for (const ch of token.trimEnd()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return -1 - (h % 1000) / 1000;
}

/** The toy chat template: `<|role|>\n content \n<|end|>\n` per message, `<|assistant|>\n` as generation prompt. */
export function renderToyChat(messages: ChatMessage[], options: { addGenerationPrompt?: boolean; continueFinal?: boolean } = {}): string {
  let text = "";
  messages.forEach((m, i) => {
    const open = `<|${m.role}|>\n${m.content}`;
    text += options.continueFinal === true && i === messages.length - 1 ? open : `${open}\n<|end|>\n`;
  });
  if (options.addGenerationPrompt ?? true) text += "<|assistant|>\n";
  return text;
}

const QUESTION_MARKER = "Write four questions";

/**
 * The toy model's reply. Asked for questions, it writes a numbered list about words of the passage, in one of
 * four formats chosen by a hash of the passage: clean "1:", messy markdown with prose, "1." with a fifth item
 * (dropped), or only three (dropped). Asked a question, it "answers" from the context's length and first words;
 * with a long context it refuses or loops now and then, so the filters have work.
 */
export function toyReply(messages: ChatMessage[], seed = 0): string {
  const last = messages.at(-1)?.content ?? "";
  if (last.includes(QUESTION_MARKER)) {
    const passage = last.slice(0, last.indexOf(QUESTION_MARKER));
    const words = passage.match(/[A-Za-z]{4,}/g) ?? ["text"];
    const w = (i: number) => words[hash(passage, i) % words.length]!;
    const qs = [`Why does the passage mention ${w(1)}?`, `How are ${w(2)} and ${w(3)} related?`, `What can be inferred about ${w(4)}?`, `Summarise the role of ${w(5)}.`, `Who is ${w(6)}?`];
    switch (hash(passage, "format") % 6) {
      case 0:
      case 1:
        return qs.slice(0, 4).map((q, i) => `${i + 1}: ${q}`).join("\n");
      case 2:
      case 3:
        return `Sure! Here are four questions that need synthesis:\n\n**1:** ${qs[0]}\n2. ${qs[1]}\n3) ${qs[2]}\n**Question 4:** ${qs[3]}\n\nI hope these help.`;
      case 4:
        return qs.map((q, i) => `${i + 1}. ${q}`).join("\n");
      default:
        return qs.slice(0, 3).map((q, i) => `${i + 1}: ${q}`).join("\n");
    }
  }
  const userTexts = messages.filter((m) => m.role === "user").map((m) => m.content);
  const first = userTexts[0] ?? "";
  const context = userTexts.length === 1 ? first.slice(0, Math.max(0, first.lastIndexOf("\n\n"))) : first;
  const question = userTexts.length === 1 ? first.slice(first.lastIndexOf("\n\n") + 2) : (userTexts.at(-1) ?? "");
  const contextWords = context.split(/\s+/).filter(Boolean);
  const topic = question.match(/[A-Za-z]{4,}[?.]?$/)?.[0]?.replace(/[?.]$/, "") ?? "it";
  const h = hash(context.length, question, seed);
  if (contextWords.length > 120 && h % 9 === 0) return "I cannot answer that question from the text provided.";
  if (contextWords.length > 120 && h % 9 === 1) return Array(12).fill(`the ${topic} is`).join(" ");
  return `Having read ${contextWords.length} words, I find that ${topic} relates to ${contextWords.slice(0, 4).join(" ")} and ${contextWords.at(-1) ?? ""}; turn ${userTexts.length}.`;
}
