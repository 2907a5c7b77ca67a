// The preference pair the trainer reads: schema, stable id, and the dialogues a trainer renders from it.
import { createHash } from "node:crypto";
import { z } from "zod";
import { ChatMessage, Sampling } from "./model-interfaces.ts";

/** Where a chunk sits in its document: position in the chunk list, character span, and token count. */
export const ChunkSpan = z.object({
  index: z.number().int().min(0).describe("position of the chunk in its document's chunk list"),
  start: z.number().int().min(0).describe("first character of the chunk in the document text"),
  end: z.number().int().min(0).describe("one past the last character"),
  tokens: z.number().int().min(0).describe("tokens in the chunk, by the chunking tokenizer"),
});
/** Where a chunk sits in its document. */
export type ChunkSpan = z.infer<typeof ChunkSpan>;

/** How one generation ended (see `FinishReason`). */
export const Finish = z.enum(["stop", "length", "error"]);

/**
 * One turn of a pair: the chunk it was asked about, the question, the short prompt the reference sees, and the two
 * answers. A single-turn pair has one; a multi-turn pair (n chunks of one document in one dialogue) has n.
 */
export const PairTurn = z.object({
  chunk: ChunkSpan,
  question: z.string().describe("the instruction I_i as asked: a framing phrase + the picked question"),
  prompt_short: z.array(ChatMessage).min(1).describe("x_S for this turn: the messages holding chunk_i + I_i"),
  chosen: z.string().describe("y_S: the answer generated from prompt_short"),
  rejected: z.string().describe("y_L: the answer generated from the long dialogue (document + turns so far)"),
  chosen_finish: Finish,
  rejected_finish: Finish,
  prompt_short_tokens: z.number().int().min(0).describe("tokens of prompt_short, as the generator counted"),
  prompt_long_tokens: z.number().int().min(0).describe("tokens of the long input this turn's y_L was generated from"),
  chosen_tokens: z.number().int().min(0).describe("tokens of chosen, as the generator counted"),
  rejected_tokens: z.number().int().min(0).describe("tokens of rejected, as the generator counted"),
  ref_chosen_logps: z.number().nullable().describe("log π_S(chosen | prompt_short); null until scored"),
  ref_rejected_logps: z.number().nullable().describe("log π_S(rejected | prompt_short); null until scored"),
});
/** One turn of a pair. */
export type PairTurn = z.infer<typeof PairTurn>;

/** Where a pair came from. */
export const Provenance = z.object({
  model: z.string().describe("the generator (π_S) that wrote questions and answers"),
  reference_model: z.string().nullable().describe("the scorer that wrote the ref_* log-probs; null until scored"),
  seed: z.number().int().describe("the run's seed: question pick, framing phrase, chunk sampling, request seeds"),
  stage: z.number().int().min(1).describe("LongPO self-evolution stage (1 = first short-to-long step)"),
  sampling: z.object({ questions: Sampling, responses: Sampling }),
  prefgen: z.string().describe("the @longpo/prefgen version that wrote the pair"),
});
/** Where a pair came from. */
export type Provenance = z.infer<typeof Provenance>;

/**
 * A LongPO short-to-long preference pair (DESIGN.md, "The data pipeline"), one JSON line each.
 *
 * Layout, for single-turn pairs (`turns.length === 1`, the default):
 * - `prompt_long` is x_L = `[system?, user: <whole document> + <question>]`; the policy's chosen sequence is
 *   `prompt_long + {assistant: chosen}` and its rejected sequence `prompt_long + {assistant: rejected}`.
 * - `prompt_short` is x_S = `[system?, user: <chunk> + <question>]`, what the reference saw;
 *   `ref_chosen_logps = log π_S(chosen | prompt_short)`, likewise `ref_rejected_logps`.
 *
 * For multi-turn pairs (n turns, one document, one dialogue), `turns` is the source of truth:
 * - the policy's long sequences are {@link longDialogue}`(pair, "chosen" | "rejected")`: `prompt_long` (document +
 *   first question), then for each turn i the assistant answer of that side and, before turn i+1, a user message
 *   holding only `turns[i+1].question`. Every assistant message is a response: the trainer sums the log-probs of
 *   all of them (mask every assistant message in, everything else out);
 * - the reference's inputs are each turn's own `prompt_short` (chunk_i + question_i, no history), and the
 *   top-level `ref_chosen_logps` / `ref_rejected_logps` are the sums over turns of the per-turn values
 *   (DESIGN.md, "Multi-turn");
 * - the top-level `prompt_short`, `chosen` and `rejected` repeat the first turn's prompt and the LAST turn's
 *   answers, for tools that read single-turn columns only; a multi-turn-aware reader ignores them.
 *
 * `id` is stable: a hash of the document id, every turn's chunk span and every question (see {@link pairId}).
 */
