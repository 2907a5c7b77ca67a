// All five stages in order, each resuming from its own file: documents in, scored preference pairs out.
import { join } from "node:path";
import type { ChunkOptions, Tokenizer } from "@longpo/compress";
import { chunkDocuments, type DocumentSource } from "./chunk-documents.ts";
import type { FilterSummary, PairFilter } from "./filters.ts";
import { filterPairs } from "./filter-pairs.ts";
import { generateQuestions } from "./generate-questions.ts";
import { generateResponses } from "./generate-responses.ts";
import type { Generator, Sampling, Scorer } from "./model-interfaces.ts";
import type { PromptOptions } from "./prompts.ts";
import { scorePairs } from "./score-pairs.ts";
import type { StageCommon, StageReport } from "./stage-records.ts";

/** Options of {@link runPipeline}. */
export interface PipelineOptions extends StageCommon {
  documents: DocumentSource;
  /** Folder for the five stage files; re-running with the same folder resumes. */
  outDir: string;
  /** The short model's tokenizer, for chunking. */
  tokenizer: Tokenizer;
  /** Chunk sizes (`maxTokens`: the short model's window less room for question and answer). */
  chunk: ChunkOptions;
  /** The short model π_S that writes questions and answers. */
  generator: Generator;
  /** Writes the rejected answers from the whole document (π_S after the RoPE change); default `generator`. */
  longGenerator?: Generator;
  /** The frozen reference (normally the same π_S) that scores answers on the short prompts. */
  scorer: Scorer;
  /** Default 0. */
  seed?: number;
  /** LongPO self-evolution stage recorded in provenance; default 1. */
  stage?: number;
  minChunks?: number;
  chunksPerDocument?: number;
  turns?: number;
  questionSampling?: Partial<Sampling>;
  responseSampling?: Partial<Sampling>;
  /** Requests per generator call in the question stage, dialogues per call in the response stage, pairs per
   * scorer call; default 32 / 16 / 16. */
  batchSize?: number;
  filters?: readonly PairFilter[];
  prompt?: PromptOptions;
}

/** The stage files of a pipeline folder. */
export function pipelineFiles(outDir: string): { chunks: string; questions: string; responses: string; filtered: string; pairs: string } {
  return {
    chunks: join(outDir, "chunks.jsonl"),
    questions: join(outDir, "questions.jsonl"),
    responses: join(outDir, "responses.jsonl"),
    filtered: join(outDir, "filtered.jsonl"),
    pairs: join(outDir, "pairs.jsonl"),
  };
}

/**
 * Run documents → chunks → questions → responses → filter → reference scores, writing
 * `chunks.jsonl`, `questions.jsonl`, `responses.jsonl`, `filtered.jsonl` and `pairs.jsonl` (the
 * {@link PreferencePair}s with `ref_*_logps`) under `outDir`. Killed at any moment, the same call resumes:
 * every stage skips what its file already holds.
 * @example
 * ```ts
 * const model = createOpenAIModel({ baseURL: "http://localhost:8000/v1", model: "mistral-7b-instruct" });
 * const { files, filter } = await runPipeline({ documents: "docs/", outDir: "out", tokenizer, chunk: { maxTokens: 3000 }, generator: model, scorer: model, seed: 1 });
 * ```
 */
export async function runPipeline(options: PipelineOptions): Promise<{ files: ReturnType<typeof pipelineFiles>; reports: StageReport[]; filter: FilterSummary }> {
  const files = pipelineFiles(options.outDir);
  const seed = options.seed ?? 0;
  const common: StageCommon = { progress: options.progress, log: options.log };
  const reports: StageReport[] = [];
  reports.push(await chunkDocuments({ ...common, documents: options.documents, output: files.chunks, tokenizer: options.tokenizer, chunk: options.chunk, minChunks: options.minChunks }));
  reports.push(
    await generateQuestions({
      ...common, input: files.chunks, output: files.questions, generator: options.generator, seed,
      sampling: options.questionSampling, chunksPerDocument: options.chunksPerDocument, batchSize: options.batchSize, prompt: options.prompt,
    }),
  );
  reports.push(
    await generateResponses({
      ...common, chunks: files.chunks, questions: files.questions, output: files.responses, generator: options.generator,
      longGenerator: options.longGenerator, seed,
      stage: options.stage, sampling: options.responseSampling, questionSampling: options.questionSampling, turns: options.turns,
      batchSize: options.batchSize === undefined ? undefined : Math.max(1, Math.ceil(options.batchSize / 2)), prompt: options.prompt,
    }),
  );
  const filtered = await filterPairs({ ...common, input: files.responses, output: files.filtered, filters: options.filters });
  reports.push(filtered);
  reports.push(await scorePairs({ ...common, input: files.filtered, output: files.pairs, scorer: options.scorer, batchSize: options.batchSize === undefined ? undefined : Math.max(1, Math.ceil(options.batchSize / 2)) }));
  return { files, reports, filter: filtered.summary };
}
