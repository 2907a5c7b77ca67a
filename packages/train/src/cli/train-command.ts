// `longpo train`: PreferencePair JSONL + a model folder → LongPO / DPO / SFT training with checkpoints.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { llamaPolicy, assignWeights } from "../adapters/llama-policy.ts";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { createProgress } from "@longpo/prefgen";
import { onTerminate } from "../runtime.ts";
import { pairDialogues, readPreferencePairs } from "../trainer/preference-pairs.ts";
import { attachReferenceLogps, referenceCacheKey } from "../trainer/reference-logps.ts";
import { buildTrainConfig, describeLongpoDefaults, describeTrainConfig, methodNeedsReference, TrainConfig, TrainConfigError } from "../trainer/train-config.ts";
import { type TrainResult, train } from "../trainer/trainer.ts";
import { buildTrainingExample } from "../trainer/training-example.ts";
import { bool, type CommandSpec, num, optStr, parseArgs, str } from "./args.ts";
import { buildTasks, evaluateModel, parseLengths, suiteScores } from "./eval-command.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { buildModel, readModelFolder, requireFile, requireFolder, useBackend } from "./open-model.ts";
import { workersArg, workersOption } from "./workers-option.ts";
import { replicaPoolFor } from "../parallel/replica-pool-for.ts";

export const trainSpec: CommandSpec = {
  name: "train",
  summary: "train a model on preference pairs with LongPO, DPO, SFT or another preference loss",
  allowExtra: true,
  extraKeys: Object.keys(TrainConfig.shape),
  options: {
    model: { kind: "string", required: true, description: "Hugging Face model folder: the starting policy and the frozen reference" },
    pairs: { kind: "string", required: true, description: "PreferencePair JSONL file (from longpo prefgen)" },
    config: { kind: "string", description: "JSON file of TrainConfig fields; --<field> <value> overrides any of them" },
    resume: { kind: "boolean", description: "continue from the newest checkpoint of the output folder that loads and is finite" },
    "allow-config-change": { kind: "boolean", description: "let --resume continue with a config that differs from the checkpoint's" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    "checkpoint-layers": { kind: "boolean", description: "recompute layers in the backward pass (long sequences)" },
    "eval-tasks": { kind: "string", default: "passkey", description: "tasks run every --evalEvery steps (passkey, niah)" },
    "eval-lengths": { kind: "string", default: "256", description: "comma-separated lengths of those evaluations" },
    "eval-samples": { kind: "integer", default: 1, description: "examples per length of those evaluations" },
    workers: workersOption,
  },
  notes: [...describeLongpoDefaults(), "", "Training config fields (--<field> <value>, also kebab-case):", ...describeTrainConfig()],
};

/** Inputs of {@link trainFromFiles}. */
export interface TrainFromFilesOptions {
  modelDir: string;
  pairsFile: string;
  config: TrainConfig;
  resume?: boolean;
  /** With `resume`: accept a config that differs from the checkpoint's (both are kept). */
  allowConfigChange?: boolean;
  checkpointLayers?: boolean;
  /** Evaluation every `config.evalEvery` steps (none when evalEvery is 0). */
  evaluation?: { tasks: readonly string[]; lengths: readonly number[]; samples: number };
  /** Model replicas in worker threads for reference scoring and data-parallel training (default 1: this thread). */
  workers?: number;
  io: CliIo;
}

/** sha256 of a model folder's config and weight files: the reference model's identity in the cache key. */
async function hashModelFolder(dir: string): Promise<string> {
  const h = createHash("sha256");
  const names = (await readdir(dir)).filter((n) => n === "config.json" || n.endsWith(".safetensors")).sort();
  for (const n of names) h.update(n).update(await readFile(join(dir, n)));
  return h.digest("hex");
}

/**
 * Everything `longpo train` does after parsing: validate inputs (nothing is written before they pass),
 * tokenize, attach reference log-probs (file → cache → computed), train, save.
 */
export async function trainFromFiles(o: TrainFromFilesOptions): Promise<TrainResult> {
  const { config, io } = o;
  await requireFolder(o.modelDir, "model");
  await requireFile(o.pairsFile, "pair file");
  const pairs = await readPreferencePairs(o.pairsFile);
  if (pairs.length === 0) throw new InputError(`Cannot train: ${o.pairsFile} must hold at least one pair, got none`);
  const folder = await readModelFolder(o.modelDir);
  const referenceInput = config.method === "longpo" ? "short" : "long";
  const all = pairs.map((p) => buildTrainingExample(folder.tokenizer, pairDialogues(p), referenceInput));
  const examples = all.filter((e) => {
    const longest = Math.max(e.chosen.ids.length, e.rejected.ids.length);
    if (longest > config.maxLength) return false;
    if (config.maxPromptLength !== undefined) {
      const prompt = e.chosen.labelMask.indexOf(1);
      if (prompt > config.maxPromptLength) return false;
    }
    return true;
  });
  if (examples.length < all.length) io.err(`train: dropped ${all.length - examples.length} of ${all.length} pairs longer than maxLength ${config.maxLength}\n`);
  if (examples.length === 0) throw new InputError(`Cannot train: every pair of ${o.pairsFile} is longer than maxLength ${config.maxLength}`);
  const padId = folder.tokenizer.padTokenId ?? folder.config.padTokenId ?? folder.tokenizer.eosTokenId ?? 0;

  let withRefs = examples;
  if (methodNeedsReference(config.method)) {
    const missing = examples.filter((e) => e.refChosenLogps === undefined).length;
    if (missing > 0) {
      const key = referenceCacheKey(await hashModelFolder(o.modelDir), await readFile(o.pairsFile), referenceInput);
      const cachePath = `${o.pairsFile}.ref-${key.slice(0, 16)}.json`;
      const reference = buildModel(folder);
      const referencePool = await replicaPoolFor(reference, o.workers ?? 1, {}, (l) => io.err(`train: ${l}\n`));
      try {
        const r = await attachReferenceLogps(examples, referencePool ?? llamaPolicy(reference), {
          padId,
          cachePath,
          cacheKey: key,
          progress: createProgress(
            `reference log-probs (${referenceInput} input)`,
            examples.filter((e) => e.refChosenLogps === undefined).reduce((n, e) => n + e.refChosen.length + e.refRejected.length, 0),
          ),
        });
        withRefs = r.examples;
        io.err(`train: reference log-probs: ${examples.length - missing} from the pair file, ${missing - r.computed} from ${cachePath}, ${r.computed} computed\n`);
      } finally {
        await referencePool?.close();
        reference.dispose();
      }
    }
  }

  const model = buildModel(folder, config.ropeTheta);
  const forward = o.checkpointLayers === true ? { checkpointLayers: true } : {};
  const policy = llamaPolicy(model, forward);
  const pool = await replicaPoolFor(model, o.workers ?? 1, forward, (l) => io.err(`train: ${l}\n`));
  if (pool !== undefined) io.err(`train: data-parallel over ${pool.size} workers\n`);
  let stopRequested = false;
  const unregister = onTerminate((signal) => {
    io.err(`train: ${signal} received, saving a checkpoint after this step\n`);
    stopRequested = true;
  });
  try {
    return await train({
      config,
      policy,
      examples: withRefs,
      padId,
      resume: o.resume === true,
      allowConfigChange: o.allowConfigChange === true,
      vocabSize: model.config.vocabSize,
      onWarning: (message) => io.err(`train: warning: ${message}\n`),
      saveModel: async (dir) => saveCheckpoint(dir, { config: model.config, weights: await model.readWeights() }, { tokenizerFrom: o.modelDir }),
      loadWeights: async (dir) => assignWeights(model, (await loadCheckpoint(dir)).weights),
      shouldStop: () => stopRequested,
      ...(pool === undefined ? {} : { gradients: pool }),
      ...(o.evaluation === undefined || config.evalEvery === 0
        ? {}
        : {
          evaluate: async (step: number) => {
            const ev = o.evaluation as NonNullable<TrainFromFilesOptions["evaluation"]>;
            const tasks = buildTasks(folder.tokenizer, ev.tasks, ev.lengths, ev.samples, config.seed);
            const scores = suiteScores(await evaluateModel(model, folder.tokenizer, tasks, 16, `step-${step}`));
            io.err(`train: eval at step ${step}: ${JSON.stringify(scores)}\n`);
            return scores;
          },
        }),
      progress: createProgress(`train ${config.method}`, config.maxSteps ?? Math.max(1, Math.ceil((Math.ceil(withRefs.length / config.batchSize) * config.epochs) / config.gradientAccumulation))),
    });
  } finally {
    unregister();
    await pool?.close();
    model.dispose();
  }
}

/** Read a config file (JSON object) for --config. */
export async function readConfigFile(path: string | undefined): Promise<unknown> {
  if (path === undefined) return {};
  await requireFile(path, "training config");
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new InputError(`Cannot read training config ${path}: it must be valid JSON, got ${(e as Error).message}`);
  }
}

