// LongPO's self-generated short-to-long pairs in the world: chunk → question → chosen (chunk) / rejected (long document).
import type { PreferencePair } from "@longpo/prefgen";
import { type InferenceModel, llamaScorer } from "../adapters/llama-adapters.ts";
import { generate, type GenerationResult } from "../model/generate.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import type { ReplicaPool } from "../parallel/replica-pool.ts";
import type { ReplicaJob } from "../parallel/replica-protocol.ts";
import type { Progress } from "@longpo/prefgen";
import { type ChatMessage, parseQuestion, QUESTION_SEPARATOR, qaUserMessage, qgUserMessage, questionGrounding, answerMatches, answerFrom } from "./formats.ts";
import { countWorldTokens } from "./m0-data.ts";
import { sfc32 as createRng } from "@longpo/io";
import { answerTokens } from "./world-qa-task.ts";
import { makeChunkedDocument, questionText, type World } from "./world.ts";

/** Where the question of a pair comes from. */
export type QuestionSource =
  /** M0 writes it (greedy); kept when it parses. This is LongPO's self-generated setting. */
  | "self"
  /**
   * M0 writes it with its first word copied from the chunk (copy-constrained decoding: the first new token is
   * restricted to the chunk's tokens, so the name-first question's subject is a word of the chunk); kept when it parses.
   */
  | "self-copy"
  /** M0 writes it; kept only when it is about a fact of the chunk (an oracle filter the world allows). */
  | "self-grounded"
  /** A template question about a random fact of the chunk (no question generation). */
  | "template";

/** Options of {@link makeWorldPairs}. */
export interface WorldPairsOptions {
  readonly seed: number;
  /** Long documents to draw; each gives at most one pair. */
  readonly documents: number;
  /** Chunks per long document (the length factor) and tokens per chunk (the short length). */
  readonly chunks: number;
  readonly chunkLength: number;
  readonly factsPerChunk: readonly [number, number];
  /**
   * Facts of earlier chunks restated in each later chunk of a long document (long-range structure, see
   * `makeChunkedDocument`); default 0. Questions may be about a restated fact: its chunk states it too.
   */
  readonly restatementsPerChunk?: number;
  readonly questions: QuestionSource;
  /**
   * (chunk, question) turns per document, on distinct chunks (DESIGN.md's multi-turn pairs): one long dialogue
   * carries every turn, so one long forward pass trains on all of them. Default 1; at most `chunks`.
   */
  readonly turns?: number;
  /**
   * Keep a turn only when the short model is confident of its own chosen answer: π_S(chosen | chunk + question) ≥
   * this probability (a self-consistency filter that needs no labels: an unanswerable or misread question gets a
   * spread-out answer). Default 0 (keep all).
   */
  readonly minChosenProb?: number;
  /** Keep pairs whose chosen equals rejected on every turn (as NLL-only data); the paper drops them. Default false. */
  readonly keepIdentical?: boolean;
  /** Prompts per generate call; default 32. */
  readonly batchSize?: number;
  /** Replicas of the short and long models in worker threads that share the batches (same results). */
  readonly pools?: { readonly short?: ReplicaPool | undefined; readonly long?: ReplicaPool | undefined };
  /** A progress display per phase ("questions", "chosen", "reference (chosen)", "rejected", "reference (rejected)") of `total` items. */
  readonly progress?: (phase: string, total: number) => Progress | undefined;
}

