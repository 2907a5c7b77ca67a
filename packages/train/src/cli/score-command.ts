// `longpo score`: fill a pair file's reference log-probs (each turn's answers on its short prompt) with a model.
import { writeFileAtomic } from "@longpo/io";
import { scoreBatch } from "@longpo/prefgen";
import { llamaScorer } from "../adapters/llama-adapters.ts";
import { createProgress } from "@longpo/prefgen";
import { readPreferencePairs } from "../trainer/preference-pairs.ts";
import { type CommandSpec, num, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { openEngine, readModelFolder, requireFile, useBackend } from "./open-model.ts";
import { workersArg, workersOption } from "./workers-option.ts";
import { replicaPoolFor } from "../parallel/replica-pool-for.ts";
import { warnUnknownTokens } from "./unknown-tokens.ts";

export const scoreSpec: CommandSpec = {
  name: "score",
  summary: "write reference log-probs (ref_chosen_logps, ref_rejected_logps) into a pair file with a frozen model",
  options: {
    model: { kind: "string", required: true, description: "the reference model folder (π_S)" },
    pairs: { kind: "string", required: true, description: "PreferencePair JSONL to score" },
    out: { kind: "string", required: true, description: "scored JSONL to write (may equal --pairs)" },
    "batch-size": { kind: "integer", default: 8, min: 1, description: "pairs per scoring call" },
    workers: workersOption,
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
  },
};

/** `longpo score`. */
export async function scoreCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, scoreSpec);
  const workers = workersArg(args);
  await requireFile(str(args, "pairs"), "pair file");
  const pairs = await readPreferencePairs(str(args, "pairs"));
  if (pairs.length === 0) throw new InputError(`Cannot score: found no pairs in ${str(args, "pairs")} (looked for PreferencePair JSONL lines; it holds none)`);
  const folder = await readModelFolder(str(args, "model"));
  const backend = await useBackend(str(args, "backend"));
  io.err(`score: backend ${backend.name} (${backend.reason})\n`);
  const texts = pairs.flatMap((p) => p.turns.flatMap((t) => [...t.prompt_short.map((m) => m.content), t.chosen, t.rejected]));
  warnUnknownTokens(io, "score", str(args, "model"), folder.tokenizer, texts);
  const model = await openEngine(folder, str(args, "inference"), (line) => io.err(`score: ${line}\n`));
  // Worker replicas serve the TF.js engine; ONNX Runtime runs its own threads.
  const pool = "engine" in model ? undefined : await replicaPoolFor(model, workers, {}, (l) => io.err(`score: ${l}\n`));
  try {
    const scorer = llamaScorer(model, folder.tokenizer, { name: str(args, "model"), ...(pool === undefined ? {} : { pool }) });
    const bar = createProgress("score", pairs.length);
    const scored = [];
    const bs = num(args, "batchSize");
    for (let i = 0; i < pairs.length; i += bs) {
      scored.push(...(await scoreBatch(pairs.slice(i, i + bs), scorer)));
      bar.update(scored.length);
    }
    bar.finish();
    const out = str(args, "out");
    await writeFileAtomic(out, scored.map((p) => `${JSON.stringify(p)}\n`).join(""));
    io.out(`scored ${scored.length} pairs into ${out}\n`);
    return EXIT.ok;
  } finally {
    await pool?.close();
    await model.dispose();
  }
}
