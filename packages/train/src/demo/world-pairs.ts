// LongPO's self-generated short-to-long pairs in the world: chunk → question → chosen (chunk) / rejected (long document).
import type { PreferencePair } from "@longpo/prefgen";
import { llamaScorer } from "../adapters/llama-adapters.ts";
import { generate } from "../model/generate.ts";
import type { LlamaModel } from "../model/llama.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import type { Progress } from "../progress.ts";
import { type ChatMessage, parseQuestion, qaUserMessage, qgUserMessage, questionGrounding, answerMatches, answerFrom } from "./formats.ts";
import { countWorldTokens } from "./m0-data.ts";
import { createRng } from "./rng.ts";
import { makeChunkedDocument, questionText, type World } from "./world.ts";

/** Where the question of a pair comes from. */
export type QuestionSource =
  /** M0 writes it (greedy); kept when it parses. This is LongPO's self-generated setting. */
  | "self"
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
  readonly questions: QuestionSource;
  /** Keep pairs whose chosen equals rejected (as NLL-only data); the paper drops them. Default false. */
  readonly keepIdentical?: boolean;
  /** Prompts per generate call; default 32. */
  readonly batchSize?: number;
  readonly progress?: (phase: string) => Progress | undefined;
}

/** Counts of what pair generation produced, for the report. */
export interface WorldPairsStats {
  documents: number;
  /** Self-written questions (0 for template questions) and how they relate to their chunk. */
  questionsWritten: number;
  questionsParsed: number;
  questionsGrounded: number;
  /** Documents whose question was kept. */
  questionsKept: number;
  /** Chosen and rejected answers that equal the chunk's true answer (when the question is answerable). */
  chosenCorrect: number;
  rejectedCorrect: number;
  identical: number;
  pairs: number;
  /** Pairs whose chosen is the true answer. */
  pairsChosenCorrect: number;
  /** Mean reference margin log π_S(chosen|x_S) − log π_S(rejected|x_S) over kept pairs (nats). */
  meanReferenceMargin: number;
  seconds: { questions: number; chosen: number; rejected: number; reference: number };
}

interface Item {
  id: string;
  chunkIndex: number;
  chunkText: string;
  longText: string;
  facts: ReturnType<typeof makeChunkedDocument>["chunks"][number]["facts"];
  question?: string;
  chosen?: string;
  rejected?: string;
  chunkTokens: number;
  longTokens: number;
}

async function greedyTexts(
  model: LlamaModel,
  tok: ChatTokenizer,
  prompts: readonly ChatMessage[][],
  maxNewTokens: number,
  batchSize: number,
  progress: Progress | undefined,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const ids = prompts.slice(i, i + batchSize).map((m) => tok.encode(tok.applyChatTemplate(m, { addGenerationPrompt: true })));
    const results = await generate(model, ids, { maxNewTokens, temperature: 0 });
    for (const r of results) out.push(tok.decode(r.tokenIds, { skipSpecialTokens: true }).trim());
    progress?.update(Math.min(prompts.length, i + batchSize));
  }
  progress?.finish();
  return out;
}

/**
 * Self-generated pairs (DESIGN.md, "The data pipeline", in the world's formats): for each long document of
 * `chunks × chunkLength` tokens, one random chunk; the question (written by `shortModel` on the chunk, or a template);
 * chosen = `shortModel` on chunk + question; rejected = `longModel` (the policy's start, with its raised RoPE θ) on the
 * whole document + question; drop empty and identical answers; reference log-probs of both answers by `shortModel` on
 * the chunk (LongPO's short-to-long reference), stored in the pairs.
 */
