// Stage 3: chosen = answer from chunk + question, rejected = answer from the whole document + question.
import type { ChatMessage, GenerateRequest, GenerateResult, Generator, Sampling } from "./model-interfaces.ts";
import { hashSeed, openJsonlAppender, readJsonl, readKeys } from "@longpo/io";
import { PreferencePair, pairId, type PairTurn } from "./preference-pair.ts";
import { answerMessages, type PromptOptions } from "./prompts.ts";
import { checkBatchSize, runBatched, stageLog, stageProgress } from "./_stage.ts";
import { DocumentChunks, QuestionRecord, type StageCommon, type StageReport } from "./stage-records.ts";
import { QUESTION_SAMPLING } from "./generate-questions.ts";
import { PREFGEN_VERSION } from "./version.ts";

/** The paper's answer sampling: temperature 0.7, top-p 0.9. */
export const RESPONSE_SAMPLING: Sampling = { temperature: 0.7, topP: 0.9, maxTokens: 1024 };

/** Options of {@link generateResponses}. */
export interface GenerateResponsesOptions extends StageCommon {
  /** The `chunks.jsonl` of stage 1 (for the document and chunk texts). */
  chunks: string;
  /** The `questions.jsonl` of stage 2. */
  questions: string;
  /** The `responses.jsonl` to append pairs (not yet scored) to. */
  output: string;
  generator: Generator;
  /**
   * Writes the rejected answers from the long context; default `generator`. Set it to the same model served with
   * the policy's RoPE change (e.g. a second vLLM server with a larger `rope_theta` and context) when the short
   * model's window cannot hold the documents (DESIGN.md: "after the policy's RoPE change, when there is one").
   */
  longGenerator?: Generator;
  /** Seeds each request's sampling seed; recorded in provenance. */
  seed: number;
  /** LongPO self-evolution stage, recorded in provenance; default 1. */
  stage?: number;
  /** Default {@link RESPONSE_SAMPLING}. */
  sampling?: Partial<Sampling>;
  /** The question stage's sampling, recorded in provenance; default `QUESTION_SAMPLING`. */
  questionSampling?: Partial<Sampling>;
  /**
   * Turns per dialogue: 1 (default) makes single-turn pairs; n > 1 puts the questions of n consecutive chunks
   * (in document order) of one document into one dialogue. Leftover chunks (fewer than n) are dropped.
   */
  turns?: number;
  /** Dialogues per generator call (each needs two requests per turn); default 16. */
  batchSize?: number;
  /** The model name to record; default `generator.name`. */
  model?: string;
  prompt?: PromptOptions;
}

interface Dialogue {
  id: string;
  docId: string;
  text: string;
  records: Extract<QuestionRecord, { status: "kept" }>[];
  /** x_L of the first turn: the whole document + the first question. */
  promptLong: ChatMessage[];
}

/**
 * Stage 3: for every dialogue (one question, or n questions of one document), generate for each turn i
 * - chosen y_S,i from x_S,i = chunk_i + question_i alone (no history: the short model's view), and
 * - rejected y_L,i from the long dialogue: the whole document + question_1, then for later turns the previous
 *   rejected answers and the next question (the model's own long-context conversation);
 * and append a {@link PreferencePair} with `ref_*_logps` null. Pairs already in `output` are skipped.
 * @returns the stage report; `dropped` counts chunks left out of an incomplete dialogue (`"incomplete-dialogue"`)
 */