/** Counts of what pair generation produced, for the report. Question and answer counts are per turn. */
export interface WorldPairsStats {
  documents: number;
  /** Turns asked of each document. */
  turnsPerDocument: number;
  /** Self-written questions (0 for template questions) and how they relate to their chunk. */
  questionsWritten: number;
  questionsParsed: number;
  questionsGrounded: number;
  /** Turns whose question was kept. */
  questionsKept: number;
  /** Turns whose chosen answer passed `minChosenProb` (all asked turns when it is 0). */
  turnsConfident: number;
  /**
   * Chosen answers (of the asked turns) and rejected answers (of the confident turns) that equal the chunk's true
   * answer (when the question is answerable).
   */
  chosenCorrect: number;
  rejectedCorrect: number;
  /** Turns whose chosen equals their rejected. */
  identical: number;
  pairs: number;
  /** Turns in the kept pairs, and those whose chosen is the true answer. */
  turns: number;
  turnsChosenCorrect: number;
  /** Mean reference margin log π_S(chosen|x_S) − log π_S(rejected|x_S) over kept pairs (nats, summed over turns). */
  meanReferenceMargin: number;
  seconds: { questions: number; chosen: number; rejected: number; reference: number };
}

interface Turn {
  chunkIndex: number;
  chunkText: string;
  chunkTokens: number;
  facts: ReturnType<typeof makeChunkedDocument>["chunks"][number]["facts"];
  question?: string;
  /** The chunk's answer to the question, when the question is about a fact of the chunk. */
  truth?: string;
  chosen?: string;
  rejected?: string;
  refChosen?: number;
}

interface Doc {
  id: string;
  longText: string;
  longTokens: number;
  turns: Turn[];
}

async function greedyTexts(
  model: InferenceModel,
  tok: ChatTokenizer,
  prompts: readonly ChatMessage[][],
  maxNewTokens: number,
  batchSize: number,
  progress: Progress | undefined,
  offset = 0,
  firstTokens?: (index: number) => ReadonlySet<number>,
  pool?: ReplicaPool,
): Promise<string[]> {
  const out: string[] = [];
  if (pool !== undefined) {
    const jobs: ReplicaJob[] = [];
    for (let i = 0; i < prompts.length; i += batchSize) {
      const rows = prompts.slice(i, i + batchSize);
      const ids = rows.map((m) => tok.encode(tok.applyChatTemplate(m, { addGenerationPrompt: true })));
      const allowed = firstTokens === undefined ? {} : { allowedFirstTokens: rows.map((_, r) => [...firstTokens(i + r)]) };
      jobs.push({ type: "generate", prompts: ids, options: { maxNewTokens, temperature: 0, ...allowed } });
    }
    const results = (await pool.runJobs(jobs, (done) => progress?.update(offset + Math.min(prompts.length, done * batchSize)))) as GenerationResult[][];
    for (const r of results.flat()) out.push(tok.decode(r.tokenIds, { skipSpecialTokens: true }).trim());
    return out;
  }
  for (let i = 0; i < prompts.length; i += batchSize) {
    const ids = prompts.slice(i, i + batchSize).map((m) => tok.encode(tok.applyChatTemplate(m, { addGenerationPrompt: true })));
    const constrain = firstTokens === undefined
      ? undefined
      : (row: number, step: number, logits: Float32Array) => {
          if (step !== 0) return;
          const allowed = firstTokens(i + row);
          for (let v = 0; v < logits.length; v++) if (!allowed.has(v)) logits[v] = Number.NEGATIVE_INFINITY;
        };
    const results = await generate(model, ids, { maxNewTokens, temperature: 0, ...(constrain === undefined ? {} : { logitsProcessor: constrain }) });
    for (const r of results) out.push(tok.decode(r.tokenIds, { skipSpecialTokens: true }).trim());
    progress?.update(offset + Math.min(prompts.length, i + batchSize));
  }
  return out;
}

/** The user message of turn `i` in a long dialogue: the whole document with the first question, then `<q> question`. */
function longUserMessage(doc: Doc, i: number): ChatMessage {
  const q = doc.turns[i]?.question ?? "";
  return i === 0 ? qaUserMessage(doc.longText, q) : { role: "user", content: `${QUESTION_SEPARATOR} ${q}` };
}

/** The long dialogue up to turn `j`'s question: earlier turns answered by one side (`longDialogue`'s prefix). */
function longPrefix(doc: Doc, j: number, side: "chosen" | "rejected"): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < j; i++) messages.push(longUserMessage(doc, i), { role: "assistant", content: doc.turns[i]?.[side] ?? "" });
  messages.push(longUserMessage(doc, j));
  return messages;
}

