/**
 * @module
 * @longpo/prefgen: LongPO's data engine. Documents → chunks → a question per chunk → the chosen answer on the
 * chunk and the rejected answer on the whole document → filters → pairs with reference log-probs, as JSONL that
 * survives being killed. Defines the `Generator`/`Scorer` interfaces it needs and the `PreferencePair` schema the
 * trainer reads.
 *
 * @example
 * ```ts
 * import { PreferencePair, longDialogue, pairId } from "@longpo/prefgen";
 *
 * const id = pairId("doc-1", [{ start: 0, end: 12 }], ["According to the passage above, who sailed?"]);
 * const pair = PreferencePair.parse({
 *   id, doc_id: "doc-1",
 *   prompt_long: [{ role: "user", content: "Ahab sailed. Ishmael wrote.\n\nAccording to the passage above, who sailed?" }],
 *   prompt_short: [{ role: "user", content: "Ahab sailed.\n\nAccording to the passage above, who sailed?" }],
 *   chosen: "Ahab.", rejected: "Ishmael.", ref_chosen_logps: null, ref_rejected_logps: null,
 *   turns: [{ chunk: { index: 0, start: 0, end: 12, tokens: 3 }, question: "According to the passage above, who sailed?",
 *     prompt_short: [{ role: "user", content: "Ahab sailed.\n\nAccording to the passage above, who sailed?" }],
 *     chosen: "Ahab.", rejected: "Ishmael.", chosen_finish: "stop", rejected_finish: "stop",
 *     prompt_short_tokens: 12, prompt_long_tokens: 15, chosen_tokens: 2, rejected_tokens: 2,
 *     ref_chosen_logps: null, ref_rejected_logps: null }],
 *   tokens: { prompt_long: 15, prompt_short: 12, chosen: 2, rejected: 2 },
 *   provenance: { model: "toy", reference_model: null, seed: 0, stage: 1, prefgen: "0.1.0",
 *     sampling: { questions: { temperature: 0.7, topP: 0.9, maxTokens: 512 }, responses: { temperature: 0.7, topP: 0.9, maxTokens: 1024 } } },
 * });
 * console.log(longDialogue(pair, "chosen").at(-1)); // { role: "assistant", content: "Ahab." }
 * ```
 */
export { ChatMessage, Sampling } from "./model-interfaces.ts";
export type { FinishReason, GenerateRequest, GenerateResult, Generator, ScoreRequest, ScoreResult, Scorer } from "./model-interfaces.ts";
export { ChunkSpan, PairTurn, PreferencePair, Provenance, longDialogue, pairId, shortDialogue } from "./preference-pair.ts";
// The JSONL primitives and their error live in @longpo/io; re-exported here, the error under its former name too.
export { countLines, JsonlError, JsonlError as PreferenceDataError, openJsonlAppender, readJsonl, readJsonlEntries, readKeys, repairJsonl } from "@longpo/io";
export type { JsonlAppender, JsonlAppenderOptions, ReadJsonlOptions } from "@longpo/io";
export { exportTrl, toTrlRow } from "./export-trl.ts";
export type { TrlConversationalRow, TrlExportOptions, TrlExportSummary, TrlStandardRow } from "./export-trl.ts";

export { FRAMING_PHRASES, frameQuestion, parseNumberedQuestions } from "./parse-questions.ts";
export { QUESTION_INSTRUCTION, answerMessages, questionMessages } from "./prompts.ts";
export type { PromptOptions } from "./prompts.ts";
export {
  REFUSAL_PATTERNS, applyFilters, defaultFilters, degenerateFilter, emptyFilter, identicalFilter, overLengthFilter,
  realWordCount, refusalFilter, repeatRatio, summarizeVerdicts, words,
} from "./filters.ts";
export type { DefaultFilterOptions, DegenerateOptions, FilterSummary, FilterVerdict, OverLengthOptions, PairFilter, RefusalOptions } from "./filters.ts";
export { createProgress, formatDuration, silentProgress, startOverallProgress } from "./progress.ts";
export type { OverallProgress, OverallStep, Progress, ProgressOptions, ProgressSink } from "./progress.ts";
export { DocumentChunks, QuestionRecord, SourceDocument, chunkKey } from "./stage-records.ts";
export type { StageCommon, StageReport } from "./stage-records.ts";
export { chunkDocuments, readDocuments } from "./chunk-documents.ts";
export type { ChunkDocumentsOptions, DocumentSource } from "./chunk-documents.ts";
export { QUESTION_SAMPLING, generateQuestions } from "./generate-questions.ts";
export type { GenerateQuestionsOptions } from "./generate-questions.ts";
export { RESPONSE_SAMPLING, generateResponses } from "./generate-responses.ts";
export type { GenerateResponsesOptions } from "./generate-responses.ts";
export { filterPairs } from "./filter-pairs.ts";
export type { FilterPairsOptions } from "./filter-pairs.ts";
export { scoreBatch, scorePairs } from "./score-pairs.ts";
export type { ScorePairsOptions } from "./score-pairs.ts";
export { pipelineFiles, runPipeline } from "./run-pipeline.ts";
export type { PipelineOptions } from "./run-pipeline.ts";
export { createOpenAIModel } from "./create-openai-model.ts";
export type { OpenAIModelOptions } from "./create-openai-model.ts";
export { createTransformersModel } from "./create-transformers-model.ts";
export type {
  TransformersCausalLMLike, TransformersModel, TransformersModelOptions, TransformersModuleLike, TransformersTokenizerLike,
} from "./create-transformers-model.ts";
export { PREFGEN_VERSION } from "./version.ts";