export async function makeWorldPairs(
  world: World,
  shortModel: LlamaModel,
  longModel: LlamaModel,
  tok: ChatTokenizer,
  options: WorldPairsOptions,
): Promise<{ pairs: PreferencePair[]; stats: WorldPairsStats }> {
  const batchSize = options.batchSize ?? 32;
  const rng = createRng(`${options.seed}:pairs`);
  const items: Item[] = [];
  for (let d = 0; d < options.documents; d++) {
    const doc = makeChunkedDocument(world, rng, { chunks: options.chunks, chunkLength: options.chunkLength, factsPerChunk: options.factsPerChunk });
    const chunkIndex = rng.int(options.chunks);
    const chunk = doc.chunks[chunkIndex];
    if (chunk === undefined) continue;
    const item: Item = {
      id: `world-${options.seed}-${d}`,
      chunkIndex,
      chunkText: chunk.text,
      longText: doc.document.text,
      facts: chunk.facts,
      chunkTokens: chunk.tokens.length,
      longTokens: doc.document.tokens.length,
    };
    if (options.questions === "template") item.question = questionText(rng.pick(chunk.facts));
    items.push(item);
  }
  const stats: WorldPairsStats = {
    documents: items.length,
    questionsWritten: 0,
    questionsParsed: 0,
    questionsGrounded: 0,
    questionsKept: 0,
    chosenCorrect: 0,
    rejectedCorrect: 0,
    identical: 0,
    pairs: 0,
    pairsChosenCorrect: 0,
    meanReferenceMargin: 0,
    seconds: { questions: 0, chosen: 0, rejected: 0, reference: 0 },
  };
  let t = Date.now();
  if (options.questions !== "template") {
    const written = await greedyTexts(shortModel, tok, items.map((it) => [qgUserMessage(it.chunkText)]), 8, batchSize, options.progress?.("questions"));
    items.forEach((it, i) => {
      const q = written[i] ?? "";
      stats.questionsWritten++;
      const grounding = questionGrounding(world, q, it.facts);
      if (grounding !== "unparsed") stats.questionsParsed++;
      if (grounding === "grounded") stats.questionsGrounded++;
      const keep = options.questions === "self" ? grounding !== "unparsed" : grounding === "grounded";
      if (keep) it.question = q.replace(/\s+/g, " ").trim();
    });
  }
  stats.seconds.questions = (Date.now() - t) / 1000;
  const asked = items.filter((it) => it.question !== undefined);
  stats.questionsKept = asked.length;
  t = Date.now();
  const chosen = await greedyTexts(shortModel, tok, asked.map((it) => [qaUserMessage(it.chunkText, it.question ?? "")]), 2, batchSize, options.progress?.("chosen"));
  stats.seconds.chosen = (Date.now() - t) / 1000;
  t = Date.now();
  const rejected = await greedyTexts(longModel, tok, asked.map((it) => [qaUserMessage(it.longText, it.question ?? "")]), 2, batchSize, options.progress?.("rejected"));
  stats.seconds.rejected = (Date.now() - t) / 1000;
  const kept: Item[] = [];
  asked.forEach((it, i) => {
    it.chosen = chosen[i] ?? "";
    it.rejected = rejected[i] ?? "";
    const parsed = parseQuestion(world, it.question ?? "");
    const truth = parsed === undefined ? undefined : answerFrom(it.facts, parsed);
    if (truth !== undefined && answerMatches(it.chosen, truth)) stats.chosenCorrect++;
    if (truth !== undefined && answerMatches(it.rejected, truth)) stats.rejectedCorrect++;
    if (it.chosen === it.rejected) stats.identical++;
    if (it.chosen.length === 0 || it.rejected.length === 0) return;
    if (it.chosen === it.rejected && options.keepIdentical !== true) return;
    if (truth !== undefined && answerMatches(it.chosen, truth)) stats.pairsChosenCorrect++;
    kept.push(it);
  });
  t = Date.now();
  const scorer = llamaScorer(shortModel, tok, { name: "m0", batchSize });
  const shortPrompts = kept.map((it) => [qaUserMessage(it.chunkText, it.question ?? "")]);
  const refChosen = await scorer.score(kept.map((it, i) => ({ messages: shortPrompts[i] ?? [], completion: it.chosen ?? "" })));
  const refRejected = await scorer.score(kept.map((it, i) => ({ messages: shortPrompts[i] ?? [], completion: it.rejected ?? "" })));
  stats.seconds.reference = (Date.now() - t) / 1000;
  const pairs = kept.map((it, i): PreferencePair => {
    const promptShort = [qaUserMessage(it.chunkText, it.question ?? "")];
    const promptLong = [qaUserMessage(it.longText, it.question ?? "")];
    const rc = refChosen[i]?.logprob ?? Number.NaN;
    const rr = refRejected[i]?.logprob ?? Number.NaN;
    const chosenText = it.chosen ?? "";
    const rejectedText = it.rejected ?? "";
    const start = it.chunkIndex * (it.chunkText.length + 1);
    const turn = {
      chunk: { index: it.chunkIndex, start, end: start + it.chunkText.length, tokens: it.chunkTokens },
      question: it.question ?? "",
      prompt_short: promptShort,
      chosen: chosenText,
      rejected: rejectedText,
      chosen_finish: "stop" as const,
      rejected_finish: "stop" as const,
      prompt_short_tokens: countWorldTokens(promptShort, true),
      prompt_long_tokens: countWorldTokens(promptLong, true),
      chosen_tokens: chosenText.split(" ").length,
      rejected_tokens: rejectedText.split(" ").length,
      ref_chosen_logps: rc,
      ref_rejected_logps: rr,
    };
    return {
      id: it.id,
      doc_id: it.id,
      prompt_long: promptLong,
      prompt_short: promptShort,
      chosen: chosenText,
      rejected: rejectedText,
      ref_chosen_logps: rc,
      ref_rejected_logps: rr,
      turns: [turn],
      tokens: { prompt_long: turn.prompt_long_tokens, prompt_short: turn.prompt_short_tokens, chosen: turn.chosen_tokens, rejected: turn.rejected_tokens },
      provenance: {
        model: "m0",
        reference_model: "m0",
        seed: options.seed,
        stage: 1,
        sampling: { questions: { temperature: 0, topP: 1, maxTokens: 8 }, responses: { temperature: 0, topP: 1, maxTokens: 2 } },
        prefgen: `world-pairs/${options.questions}`,
      },
    };
  });
  stats.pairs = pairs.length;
  stats.meanReferenceMargin =
    pairs.length === 0 ? 0 : pairs.reduce((s, p) => s + ((p.ref_chosen_logps ?? 0) - (p.ref_rejected_logps ?? 0)), 0) / pairs.length;
  return { pairs, stats };
}