export const PreferencePair = z.object({
  id: z.string().min(1).describe("hash of document id, chunk spans and questions"),
  doc_id: z.string(),
  prompt_long: z.array(ChatMessage).min(1).describe("x_L of the first turn: document + first question"),
  prompt_short: z.array(ChatMessage).min(1).describe("x_S of the first turn: chunk + first question"),
  chosen: z.string().describe("y_S of the last turn"),
  rejected: z.string().describe("y_L of the last turn"),
  ref_chosen_logps: z.number().nullable().describe("Σ over turns of log π_S(y_S,i | x_S,i); null until scored"),
  ref_rejected_logps: z.number().nullable().describe("Σ over turns of log π_S(y_L,i | x_S,i); null until scored"),
  turns: z.array(PairTurn).min(1),
  tokens: z.object({
    prompt_long: z.number().int().min(0).describe("tokens of prompt_long"),
    prompt_short: z.number().int().min(0).describe("Σ over turns of prompt_short tokens"),
    chosen: z.number().int().min(0).describe("Σ over turns of chosen tokens"),
    rejected: z.number().int().min(0).describe("Σ over turns of rejected tokens"),
  }),
  provenance: Provenance,
});
/** A LongPO short-to-long preference pair. */
export type PreferencePair = z.infer<typeof PreferencePair>;

/**
 * The stable id of a pair: the first 24 hex digits of SHA-256 over the document id, the chunk spans and the
 * questions. The same inputs give the same id in every run and runtime, which is what resuming relies on.
 * @example
 * ```ts
 * pairId("doc-1", [{ start: 0, end: 120 }], ["Based on the passage above, why did the ship sink?"]);
 * ```
 */
export function pairId(docId: string, spans: readonly { start: number; end: number }[], questions: readonly string[]): string {
  const payload = JSON.stringify([docId, spans.map((s) => [s.start, s.end]), questions]);
  return createHash("sha256").update(payload).digest("hex").slice(0, 24);
}

/**
 * The policy's long dialogue for one side of a pair: `prompt_long`, then each turn's answer of that side, with the
 * next turn's question between answers. Every assistant message in the result is a response whose tokens the
 * policy log-prob sums.
 * @returns messages ending with an assistant message
 */
export function longDialogue(pair: PreferencePair, side: "chosen" | "rejected"): ChatMessage[] {
  const messages: ChatMessage[] = [...pair.prompt_long];
  pair.turns.forEach((turn, i) => {
    if (i > 0) messages.push({ role: "user", content: turn.question });
    messages.push({ role: "assistant", content: turn[side] });
  });
  return messages;
}

/**
 * The reference's short dialogue for one turn and side: that turn's `prompt_short` plus the answer.
 * @throws {RangeError} when `turn` is not an index into `pair.turns`
 */
export function shortDialogue(pair: PreferencePair, turn: number, side: "chosen" | "rejected"): ChatMessage[] {
  const t = pair.turns[turn];
  if (t === undefined) {
    throw new RangeError(`Cannot build a short dialogue: turn must be in [0, ${pair.turns.length}), got ${turn}`);
  }
  return [...t.prompt_short, { role: "assistant", content: t[side] }];
}
