// `longpo prefgen`: documents → chunks → questions → chosen (chunk) / rejected (whole document) → filtered, scored pairs.
import { readFile } from "node:fs/promises";
import { hashString } from "@longpo/io";
import { defaultFilters, type GenerateRequest, type Generator, pipelineFiles, QUESTION_INSTRUCTION, runPipeline } from "@longpo/prefgen";
import { type InferenceModel, llamaGenerator, llamaScorer } from "../adapters/llama-adapters.ts";
import { bool, type CommandSpec, num, optNum, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { openEngine, type OpenedModel, readModelFolder, requireFile, useBackend } from "./open-model.ts";
import type { ReplicaPool } from "../parallel/replica-pool.ts";
import { workersArg, workersOption } from "./workers-option.ts";
import { replicaPoolFor } from "../parallel/replica-pool-for.ts";
import { requireDocuments } from "./require-documents.ts";

export const prefgenSpec: CommandSpec = {
  name: "prefgen",
  summary: "generate short-to-long preference pairs with a model (questions, chosen on the chunk, rejected on the document)",
  options: {
    model: { kind: "string", required: true, description: "the short-context model π_S (generator and reference)" },
    documents: { kind: "string", required: true, description: "a folder of .txt/.md files, a .jsonl of { id, text }, or one text file" },
    out: { kind: "string", required: true, description: "folder for the stage files; pairs.jsonl is the result (re-running resumes)" },
    "chunk-tokens": { kind: "integer", default: 256, description: "most tokens per chunk (the short model's window less room for Q&A)" },
    "chunks-per-document": { kind: "integer", default: 1, description: "chunks asked about per document" },
    turns: { kind: "integer", default: 1, description: "(chunk, question) turns per dialogue" },
    "min-chunks": { kind: "integer", default: 2, description: "skip documents with fewer chunks (too short to be long)" },
    "max-new-tokens": { kind: "integer", default: 64, min: 1, description: "most tokens per question list and per answer" },
    temperature: { kind: "number", default: 0.7, description: "sampling temperature (paper: 0.7)" },
    "top-p": { kind: "number", default: 0.9, description: "nucleus mass (paper: 0.9)" },
    "rope-theta": { kind: "number", description: "RoPE θ of the model that writes the rejected answers on the long document" },
    questions: { kind: "string", description: "text file of questions (one per line) to use instead of model-written ones" },
    "keep-truncated": { kind: "boolean", description: "keep pairs whose answers hit --max-new-tokens (tiny models rarely stop)" },
    seed: { kind: "integer", default: 0, description: "seed of question picks and sampling" },
    stage: { kind: "integer", default: 1, description: "self-evolution stage recorded in provenance" },
    "batch-size": { kind: "integer", default: 4, min: 1, description: "sequences generated or scored together" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
    workers: workersOption,
  },
  notes: [
    "--questions helps models that cannot write a numbered list of questions (e.g. stories260K): each question",
    "prompt is answered with four consecutive questions of the file, starting at a line chosen by a hash of the",
    "prompt (so a resumed run asks what an uninterrupted one would), and the pipeline picks one as usual.",
  ],
};

/**
 * Answer prefgen's question prompts with questions from a list (four consecutive ones, from a line chosen by
 * FNV-1a of the prompt's text), pass every other request to `inner`. For models that cannot write questions;
 * documented on `--questions`. The answer depends on the prompt alone, never on what came before, so a run
 * killed and resumed writes the same questions as an uninterrupted one (issue 14, defect 4).
 */
export function withFixedQuestions(inner: Generator, questions: readonly string[]): Generator {
  const head = QUESTION_INSTRUCTION.slice(QUESTION_INSTRUCTION.indexOf("{passage}") + "{passage}".length).trim().slice(0, 60);
  return {
    name: `${inner.name}+fixed-questions`,
    async generate(requests: GenerateRequest[]) {
      const isQuestion = (r: GenerateRequest) => r.messages.at(-1)?.content.includes(head) === true;
      const passOn = requests.filter((r) => !isQuestion(r));
      const answers = passOn.length > 0 ? await inner.generate(passOn) : [];
      let k = 0;
      return requests.map((r) => {
        if (!isQuestion(r)) return answers[k++] as Awaited<ReturnType<Generator["generate"]>>[number];
        const start = hashString(r.messages.map((m) => m.content).join("\n")) % questions.length;
        const four = [0, 1, 2, 3].map((i) => `${i + 1}: ${questions[(start + i) % questions.length]}`);
        return { text: four.join("\n"), finishReason: "stop" as const, promptTokens: 0, completionTokens: 0 };
      });
    },
  };
}

/** Options of {@link runPrefgen} (the CLI flags, typed). */
export interface PrefgenRunOptions {
  folder: OpenedModel;
  documents: string;
  out: string;
  chunkTokens: number;
  chunksPerDocument: number;
  turns: number;
  minChunks: number;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  ropeTheta?: number;
  questions?: readonly string[];
  keepTruncated?: boolean;
  seed: number;
  stage: number;
  batchSize: number;
  /** Model replicas in worker threads that share generation and scoring batches (default 1: this thread). */
  workers?: number;
  io: CliIo;
  /** Inference engine (see `--inference`); default auto. */
  inference?: string;
}

/** Run the prefgen pipeline with the TF.js model; returns the pairs file and how many pairs it holds. */
export async function runPrefgen(o: PrefgenRunOptions): Promise<{ pairs: string; count: number }> {
  const documents = await requireDocuments(o.documents);
  const note = (line: string) => o.io.err(`prefgen: ${line}\n`);
  const model = await openEngine(o.folder, o.inference ?? "auto", note);
  let longModel: InferenceModel | undefined;
  const pools: ReplicaPool[] = [];
  // Worker replicas serve the TF.js engine; ONNX Runtime runs its own threads.
  const poolOf = async (m: InferenceModel) => {
    const pool = "engine" in m ? undefined : await replicaPoolFor(m, o.workers ?? 1, {}, note);
    if (pool !== undefined) pools.push(pool);
    return pool === undefined ? {} : { pool };
  };
  try {
    const name = o.folder.dir;
    const shortPool = await poolOf(model);
    let generator: Generator = llamaGenerator(model, o.folder.tokenizer, { name, batchSize: o.batchSize, ...shortPool });
    if (o.questions !== undefined) generator = withFixedQuestions(generator, o.questions);
    let longGenerator: Generator | undefined;
    if (o.ropeTheta !== undefined) {
      longModel = await openEngine(o.folder, o.inference ?? "auto", note, o.ropeTheta);
      longGenerator = llamaGenerator(longModel, o.folder.tokenizer, { name: `${name}@rope${o.ropeTheta}`, batchSize: o.batchSize, ...(await poolOf(longModel)) });
    }
    const sampling = { temperature: o.temperature, topP: o.topP, maxTokens: o.maxNewTokens };
    const { files, filter } = await runPipeline({
      documents: o.documents,
      outDir: o.out,
      tokenizer: o.folder.tokenizer,
      chunk: { maxTokens: o.chunkTokens },
      generator,
      ...(longGenerator === undefined ? {} : { longGenerator }),
      scorer: llamaScorer(model, o.folder.tokenizer, { name, batchSize: o.batchSize, ...shortPool }),
      seed: o.seed,
      stage: o.stage,
      minChunks: o.minChunks,
      chunksPerDocument: o.chunksPerDocument,
      turns: o.turns,
      questionSampling: sampling,
      responseSampling: sampling,
      batchSize: o.batchSize,
      ...(o.keepTruncated === true ? { filters: defaultFilters({ overLength: { dropTruncated: false } }) } : {}),
      log: (line) => o.io.err(`prefgen: ${line}\n`),
    });
    const text = await readFile(files.pairs, "utf8").catch(() => "");
    const count = text.split("\n").filter((l) => l.trim() !== "").length;
    o.io.err(`prefgen: ${count} pairs in ${files.pairs}${filter === undefined ? "" : ` (filter: ${JSON.stringify(filter)})`}\n`);
    if (count === 0) {
      throw new Error(`Cannot make pairs: none of the ${documents} documents of ${o.documents} gave a pair kept by the filters (see the stage summaries above; documents of fewer than --min-chunks chunks of --chunk-tokens are dropped)`);
    }
    return { pairs: files.pairs, count };
  } finally {
    for (const p of pools) await p.close();
    await model.dispose();
    await longModel?.dispose();
  }
}

/** Read a --questions file: one question per non-empty line. */
export async function readQuestions(path: string | undefined): Promise<string[] | undefined> {
  if (path === undefined) return undefined;
  await requireFile(path, "questions");
  const qs = (await readFile(path, "utf8")).split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (qs.length === 0) throw new InputError(`Cannot read questions: ${path} must hold at least one line, got none`);
  return qs;
}

/** `longpo prefgen`. */
export async function prefgenCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, prefgenSpec);
  const workers = workersArg(args);
  lockOutput(str(args, "out"), "prefgen", io); // first, as every writing command (the lock test gives no inputs)
  await requireDocuments(str(args, "documents"));
  const questions = await readQuestions(optStr(args, "questions"));
  const folder = await readModelFolder(str(args, "model"));
  const backend = await useBackend(str(args, "backend"));
  io.err(`prefgen: backend ${backend.name} (${backend.reason})\n`);
  const ropeTheta = optNum(args, "ropeTheta");
  const { pairs, count } = await runPrefgen({
    folder,
    documents: str(args, "documents"),
    out: str(args, "out"),
    chunkTokens: num(args, "chunkTokens"),
    chunksPerDocument: num(args, "chunksPerDocument"),
    turns: num(args, "turns"),
    minChunks: num(args, "minChunks"),
    maxNewTokens: num(args, "maxNewTokens"),
    temperature: num(args, "temperature"),
    topP: num(args, "topP"),
    ...(ropeTheta === undefined ? {} : { ropeTheta }),
    ...(questions === undefined ? {} : { questions }),
    keepTruncated: bool(args, "keepTruncated"),
    seed: num(args, "seed"),
    stage: num(args, "stage"),
    batchSize: num(args, "batchSize"),
    workers,
    io,
    inference: str(args, "inference"),
  });
  io.out(`wrote ${count} pairs to ${pairs} (${pipelineFiles(str(args, "out")).pairs})\n`);
  return EXIT.ok;
}
