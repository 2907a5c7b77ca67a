// M0's supervised mixture: short documents with question-answering and question-writing turns, as chat dialogues.
import type { PreferencePair } from "@longpo/prefgen";
import { type ChatMessage, copyUserMessage, QG_INSTRUCTION, QUESTION_SEPARATOR, qaUserMessage, qgUserMessage } from "./formats.ts";
import { sfc32 as createRng, type Sfc32 as Rng } from "@longpo/io";
import { makeDocument, maxFactLength, maxValueWords, type PlacedFact, questionText, sampleFacts, type World } from "./world.ts";

/** Which fact a question-writing turn is taught to ask about. */
export type QuestionTarget = "random" | "first" | "last";

/** What the mixture draws: document sizes, turn kinds and the sequence budget. */
export interface M0DataOptions {
  /** Document length in tokens, uniform in [min, max]. */
  readonly docLength: readonly [number, number];
  /** Facts per document, uniform in [min, max] (capped so that filler remains). */
  readonly factsPerDoc: readonly [number, number];
  /**
   * Longest rendered dialogue in tokens; later turns past it are dropped. It must hold the longest first turn:
   * `docLength[1] + 19` (`<s> <user>`, `<q>`, the 7-word instruction, `<assistant>`, a 7-word question, `</s>`;
   * a QA turn is longer only for values of more than 7 words).
   */
  readonly maxSequence: number;
  /** Probability that the dialogue opens with a question-writing turn. */
  readonly qgFirst: number;
  /** Otherwise, probability that a question-writing turn is inserted at a random later place. */
  readonly qgInsert: number;
  /** The fact a written question is about. */
  readonly qgTarget: QuestionTarget;
  /**
   * Probability that a dialogue is plain text instead: a short document written out again (`write the text .`),
   * which teaches copying from the context. Default 0 (no draw is made, so other dialogues do not change).
   */
  readonly copy?: number;
}

/** One supervised dialogue: user turns and the assistant answers to learn, with the document's facts. */
export interface SftDialogue {
  readonly id: string;
  readonly document: string;
  readonly documentTokens: number;
  readonly facts: readonly PlacedFact[];
  /** `[user, assistant, user, assistant, ...]`; the first user turn holds the document. */
  readonly messages: readonly ChatMessage[];
}

/**
 * Render messages with the world's chat template (the same string as `WORLD_CHAT_TEMPLATE` renders, up to
 * spaces): `<s> <user> … <assistant> … </s> …`.
 */
export function renderWorldChat(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
  const parts = ["<s>"];
  for (const m of messages) {
    if (m.role === "assistant") parts.push("<assistant>", m.content, "</s>");
    else parts.push(m.role === "user" ? "<user>" : "<system>", m.content);
  }
  if (addGenerationPrompt) parts.push("<assistant>");
  return parts.join(" ");
}

/** Tokens of a rendered world dialogue: one per whitespace-separated word (the tokenizer is word-level). */
export function countWorldTokens(messages: readonly ChatMessage[], addGenerationPrompt = false): number {
  return renderWorldChat(messages, addGenerationPrompt).split(/\s+/).filter((w) => w.length > 0).length;
}

/**
 * Tokens of the longest first turn besides the document: 19 for a question-writing turn, 12 plus the value's words
 * for a QA turn (`<s> <user>`, `<q>`, the 7-word question, `<assistant>`, the value, `</s>`).
 */
function firstTurnOverhead(world: World): number {
  return Math.max(19, 12 + maxValueWords(world));
}

function pickTarget(facts: readonly PlacedFact[], target: QuestionTarget, rng: Rng): PlacedFact {
  const byPosition = [...facts].sort((a, b) => a.start - b.start);
  if (target === "first") return byPosition[0] as PlacedFact;
  if (target === "last") return byPosition[byPosition.length - 1] as PlacedFact;
  return rng.pick(byPosition);
}

/**
 * One dialogue of M0's mixture: a short document, one QA turn per fact (shuffled), and a question-writing turn
 * (first, inserted, or absent), cut to `maxSequence` tokens.
 */
export function m0Dialogue(world: World, rng: Rng, options: M0DataOptions, id: string): SftDialogue {
  const overhead = firstTurnOverhead(world);
  if (options.maxSequence < options.docLength[1] + overhead) {
    throw new RangeError(
      `Cannot draw M0 dialogues: maxSequence must be >= docLength max + ${overhead} = ${options.docLength[1] + overhead}, got ${options.maxSequence}`,
    );
  }
  if ((options.copy ?? 0) > 0 && rng.next() < (options.copy ?? 0)) return copyDialogue(world, rng, options, id);
  const length = rng.range(options.docLength[0], options.docLength[1]);
  const maxFacts = Math.max(1, Math.floor(length / (maxFactLength(world) + 3)));
  const count = Math.min(maxFacts, rng.range(options.factsPerDoc[0], options.factsPerDoc[1]));
  const doc = makeDocument(rng, { length, facts: sampleFacts(world, rng, count) });
  type Turn = { kind: "qa"; fact: PlacedFact } | { kind: "qg"; fact: PlacedFact };
  const turns: Turn[] = rng.shuffle(doc.facts).map((fact) => ({ kind: "qa", fact }));
  const qg: Turn = { kind: "qg", fact: pickTarget(doc.facts, options.qgTarget, rng) };
  if (rng.next() < options.qgFirst) turns.unshift(qg);
  else if (rng.next() < options.qgInsert) turns.splice(1 + rng.int(turns.length), 0, qg);
  const messages: ChatMessage[] = [];
  for (const [i, turn] of turns.entries()) {
    const request = turn.kind === "qa" ? questionText(turn.fact) : QG_INSTRUCTION;
    const user: ChatMessage =
      i === 0
        ? turn.kind === "qa"
          ? qaUserMessage(doc.text, request)
          : qgUserMessage(doc.text)
        : { role: "user", content: `${QUESTION_SEPARATOR} ${request}` };
    const answer: ChatMessage = { role: "assistant", content: turn.kind === "qa" ? turn.fact.value : questionText(turn.fact) };
    if (i > 0 && countWorldTokens([...messages, user, answer]) > options.maxSequence) break;
    messages.push(user, answer);
  }
  return { id, document: doc.text, documentTokens: length, facts: doc.facts, messages };
}

