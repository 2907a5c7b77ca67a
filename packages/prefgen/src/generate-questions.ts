// Stage 2: ask the model for four questions per chunk, parse them, keep chunks with exactly four, pick and frame one.
import { existsSync } from "node:fs";
import type { GenerateRequest, Generator, Sampling } from "./model-interfaces.ts";
import { hashSeed, mulberry32, openJsonlAppender, readJsonl, readKeys, sampleIndices } from "@longpo/io";
import { FRAMING_PHRASES, frameQuestion, parseNumberedQuestions } from "./parse-questions.ts";
import { questionMessages, type PromptOptions } from "./prompts.ts";
import { checkBatchSize, runBatched, stageLog, stageProgress } from "./_stage.ts";
import { chunkKey, DocumentChunks, QuestionRecord, type StageCommon, type StageReport } from "./stage-records.ts";
import type { ChunkSpan } from "./preference-pair.ts";

/** The paper's question sampling: temperature 0.7, top-p 0.9. */
export const QUESTION_SAMPLING: Sampling = { temperature: 0.7, topP: 0.9, maxTokens: 512 };

/** Options of {@link generateQuestions}. */
export interface GenerateQuestionsOptions extends StageCommon {
  /** The `chunks.jsonl` of stage 1. */
  input: string;
  /** The `questions.jsonl` to append to. */
  output: string;
  generator: Generator;
  /** Seeds the chunk sample, the question pick, the framing phrase and each request's sampling seed. */
  seed: number;
  /** Default {@link QUESTION_SAMPLING}; the request seed is derived per chunk from `seed`. */
  sampling?: Partial<Sampling>;
  /** Ask about at most this many chunks per document, sampled with the seed; default: every chunk. */
  chunksPerDocument?: number;
  /** Requests handed to the generator at once; default 32. */
  batchSize?: number;
  /** Framing phrases to draw from; default {@link FRAMING_PHRASES}. */
  framings?: readonly string[];
  /** The question instruction with a `{passage}` placeholder; default `QUESTION_INSTRUCTION`. */
  template?: string;
  prompt?: PromptOptions;
}

interface WorkItem {
  docId: string;
  chunk: ChunkSpan;
  text: string;
}

/**
 * Stage 2: for each chosen chunk, ask the generator for four numbered questions, parse the reply with
 * {@link parseNumberedQuestions}, and append a {@link QuestionRecord}: kept (exactly four questions; one picked
 * with the seed and prefixed with a framing phrase drawn with the seed) or dropped with the reason. Chunks whose
 * key is already in `output` are skipped, so a killed run resumes where it stopped.
 * @returns the stage report; `dropped` counts chunks by reason (`"not-four-questions"`, `"generation-error"`)
 */
export async function generateQuestions(options: GenerateQuestionsOptions): Promise<StageReport> {
  const batchSize = checkBatchSize(options.batchSize ?? 32, "questions");
  const framings = options.framings ?? FRAMING_PHRASES;
  if (framings.length === 0) throw new RangeError("Cannot generate questions: framings must hold at least one phrase, got none");
  const sampling: Sampling = { ...QUESTION_SAMPLING, ...options.sampling };
  const done = await readKeys(options.output, QuestionRecord, (q) => q.key);
  const total = existsSync(options.input) ? await countWork(options) : 0;
  const progress = stageProgress("questions", options, Math.max(0, total - done.size));
  const out = openJsonlAppender(options.output);
  const dropped: Record<string, number> = {};
  try {
    const { written, skipped } = await runBatched({
      items: workItems(options),
      keyOf: (w) => chunkKey(w.docId, w.chunk.index),
      done,
      batchSize,
      out,
      progress,
      handle: async (batch) => {
        const requests: GenerateRequest[] = batch.map((w) => ({
          messages: questionMessages(w.text, { ...options.prompt, template: options.template }),
          sampling: { ...sampling, seed: sampling.seed ?? hashSeed(options.seed, "questions", w.docId, String(w.chunk.index)) >>> 1 },
        }));
        const results = await options.generator.generate(requests);
        return batch.map((w, i): QuestionRecord => {
          const key = chunkKey(w.docId, w.chunk.index);
          const result = results[i];
          const raw = result?.text ?? "";
          const base = { key, doc_id: w.docId, chunk: w.chunk, raw };
          if (result === undefined || result.finishReason === "error") {
            dropped["generation-error"] = (dropped["generation-error"] ?? 0) + 1;
            return { status: "dropped", ...base, reason: `generation-error: ${result?.error ?? "no result"}` };
          }
          const questions = parseNumberedQuestions(raw);
          if (questions.length !== 4) {
            dropped["not-four-questions"] = (dropped["not-four-questions"] ?? 0) + 1;
            return { status: "dropped", ...base, reason: `not-four-questions: parsed ${questions.length}` };
          }
          const random = mulberry32(hashSeed(options.seed, "pick", key)).next;
          const pick = Math.floor(random() * 4);
          const framing = framings[Math.floor(random() * framings.length)]!;
          return { status: "kept", ...base, questions, pick, framing, question: frameQuestion(framing, questions[pick]!) };
        });
      },
    });
    progress?.finish();
    stageLog(options)(`questions: ${written} chunk(s) written, ${skipped} already done, dropped ${JSON.stringify(dropped)}`);
    return { stage: "questions", written, skipped, dropped };
  } finally {
    out.close();
  }
}

function chosenChunks(doc: Extract<DocumentChunks, { status: "kept" }>, options: GenerateQuestionsOptions): ChunkSpan[] {
  const k = options.chunksPerDocument;
  if (k === undefined || k >= doc.chunks.length) return doc.chunks;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`Cannot generate questions: chunksPerDocument must be an integer ≥ 1, got ${k}`);
  return sampleIndices(doc.chunks.length, k, mulberry32(hashSeed(options.seed, "chunks", doc.id)).next).map((i) => doc.chunks[i]!);
}

async function* workItems(options: GenerateQuestionsOptions): AsyncGenerator<WorkItem> {
  for await (const doc of readJsonl(options.input, DocumentChunks)) {
    if (doc.status !== "kept") continue;
    for (const chunk of chosenChunks(doc, options)) yield { docId: doc.id, chunk, text: doc.text.slice(chunk.start, chunk.end) };
  }
}

async function countWork(options: GenerateQuestionsOptions): Promise<number> {
  let n = 0;
  for await (const doc of readJsonl(options.input, DocumentChunks)) if (doc.status === "kept") n += chosenChunks(doc, options).length;
  return n;
}
