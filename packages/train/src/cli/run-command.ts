// `longpo run`: LongPO self-evolution, stage after stage of prefgen → train → eval, each stage's trained model
// generating the next stage's data at a longer length.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildTrainConfig, describeTrainConfig, TrainConfig, TrainConfigError } from "../trainer/train-config.ts";
import { bool, type CommandSpec, num, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { parseLengths, runEval } from "./eval-command.ts";
import { readModelFolder, requireFolder, useBackend } from "./open-model.ts";
import { readQuestions, runPrefgen } from "./prefgen-command.ts";
import { readConfigFile, trainFromFiles } from "./train-command.ts";
import { workersArg, workersOption } from "./workers-option.ts";

export const runSpec: CommandSpec = {
  name: "run",
  summary: "self-evolution: stages of prefgen → train → eval, each trained model making the next, longer stage's data",
  allowExtra: true,
  extraKeys: Object.keys(TrainConfig.shape),
  options: {
    model: { kind: "string", required: true, description: "the starting short-context model folder" },
    documents: { kind: "string", required: true, description: "long documents: a folder of .txt/.md, a .jsonl of { id, text }, or a text file" },
    out: { kind: "string", required: true, description: "run folder: stage-<k>/{prefgen,train,eval}" },
    stages: { kind: "integer", default: 1, description: "how many stages" },
    "chunk-tokens": { kind: "integer", default: 128, description: "chunk length of stage 1 in tokens" },
    "length-factor": { kind: "number", default: 2, description: "each stage multiplies the chunk length by this" },
    "rope-theta-factor": { kind: "number", default: 1, description: "each stage multiplies the policy's RoPE θ by this (1: unchanged)" },
    "chunks-per-document": { kind: "integer", default: 1, description: "chunks asked about per document" },
    "max-new-tokens": { kind: "integer", default: 32, min: 1, description: "most tokens per generated question list / answer" },
    temperature: { kind: "number", default: 0.7, description: "sampling temperature of prefgen" },
    questions: { kind: "string", description: "questions file for models that cannot write questions (see longpo prefgen --help)" },
    "keep-truncated": { kind: "boolean", description: "keep pairs whose answers hit --max-new-tokens (tiny models rarely stop)" },
    config: { kind: "string", description: "TrainConfig JSON for every stage's training; --<field> overrides" },
    "eval-tasks": { kind: "string", default: "passkey", description: "comma-separated eval tasks (passkey, niah)" },
    "eval-lengths": { kind: "string", description: "comma-separated eval lengths (default: max(256, 4 × the stage chunk length))" },
    "eval-samples": { kind: "integer", default: 1, description: "eval examples per length" },
    seed: { kind: "integer", default: 0, description: "seed of prefgen and eval" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    workers: workersOption,
  },
  notes: ["Training config fields (--<field> <value>) apply to every stage:", ...describeTrainConfig()],
};

/** `longpo run`. */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, runSpec);
  const workers = workersArg(args);
  lockOutput(str(args, "out"), "run", io);
  const baseConfig = await readConfigFile(optStr(args, "config"));
  try {
    buildTrainConfig(baseConfig, args.extra, optStr(args, "config")); // validate once, before anything is written
  } catch (e) {
    if (e instanceof TrainConfigError) throw new InputError(e.message);
    throw e;
  }
  await requireFolder(str(args, "model"), "model");
  const questions = await readQuestions(optStr(args, "questions"));
  const evalLengths = optStr(args, "evalLengths") === undefined ? undefined : parseLengths(str(args, "evalLengths"));
  const backend = await useBackend(str(args, "backend"));
  io.err(`run: backend ${backend.name} (${backend.reason})\n`);
  const out = str(args, "out");
  let modelDir = str(args, "model");
  const summary: Record<string, unknown>[] = [];
  for (let stage = 1; stage <= num(args, "stages"); stage++) {
    const stageDir = join(out, `stage-${stage}`);
    const folder = await readModelFolder(modelDir);
    const chunkTokens = Math.round(num(args, "chunkTokens") * num(args, "lengthFactor") ** (stage - 1));
    const ropeTheta = num(args, "ropeThetaFactor") === 1 ? undefined : folder.config.ropeTheta * num(args, "ropeThetaFactor");
    io.err(`run: stage ${stage}: model ${modelDir}, chunks of ${chunkTokens} tokens${ropeTheta === undefined ? "" : `, policy RoPE θ ${ropeTheta}`}\n`);
    const { pairs, count } = await runPrefgen({
      folder, documents: str(args, "documents"), out: join(stageDir, "prefgen"), chunkTokens,
      chunksPerDocument: num(args, "chunksPerDocument"), turns: 1, minChunks: 2, maxNewTokens: num(args, "maxNewTokens"),
      temperature: num(args, "temperature"), topP: 0.9, ...(ropeTheta === undefined ? {} : { ropeTheta }),
      ...(questions === undefined ? {} : { questions }), keepTruncated: bool(args, "keepTruncated"), seed: num(args, "seed") + stage, stage, batchSize: 4, workers, io,
    });
    if (count === 0) {
      io.err(`longpo run: stage ${stage} produced no pairs (see ${join(stageDir, "prefgen")}); nothing to train on\n`);
      return EXIT.failed;
    }
    const overrides: Record<string, string> = { ...args.extra, outputDir: join(stageDir, "train") };
    if (ropeTheta !== undefined) overrides.ropeTheta = String(ropeTheta);
    const { config } = buildTrainConfig(baseConfig, overrides);
    const trained = await trainFromFiles({ modelDir, pairsFile: pairs, config, workers, io });
    if (trained.status !== "completed") {
      io.err(`longpo run: stage ${stage}: ${trained.status === "diverged" ? trained.error : `stopped at step ${trained.step}`}\n`);
      return trained.status === "stopped" ? EXIT.interrupted : EXIT.failed;
    }
    const trainedFolder = await readModelFolder(trained.modelDir);
    const report = await runEval({
      folder: trainedFolder, out: join(stageDir, "eval"), tasks: str(args, "evalTasks").split(","),
      lengths: evalLengths ?? [Math.max(256, chunkTokens * 4)], samples: num(args, "evalSamples"), maxNewTokens: 16,
      seed: num(args, "seed"), name: `stage-${stage}`, workers,
    });
    summary.push({ stage, model: modelDir, pairs: count, chunkTokens, trainedModel: trained.modelDir, steps: trained.steps, lastMetrics: trained.lastMetrics, report: join(stageDir, "eval") });
    io.out(`stage ${stage}: ${count} pairs, ${trained.steps} steps, model ${trained.modelDir}\n${report.markdown}\n`);
    modelDir = trained.modelDir;
  }
  await writeFile(join(out, "run.json"), `${JSON.stringify({ stages: summary }, null, 2)}\n`);
  io.out(`run complete: ${join(out, "run.json")}\n`);
  return EXIT.ok;
}