export async function generateResponses(options: GenerateResponsesOptions): Promise<StageReport> {
  const turns = options.turns ?? 1;
  if (!Number.isInteger(turns) || turns < 1) throw new RangeError(`Cannot generate responses: turns must be an integer ≥ 1, got ${turns}`);
  const batchSize = checkBatchSize(options.batchSize ?? 16, "responses");
  const sampling: Sampling = { ...RESPONSE_SAMPLING, ...options.sampling };
  const stage = options.stage ?? 1;
  const longGenerator = options.longGenerator ?? options.generator;
  const provenance = {
    model: options.model ?? options.generator.name,
    reference_model: null,
    seed: options.seed,
    stage,
    sampling: { questions: { ...QUESTION_SAMPLING, ...options.questionSampling }, responses: sampling },
    prefgen: PREFGEN_VERSION,
  };

  const byDoc = new Map<string, Extract<QuestionRecord, { status: "kept" }>[]>();
  for await (const q of readJsonl(options.questions, QuestionRecord)) {
    if (q.status !== "kept") continue;
    const list = byDoc.get(q.doc_id) ?? [];
    list.push(q);
    byDoc.set(q.doc_id, list);
  }
  let leftovers = 0;
  for (const list of byDoc.values()) {
    list.sort((a, b) => a.chunk.index - b.chunk.index);
    leftovers += list.length % turns;
  }
  const done = await readKeys(options.output, PreferencePair, (p) => p.id);
  const totalDialogues = [...byDoc.values()].reduce((s, l) => s + Math.floor(l.length / turns), 0);
  const progress = stageProgress("responses", options, Math.max(0, totalDialogues - done.size));
  const out = openJsonlAppender(options.output);

  const seedFor = (kind: string, id: string, turn: number): number => sampling.seed ?? hashSeed(options.seed, kind, id, String(turn)) >>> 1;

  const handle = async (batch: Dialogue[]): Promise<PreferencePair[]> => {
    const history: ChatMessage[][] = batch.map(() => []);
    const results: { chosen: GenerateResult; rejected: GenerateResult; short: ChatMessage[] }[][] = batch.map(() => []);
    for (let t = 0; t < turns; t += 1) {
      const shortRequests: GenerateRequest[] = [];
      const longRequests: GenerateRequest[] = [];
      const shorts: ChatMessage[][] = [];
      batch.forEach((d, i) => {
        const record = d.records[t]!;
        const short = answerMessages(d.text.slice(record.chunk.start, record.chunk.end), record.question, options.prompt);
        shorts.push(short);
        const long = t === 0 ? [...d.promptLong] : [...history[i]!, { role: "user" as const, content: record.question }];
        history[i] = long;
        shortRequests.push({ messages: short, sampling: { ...sampling, seed: seedFor("chosen", d.id, t) } });
        longRequests.push({ messages: long, sampling: { ...sampling, seed: seedFor("rejected", d.id, t) } });
      });
      const [chosenResults, rejectedResults] = await (longGenerator === options.generator
        ? options.generator.generate([...shortRequests, ...longRequests]).then((all) => [all.slice(0, shortRequests.length), all.slice(shortRequests.length)])
        : Promise.all([options.generator.generate(shortRequests), longGenerator.generate(longRequests)]));
      if (chosenResults?.length !== batch.length || rejectedResults?.length !== batch.length) {
        throw new RangeError(`Cannot generate responses: a generator must return one result per request, got ${chosenResults?.length} and ${rejectedResults?.length} for ${batch.length} each`);
      }
      batch.forEach((_, i) => {
        const rejected = rejectedResults[i]!;
        results[i]!.push({ chosen: chosenResults[i]!, rejected, short: shorts[i]! });
        history[i]!.push({ role: "assistant", content: rejected.text });
      });
    }
    return batch.map((d, i) => {
      const turnsOut: PairTurn[] = d.records.map((record, t) => {
        const r = results[i]![t]!;
        return {
          chunk: record.chunk,
          question: record.question,
          prompt_short: r.short,
          chosen: r.chosen.text,
          rejected: r.rejected.text,
          chosen_finish: r.chosen.finishReason,
          rejected_finish: r.rejected.finishReason,
          prompt_short_tokens: r.chosen.promptTokens,
          prompt_long_tokens: r.rejected.promptTokens,
          chosen_tokens: r.chosen.completionTokens,
          rejected_tokens: r.rejected.completionTokens,
          ref_chosen_logps: null,
          ref_rejected_logps: null,
        };
      });
      const first = turnsOut[0]!;
      const last = turnsOut.at(-1)!;
      return {
        id: d.id,
        doc_id: d.docId,
        prompt_long: d.promptLong,
        prompt_short: first.prompt_short,
        chosen: last.chosen,
        rejected: last.rejected,
        ref_chosen_logps: null,
        ref_rejected_logps: null,
        turns: turnsOut,
        tokens: {
          prompt_long: first.prompt_long_tokens,
          prompt_short: turnsOut.reduce((s, t) => s + t.prompt_short_tokens, 0),
          chosen: turnsOut.reduce((s, t) => s + t.chosen_tokens, 0),
          rejected: turnsOut.reduce((s, t) => s + t.rejected_tokens, 0),
        },
        provenance,
      };
    });
  };

  async function* dialogues(): AsyncGenerator<Dialogue> {
    for await (const doc of readJsonl(options.chunks, DocumentChunks)) {
      const list = doc.status === "kept" ? byDoc.get(doc.id) : undefined;
      if (doc.status !== "kept" || list === undefined) continue;
      for (let at = 0; at + turns <= list.length; at += turns) {
        const records = list.slice(at, at + turns);
        const id = pairId(doc.id, records.map((r) => r.chunk), records.map((r) => r.question));
        yield { id, docId: doc.id, text: doc.text, records, promptLong: answerMessages(doc.text, records[0]!.question, options.prompt) };
      }
    }
  }

  try {
    const { written, skipped } = await runBatched({ items: dialogues(), keyOf: (d) => d.id, done, batchSize, out, progress, handle });
    progress?.finish();
    const dropped: Record<string, number> = leftovers > 0 ? { "incomplete-dialogue": leftovers } : {};
    stageLog(options)(`responses: ${written} pair(s) written, ${skipped} already done, dropped ${JSON.stringify(dropped)}`);
    return { stage: "responses", written, skipped, dropped };
  } finally {
    out.close();
  }
}