/**
 * Self-generated pairs (DESIGN.md, "The data pipeline", in the world's formats): for each long document of
 * `chunks × chunkLength` tokens, `turns` distinct random chunks; each turn's question (written by `shortModel` on
 * its chunk, or a template); chosen = `shortModel` on chunk + question, kept when `shortModel` gives it at least
 * `minChosenProb`; rejected = `longModel` (the policy's start,
 * with its raised RoPE θ) on the whole document + the turns so far (its own earlier answers) + question; drop a
 * document with an empty answer, and one whose answers are identical on every turn; reference log-probs of both
 * answers by `shortModel` on each turn's chunk (LongPO's short-to-long reference), summed over turns.
 */
export async function makeWorldPairs(
  world: World,
  shortModel: InferenceModel,
  longModel: InferenceModel,
  tok: ChatTokenizer,
  options: WorldPairsOptions,
): Promise<{ pairs: PreferencePair[]; stats: WorldPairsStats }> {
  const batchSize = options.batchSize ?? 32;
  const turnsPerDocument = options.turns ?? 1;
  if (!Number.isInteger(turnsPerDocument) || turnsPerDocument < 1 || turnsPerDocument > options.chunks) {
    throw new RangeError(`Cannot make world pairs: turns must be an integer in [1, chunks = ${options.chunks}], got ${turnsPerDocument}`);
  }
  const rng = createRng(`${options.seed}:pairs`);
  const docs: Doc[] = [];
  for (let d = 0; d < options.documents; d++) {
    const doc = makeChunkedDocument(world, rng, {
      chunks: options.chunks,
      chunkLength: options.chunkLength,
      factsPerChunk: options.factsPerChunk,
      restatementsPerChunk: options.restatementsPerChunk ?? 0,
    });
    const picked = rng.shuffle(doc.chunks.map((_, i) => i)).slice(0, turnsPerDocument);
    const turns = picked.map((chunkIndex): Turn => {
      const chunk = doc.chunks[chunkIndex];
      if (chunk === undefined) throw new RangeError(`Cannot make world pairs: chunk ${chunkIndex} is missing`);
      const facts = [...chunk.facts, ...(chunk.restatements ?? [])]; // what the chunk states, restated facts included
      const turn: Turn = { chunkIndex, chunkText: chunk.text, chunkTokens: chunk.tokens.length, facts };
      if (options.questions === "template") turn.question = questionText(rng.pick(chunk.facts));
      return turn;
    });
    docs.push({ id: `world-${options.seed}-${d}`, longText: doc.document.text, longTokens: doc.document.tokens.length, turns });
  }
  const stats: WorldPairsStats = {
    documents: docs.length,
    turnsPerDocument,
    questionsWritten: 0,
    questionsParsed: 0,
    questionsGrounded: 0,
    questionsKept: 0,
    turnsConfident: 0,
    chosenCorrect: 0,
    rejectedCorrect: 0,
    identical: 0,
    pairs: 0,
    turns: 0,
    turnsChosenCorrect: 0,
    meanReferenceMargin: 0,
    seconds: { questions: 0, chosen: 0, rejected: 0, reference: 0 },
  };
  const allTurns = () => docs.flatMap((d) => d.turns);
  let t = Date.now();
  if (options.questions !== "template") {
    const turns = allTurns();
    const progress = options.progress?.("questions", turns.length);
    const chunkTokens = options.questions === "self-copy" ? turns.map((it) => new Set(tok.encode(it.chunkText))) : [];
    const written = await greedyTexts(shortModel, tok, turns.map((it) => [qgUserMessage(it.chunkText)]), 8, batchSize, progress, 0,
      options.questions === "self-copy" ? (i) => chunkTokens[i] ?? new Set() : undefined, options.pools?.short);
    progress?.finish();
    turns.forEach((it, i) => {
      const q = written[i] ?? "";
      stats.questionsWritten++;
      const grounding = questionGrounding(world, q, it.facts);
      if (grounding !== "unparsed") stats.questionsParsed++;
      if (grounding === "grounded") stats.questionsGrounded++;
      const keep = options.questions === "self-grounded" ? grounding === "grounded" : grounding !== "unparsed";
      if (keep) it.question = q.replace(/\s+/g, " ").trim();
    });
    for (const d of docs) d.turns = d.turns.filter((it) => it.question !== undefined);
  }
  stats.seconds.questions = (Date.now() - t) / 1000;
  const asked = docs.filter((d) => d.turns.length > 0);
  const askedTurns = asked.flatMap((d) => d.turns);
  stats.questionsKept = askedTurns.length;
  t = Date.now();
  const chosenProgress = options.progress?.("chosen", askedTurns.length);
  // An answer is its value's words and </s>: 2 new tokens for one-word values, 3 for two-word values.
  const maxAnswerTokens = answerTokens(world);
  const chosen = await greedyTexts(shortModel, tok, askedTurns.map((it) => [qaUserMessage(it.chunkText, it.question ?? "")]), maxAnswerTokens, batchSize, chosenProgress, 0, undefined, options.pools?.short);
  chosenProgress?.finish();
  askedTurns.forEach((it, i) => (it.chosen = chosen[i] ?? ""));
  stats.seconds.chosen = (Date.now() - t) / 1000;
  t = Date.now();
  const scorer = (phase: string, total: number) => {
    const progress = options.progress?.(phase, total);
    return llamaScorer(shortModel, tok, { name: "m0", batchSize, ...(progress === undefined ? {} : { progress }), ...(options.pools?.short === undefined ? {} : { pool: options.pools.short }) });
  };
  const shortPrompt = (it: Turn): ChatMessage[] => [qaUserMessage(it.chunkText, it.question ?? "")];
  const refChosen = await scorer("reference (chosen)", askedTurns.length).score(askedTurns.map((it) => ({ messages: shortPrompt(it), completion: it.chosen ?? "" })));
  askedTurns.forEach((it, i) => (it.refChosen = refChosen[i]?.logprob ?? Number.NaN));
  stats.seconds.reference = (Date.now() - t) / 1000;
  for (const it of askedTurns) {
    const parsed = parseQuestion(world, it.question ?? "");
    it.truth = parsed === undefined ? undefined : answerFrom(it.facts, parsed);
    if (it.truth !== undefined && answerMatches(it.chosen ?? "", it.truth)) stats.chosenCorrect++;
  }
  const minLogprob = Math.log(options.minChosenProb ?? 0);
  for (const d of asked) d.turns = d.turns.filter((it) => (it.refChosen ?? Number.NaN) >= minLogprob);
  const confident = asked.filter((d) => d.turns.length > 0);
  stats.turnsConfident = confident.reduce((n, d) => n + d.turns.length, 0);
  // Rejected answers turn by turn: turn j sees the document, the earlier questions and its own earlier answers.
  t = Date.now();
  const rejectedProgress = options.progress?.("rejected", stats.turnsConfident);
  let done = 0;
  for (let j = 0; j < turnsPerDocument; j++) {
    const at = confident.filter((d) => d.turns.length > j);
    const prompts = at.map((d) => longPrefix(d, j, "rejected"));
    const rejected = await greedyTexts(longModel, tok, prompts, maxAnswerTokens, batchSize, rejectedProgress, done, undefined, options.pools?.long);
    at.forEach((d, k) => {
      const turn = d.turns[j];
      if (turn !== undefined) turn.rejected = rejected[k] ?? "";
    });
    done += at.length;
  }
  rejectedProgress?.finish();
  stats.seconds.rejected = (Date.now() - t) / 1000;
  const kept: Doc[] = [];
  for (const d of confident) {
    for (const it of d.turns) {
      if (it.truth !== undefined && answerMatches(it.rejected ?? "", it.truth)) stats.rejectedCorrect++;
      if (it.chosen === it.rejected) stats.identical++;
    }
    if (d.turns.some((it) => (it.chosen ?? "").length === 0 || (it.rejected ?? "").length === 0)) continue;
    if (d.turns.every((it) => it.chosen === it.rejected) && options.keepIdentical !== true) continue;
    stats.turns += d.turns.length;
    stats.turnsChosenCorrect += d.turns.filter((it) => it.truth !== undefined && answerMatches(it.chosen ?? "", it.truth)).length;
    kept.push(d);
  }
  t = Date.now();
  const keptTurns = kept.flatMap((d) => d.turns);
  const shortPrompts = keptTurns.map(shortPrompt);
  const refRejected = await scorer("reference (rejected)", keptTurns.length).score(keptTurns.map((it, i) => ({ messages: shortPrompts[i] ?? [], completion: it.rejected ?? "" })));
  stats.seconds.reference += (Date.now() - t) / 1000;
  let cursor = 0;
  const pairs = kept.map((d): PreferencePair => {
    const turns = d.turns.map((it, i) => {
      const promptShort = shortPrompts[cursor] ?? [];
      const rc = it.refChosen ?? Number.NaN;
      const rr = refRejected[cursor]?.logprob ?? Number.NaN;
      cursor++;
      const chosenText = it.chosen ?? "";
      const rejectedText = it.rejected ?? "";
      const start = it.chunkIndex * (it.chunkText.length + 1);
      const longPrompt = longPrefix(d, i, "chosen");
      return {
        chunk: { index: it.chunkIndex, start, end: start + it.chunkText.length, tokens: it.chunkTokens },
        question: i === 0 ? (it.question ?? "") : `${QUESTION_SEPARATOR} ${it.question ?? ""}`,
        prompt_short: promptShort,
        chosen: chosenText,
        rejected: rejectedText,
        chosen_finish: "stop" as const,
        rejected_finish: "stop" as const,
        prompt_short_tokens: countWorldTokens(promptShort, true),
        prompt_long_tokens: countWorldTokens(longPrompt, true),
        chosen_tokens: chosenText.split(" ").length,
        rejected_tokens: rejectedText.split(" ").length,
        ref_chosen_logps: rc,
        ref_rejected_logps: rr,
      };
    });
    const sum = (f: (x: (typeof turns)[number]) => number) => turns.reduce((a, x) => a + f(x), 0);
    const last = turns[turns.length - 1];
    const promptLong = [longUserMessage(d, 0)];
    return {
      id: d.id,
      doc_id: d.id,
      prompt_long: promptLong,
      prompt_short: turns[0]?.prompt_short ?? [],
      chosen: last?.chosen ?? "",
      rejected: last?.rejected ?? "",
      ref_chosen_logps: sum((x) => x.ref_chosen_logps),
      ref_rejected_logps: sum((x) => x.ref_rejected_logps),
      turns,
      tokens: {
        prompt_long: countWorldTokens(promptLong, true),
        prompt_short: sum((x) => x.prompt_short_tokens),
        chosen: sum((x) => x.chosen_tokens),
        rejected: sum((x) => x.rejected_tokens),
      },
      provenance: {
        model: "m0",
        reference_model: "m0",
        seed: options.seed,
        stage: 1,
        sampling: { questions: { temperature: 0, topP: 1, maxTokens: 8 }, responses: { temperature: 0, topP: 1, maxTokens: maxAnswerTokens } },
        prefgen: `world-pairs/${options.questions}`,
      },
    };
  });
  stats.pairs = pairs.length;
  stats.meanReferenceMargin =
    pairs.length === 0 ? 0 : pairs.reduce((s, p) => s + ((p.ref_chosen_logps ?? 0) - (p.ref_rejected_logps ?? 0)), 0) / pairs.length;
  return { pairs, stats };
}