/** `longpo train`. */
export async function trainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, trainSpec);
  const workers = workersArg(args);
  let built: { config: TrainConfig; applied: string[] };
  try {
    built = buildTrainConfig(await readConfigFile(optStr(args, "config")), args.extra, optStr(args, "config"));
  } catch (e) {
    if (e instanceof TrainConfigError) throw new InputError(e.message);
    throw e;
  }
  for (const line of built.applied) io.err(`train: override ${line}\n`);
  lockOutput(built.config.outputDir, "train", io);
  await requireFolder(str(args, "model"), "model");
  await requireFile(str(args, "pairs"), "pair file");
  const backend = await useBackend(str(args, "backend"));
  io.err(`train: backend ${backend.name} (${backend.reason})\n`);
  const result = await trainFromFiles({
    modelDir: str(args, "model"),
    pairsFile: str(args, "pairs"),
    config: built.config,
    resume: bool(args, "resume"),
    allowConfigChange: bool(args, "allowConfigChange"),
    checkpointLayers: bool(args, "checkpointLayers"),
    workers,
    evaluation: { tasks: str(args, "evalTasks").split(",").map((t) => t.trim()), lengths: parseLengths(str(args, "evalLengths")), samples: num(args, "evalSamples") },
    io,
  });
  if (result.status === "diverged") {
    io.err(`longpo train: ${result.error}\n`);
    return EXIT.failed;
  }
  if (result.status === "stopped") {
    io.err(`train: stopped at step ${result.step}; resume with --resume (checkpoint ${result.checkpoint})\n`);
    return EXIT.interrupted;
  }
  const m = result.lastMetrics;
  io.out(`trained ${result.steps} steps; model in ${result.modelDir}; metrics in ${join(built.config.outputDir, "metrics.jsonl")}${m === undefined ? "" : `; last loss ${m.loss.toFixed(4)}`}\n`);
  return EXIT.ok;
}