/** A plain-text dialogue: a document short enough to be written out again within `maxSequence`. */
function copyDialogue(world: World, rng: Rng, options: M0DataOptions, id: string): SftDialogue {
  // <s> <user> DOC <q> write the text . <assistant> DOC </s>: 2 + L + 5 + 1 + L + 1 tokens.
  const longest = Math.max(options.docLength[0], Math.min(options.docLength[1], Math.floor((options.maxSequence - 9) / 2)));
  const length = rng.range(Math.min(options.docLength[0], longest), longest);
  const count = Math.min(Math.floor(length / (maxFactLength(world) + 3)), rng.range(0, 2));
  const doc = makeDocument(rng, { length, facts: sampleFacts(world, rng, count) });
  return {
    id,
    document: doc.text,
    documentTokens: length,
    facts: doc.facts,
    messages: [copyUserMessage(doc.text), { role: "assistant", content: doc.text }],
  };
}

/** `count` dialogues of M0's mixture, deterministic for the seed (dialogue i depends only on seed and i). */
export function m0Dialogues(world: World, options: M0DataOptions, seed: number, count: number, prefix = "m0"): SftDialogue[] {
  return Array.from({ length: count }, (_, i) => m0Dialogue(world, createRng(`${seed}:${prefix}:${i}`), options, `${prefix}-${seed}-${i}`));
}

/**
 * A dialogue as a `PreferencePair` for SFT with the project's trainer: the first user turn is `prompt_long`, each
 * later user turn a turn's `question`, and chosen = rejected = the answer (SFT reads chosen only). Turn prompts
 * are the document plus that turn's request, so the pair is also valid for tools that read single-turn columns.
 */
export function sftPair(dialogue: SftDialogue, seed: number): PreferencePair {
  const users = dialogue.messages.filter((m) => m.role === "user");
  const answers = dialogue.messages.filter((m) => m.role === "assistant");
  const first = users[0];
  const lastAnswer = answers[answers.length - 1];
  if (first === undefined || lastAnswer === undefined) {
    throw new RangeError(`Cannot build an SFT pair: dialogue ${dialogue.id} must hold a user and an assistant turn, got none`);
  }
  const span = { index: 0, start: 0, end: dialogue.document.length, tokens: dialogue.documentTokens };
  const turns = answers.map((answer, i) => {
    const user = users[i] ?? first;
    const request = i === 0 ? first.content.slice(dialogue.document.length + 1) : user.content;
    const promptShort: ChatMessage[] = i === 0 ? [first] : [{ role: "user", content: `${dialogue.document} ${request}` }];
    const answerTokens = answer.content.split(" ").length;
    return {
      chunk: span,
      question: i === 0 ? request : user.content,
      prompt_short: promptShort,
      chosen: answer.content,
      rejected: answer.content,
      chosen_finish: "stop" as const,
      rejected_finish: "stop" as const,
      prompt_short_tokens: countWorldTokens(promptShort, true),
      prompt_long_tokens: countWorldTokens(dialogue.messages.slice(0, 2 * i + 1), true),
      chosen_tokens: answerTokens,
      rejected_tokens: answerTokens,
      ref_chosen_logps: null,
      ref_rejected_logps: null,
    };
  });
  const answerTokens = turns.reduce((n, t) => n + t.chosen_tokens, 0);
  return {
    id: dialogue.id,
    doc_id: dialogue.id,
    prompt_long: [first],
    prompt_short: [first],
    chosen: lastAnswer.content,
    rejected: lastAnswer.content,
    ref_chosen_logps: null,
    ref_rejected_logps: null,
    turns,
    tokens: {
      prompt_long: countWorldTokens([first], true),
      prompt_short: turns.reduce((n, t) => n + t.prompt_short_tokens, 0),
      chosen: answerTokens,
      rejected: answerTokens,
    },
    provenance: {
      model: "world-template",
      reference_model: null,
      seed,
      stage: 1,
      sampling: {
        questions: { temperature: 0, topP: 1, maxTokens: 8 },
        responses: { temperature: 0, topP: 1, maxTokens: 8 },
      },
      prefgen: "world-sft",
    },
  };
}
