// The JSONL line schemas between stages (documents → chunks → questions → pairs) and what every stage reports.
import { z } from "zod";
import { ChunkSpan } from "./preference-pair.ts";
import type { ProgressOptions } from "./progress.ts";

/** An input document: JSONL lines `{ id, text }`, or one per `.txt`/`.md` file (id = path in the folder). */
export const SourceDocument = z.object({ id: z.string().min(1), text: z.string() });
/** An input document. */
export type SourceDocument = z.infer<typeof SourceDocument>;

/**
 * A line of `chunks.jsonl`: a document with its chunk spans (`text.slice(start, end)` is a chunk's text), or a
 * dropped document and why. Dropped documents are written too, so a resumed run does not chunk them again.
 */
export const DocumentChunks = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("kept"),
    id: z.string().min(1),
    text: z.string().describe("the whole document: the long context C_L"),
    tokens: z.number().int().min(0).describe("Σ chunk tokens: the document's tokens when chunks do not overlap"),
    chunks: z.array(ChunkSpan).min(1),
  }),
  z.object({ status: z.literal("dropped"), id: z.string().min(1), reason: z.string() }),
]);
/** A line of `chunks.jsonl`. */
export type DocumentChunks = z.infer<typeof DocumentChunks>;

/**
 * A line of `questions.jsonl`: one chunk's question request and its outcome. `key` is `<doc id>#<chunk index>`.
 * Kept when exactly four questions parsed: `question` is the framing phrase + the picked one.
 */
export const QuestionRecord = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("kept"),
    key: z.string(),
    doc_id: z.string(),
    chunk: ChunkSpan,
    questions: z.array(z.string()).length(4),
    pick: z.number().int().min(0).max(3),
    framing: z.string(),
    question: z.string().describe("the instruction as asked: framing + questions[pick]"),
    raw: z.string().describe("the model's reply"),
  }),
  z.object({
    status: z.literal("dropped"),
    key: z.string(),
    doc_id: z.string(),
    chunk: ChunkSpan,
    reason: z.string(),
    raw: z.string(),
  }),
]);
/** A line of `questions.jsonl`. */
export type QuestionRecord = z.infer<typeof QuestionRecord>;

/** The key of a chunk's question record. */
export function chunkKey(docId: string, chunkIndex: number): string {
  return `${docId}#${chunkIndex}`;
}

/** Options every stage takes. */
export interface StageCommon {
  /** Progress display options, or `false` for no progress and no summary lines. */
  progress?: ProgressOptions | false;
  /** Receives each stage's one-line summary (written, resumed, dropped by reason); default: standard error. */
  log?: (line: string) => void;
}

/** What a stage did in this run. */
export interface StageReport {
  stage: "chunks" | "questions" | "responses" | "filter" | "score";
  /** Lines appended in this run (kept and dropped records alike for chunks and questions). */
  written: number;
  /** Items whose output line was already there (resumed). */
  skipped: number;
  /** Items dropped in this run, by reason. */
  dropped: Record<string, number>;
}
