// `longpo world-pairs`: M0 (or a model of its world) writes LongPO pairs on fresh documents of its world, offline.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@longpo/eval";
import { createProgress } from "@longpo/prefgen";
import { shippedM0Dir } from "../demo/run-demo.ts";
import { makeWorldPairs, type QuestionSource } from "../demo/world-pairs.ts";
import { bool, type CommandSpec, num, optNum, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { buildModel, readModelFolder, useBackend } from "./open-model.ts";
import { readWorld } from "./world-file.ts";

const QUESTIONS: readonly QuestionSource[] = ["self", "self-copy", "self-grounded", "template"];

export const worldPairsSpec: CommandSpec = {
  name: "world-pairs",
  summary: "LongPO pairs from the shipped M0 on documents of its world (the demo's pair generation; no server, no files needed)",
  options: {
    model: { kind: "string", description: "the short model π_S (default: the shipped packages/train/models/m0)" },
    out: { kind: "string", required: true, description: "PreferencePair JSONL to write (with reference log-probs)" },
    documents: { kind: "integer", default: 32, description: "long documents drawn (one pair each at most)" },
    chunks: { kind: "integer", default: 4, description: "chunks per long document (the length factor)" },
    "chunk-tokens": { kind: "integer", default: 64, description: "tokens per chunk (M0's trained length)" },
    turns: { kind: "integer", default: 4, description: "(chunk, question) turns per document, on distinct chunks" },
    questions: { kind: "string", default: "self-copy", description: `who writes the questions: ${QUESTIONS.join(", ")}` },
    "rope-theta": { kind: "number", description: "RoPE θ of the model writing the rejected answers on the long document (default the model's)" },
    "keep-identical": { kind: "boolean", description: "keep pairs whose chosen equals rejected on every turn" },
    seed: { kind: "integer", default: 1, description: "seed of the documents and their questions" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
  },
  notes: ["Example: longpo world-pairs --out runs/pairs.jsonl --documents 32   (then longpo train --pairs runs/pairs.jsonl ...)"],
};

/** `longpo world-pairs`. */
export async function worldPairsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, worldPairsSpec);
  const questions = str(args, "questions");
  if (!(QUESTIONS as readonly string[]).includes(questions)) {
    throw new InputError(`Cannot make world pairs: --questions must be one of ${QUESTIONS.join(", ")}, got "${questions}"`);
  }
  const dir = optStr(args, "model") ?? shippedM0Dir();
  const folder = await readModelFolder(dir);
  const world = await readWorld(dir);
  const backend = await useBackend(str(args, "backend"));
  io.err(`world-pairs: backend ${backend.name} (${backend.reason})\n`);
  const shortModel = buildModel(folder);
  const longModel = buildModel(folder, optNum(args, "ropeTheta"));
  try {
    const documents = num(args, "documents");
    const turns = num(args, "turns");
    const { pairs, stats } = await makeWorldPairs(world, shortModel, longModel, folder.tokenizer, {
      seed: num(args, "seed"),
      documents,
      chunks: num(args, "chunks"),
      chunkLength: num(args, "chunkTokens"),
      factsPerChunk: [2, 3],
      questions: questions as QuestionSource,
      turns,
      keepIdentical: bool(args, "keepIdentical"),
      progress: (phase, total) => createProgress(`world-pairs: ${phase}`, total),
    });
    io.err(
      `world-pairs: ${stats.pairs} pairs kept of ${stats.documents} documents, ${stats.turns} turns; questions grounded in their chunk ${stats.questionsGrounded} of ${stats.questionsWritten}; chosen answer right ${stats.chosenCorrect}, rejected right ${stats.rejectedCorrect} of ${stats.questionsKept} turns\n`,
    );
    if (pairs.length === 0) throw new Error("Cannot make world pairs: every document's answers were identical or empty (try more --documents, or --keep-identical)");
    const out = str(args, "out");
    await mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, pairs.map((p) => `${JSON.stringify(p)}\n`).join(""));
    io.out(`wrote ${pairs.length} pairs to ${out}\n`);
    return EXIT.ok;
  } finally {
    shortModel.dispose();
    longModel.dispose();
  }
}
