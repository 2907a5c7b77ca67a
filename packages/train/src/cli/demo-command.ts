// `longpo demo` (LongPO vs SFT vs DPO on the shipped M0 and its synthetic world) and `longpo bootstrap` (rebuild M0).
import { readFile } from "node:fs/promises";
import { demoConfigHelp } from "../demo/demo-config-help.ts";
import { bootstrapM0, M0Recipe } from "../demo/m0-recipe.ts";
import { DemoConfig, runDemo } from "../demo/run-demo.ts";
import { DEFAULT_DEMO_ROWS, FULL_DEMO_ROWS } from "../demo/demo-rows.ts";
import { demoTable } from "../demo/demo-table.ts";
import type { BackendPreference } from "../model/backend.ts";
import { buildTrainConfig, TrainConfigError } from "../trainer/train-config.ts";
import { bool, type CommandSpec, optNum, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { BACKENDS, requireFile, requireFolder } from "./open-model.ts";
import { workersArg, workersOption } from "./workers-option.ts";
import { issueLine } from "./zod-issue.ts";

export const demoSpec: CommandSpec = {
  name: "demo",
  summary: "LongPO on the shipped short-context M0: eval, self-generated pairs, LongPO/SFT/DPO training, report",
  options: {
    quick: { kind: "boolean", description: "a CI-sized budget: every phase runs on a few examples, one training seed" },
    full: { kind: "boolean", description: `train the LongPO ablations too: rows ${FULL_DEMO_ROWS.join(", ")} (default ${DEFAULT_DEMO_ROWS.join(", ")})` },
    validation: { kind: "boolean", description: "score the rows on the validation set (validationSeed), to choose settings; the default reports the test set" },
    out: { kind: "string", description: "report and work folder (default runs/demo)" },
    model: { kind: "string", description: "M0 folder (default: the shipped packages/train/models/m0)" },
    config: { kind: "string", description: "JSON file of DemoConfig fields (listed below)" },
    "pair-seed": { kind: "integer", description: "DemoConfig.pairSeed: which documents pairs are made from (not the world, not the test set)" },
    "train-seeds": { kind: "string", description: "DemoConfig.trainSeeds, comma-separated: one training run per seed and row, the table reports their mean (default 1,2)" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    workers: workersOption,
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
  },
  notes: ["Example: longpo demo --quick", "", ...demoConfigHelp()],
};

function backendOf(name: string): BackendPreference {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new InputError(`Cannot select backend: --backend must be one of ${BACKENDS.join(", ")}, got "${name}"`);
  }
  return name as BackendPreference;
}

async function readJsonObject(path: string | undefined, what: string): Promise<Record<string, unknown>> {
  if (path === undefined) return {};
  await requireFile(path, what);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new InputError(`Cannot read ${what} ${path}: it must be valid JSON, got ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError(`Cannot read ${what} ${path}: it must be a JSON object`);
  return value as Record<string, unknown>;
}

function trainSeedsOf(raw: string): number[] {
  const seeds = raw.split(",").map((x) => x.trim());
  if (seeds.some((x) => !/^\d+$/.test(x))) {
    throw new InputError(`Cannot read --train-seeds: it must be comma-separated non-negative integers, got "${raw}"`);
  }
  return seeds.map(Number);
}

/** `longpo demo`. */
export async function demoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, demoSpec);
  const workers = workersArg(args);
  const config: Record<string, unknown> = { ...(await readJsonObject(optStr(args, "config"), "demo config")) };
  const out = optStr(args, "out");
  const model = optStr(args, "model");
  const seed = optNum(args, "pairSeed");
  const trainSeeds = optStr(args, "trainSeeds");
  if (out !== undefined) config.outDir = out;
  if (model !== undefined) {
    await requireFolder(model, "M0 model");
    config.modelDir = model;
  }
  if (seed !== undefined) config.pairSeed = seed;
  if (trainSeeds !== undefined) config.trainSeeds = trainSeedsOf(trainSeeds);
  if (bool(args, "full")) config.rows = [...FULL_DEMO_ROWS];
  if (bool(args, "validation")) config.evaluateOn = "validation";
  config.backend = backendOf(str(args, "backend"));
  if (config.workers === undefined || optNum(args, "workers") !== undefined) config.workers = workers;
  config.inference = str(args, "inference");
  const parsed = DemoConfig.safeParse(config);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const flags: Record<string, string> = { outDir: "--out", modelDir: "--model", pairSeed: "--pair-seed", trainSeeds: "--train-seeds", backend: "--backend" };
    const flag = flags[String(i?.path[0])];
    const file = optStr(args, "config");
    const from = flag !== undefined && argv.some((a) => a === flag || a.startsWith(`${flag}=`))
      ? ` (from the flag ${flag})`
      : file !== undefined && i?.code !== "unrecognized_keys"
      ? ` (from config file ${file})`
      : file !== undefined
      ? ` in config file ${file}`
      : "";
    throw new InputError(`Cannot read demo config: ${issueLine(DemoConfig, i)}${from}`);
  }
  lockOutput(parsed.data.outDir, "demo", io);
  const result = await runDemo({ quick: bool(args, "quick"), config, log: (line) => io.err(`demo: ${line}\n`) });
  io.out(`${demoTable(result.rows)}\n\nreport: ${result.reportDir} (${result.wallSeconds.toFixed(0)} s, backend ${result.backend})\n`);
  return EXIT.ok;
}

export const bootstrapSpec: CommandSpec = {
  name: "bootstrap",
  summary: "rebuild the demo's short-context M0 from its seed with longpo's own SFT trainer",
  options: {
    out: { kind: "string", default: "runs/m0", description: "work folder; the model lands in <out>/train/model" },
    recipe: { kind: "string", description: "JSON file of M0Recipe overrides (see src/demo/m0-recipe.ts)" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    workers: {
      ...workersOption,
      default: 1,
      description: "model replicas in worker threads for training, 1 to 64 (default 1: more change float rounding, so M0 is no longer byte for byte the shipped one)",
    },
  },
};

/** `longpo bootstrap`. */
export async function bootstrapCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, bootstrapSpec);
  const workers = workersArg(args);
  const file = optStr(args, "recipe");
  const recipe = await readJsonObject(file, "M0 recipe");
  // Check the whole recipe (its train fields too) now, not after the data is written.
  const parsed = M0Recipe.safeParse(recipe);
  if (!parsed.success) throw new InputError(`Cannot read M0 recipe ${file}: ${issueLine(M0Recipe, parsed.error.issues[0])}`);
  try {
    buildTrainConfig({ ...parsed.data.train, method: "sft" });
  } catch (e) {
    if (e instanceof TrainConfigError) throw new InputError(`Cannot read M0 recipe ${file}: in train, ${e.message.replace(/^Cannot read training config: /, "")}`);
    throw e;
  }
  lockOutput(str(args, "out"), "bootstrap", io);
  const r = await bootstrapM0({ outDir: str(args, "out"), recipe, backend: backendOf(str(args, "backend")), workers, log: (line) => io.err(`bootstrap: ${line}\n`) });
  io.out(`M0 in ${r.modelDir}: ${r.steps} steps in ${r.trainSeconds.toFixed(0)} s (${r.tokensPerSecond.toFixed(0)} tokens/s), backend ${r.backend}\n`);
  return EXIT.ok;
}
