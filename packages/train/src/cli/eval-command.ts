// `longpo eval`: long-context tasks (passkey, niah, the demo world's QA) on model folders, with a report folder each.
import { basename, join } from "node:path";
import { markdownReport, niahTask, passkeyTask, runSuite, type SuiteResult, type Task, writeReport } from "@longpo/eval";
import { type InferenceModel, llamaEvalModel } from "../adapters/llama-adapters.ts";
import { DEFAULT_DEPTHS, worldQaTask } from "../demo/world-qa-task.ts";
import type { World } from "../demo/world.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import { createProgress } from "@longpo/prefgen";
import { type CommandSpec, num, optNum, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { evalScoreTable, promptTexts } from "./eval-table.ts";
import { openEngine, type OpenedModel, readModelFolder, requireFile, useBackend } from "./open-model.ts";
import type { PreferencePair } from "@longpo/prefgen";
import { readPreferencePairs } from "../trainer/preference-pairs.ts";
import { pairPreferenceTask } from "./pair-preference-task.ts";
import { warnUnknownTokens } from "./unknown-tokens.ts";
import { readWorld } from "./world-file.ts";
import type { ReplicaPool } from "../parallel/replica-pool.ts";
import { workersArg, workersOption } from "./workers-option.ts";
import { replicaPoolFor } from "../parallel/replica-pool-for.ts";

export const evalSpec: CommandSpec = {
  name: "eval",
  summary: "evaluate model folders on long-context tasks (passkey, niah, world-qa) and write a report folder each",
  options: {
    model: { kind: "string", required: true, description: "Hugging Face model folder; several, comma-separated, give one table row each" },
    out: { kind: "string", required: true, description: "report folder (results.json, results.md, charts); one subfolder per model when several" },
    tasks: { kind: "string", default: "passkey", description: "comma-separated: passkey, niah, world-qa (the demo world's QA, for M0 and models trained from it), pair-preference (needs --pairs)" },
    pairs: { kind: "string", description: "pair-preference: PreferencePair JSONL (held-out pairs); scores whether the model prefers chosen over rejected on the long prompt" },
    lengths: { kind: "string", default: "128,256", description: "comma-separated prompt lengths in tokens (world-qa: document tokens)" },
    depths: { kind: "string", description: "comma-separated depths in percent of the answer in the document (niah, world-qa; default the task's own: world-qa 12.5,37.5,62.5,87.5)" },
    world: { kind: "string", description: "world-qa: the M0 recipe JSON whose world to ask about (default <model>/m0-recipe.json when present, else the shipped M0's world)" },
    samples: { kind: "integer", default: 2, description: "examples per length (and depth)" },
    "max-new-tokens": { kind: "integer", default: 16, min: 1, description: "tokens generated per answer" },
    "rope-theta": { kind: "number", description: "evaluate with this RoPE θ" },
    seed: { kind: "integer", default: 0, description: "seed of the generated examples" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
    workers: workersOption,
  },
};

/** Options of {@link runEval}. */
export interface EvalRunOptions {
  folder: OpenedModel;
  out: string;
  tasks: readonly string[];
  lengths: readonly number[];
  samples: number;
  maxNewTokens: number;
  ropeTheta?: number;
  seed: number;
  name: string;
  depths?: readonly number[];
  world?: World;
  pairs?: readonly PreferencePair[];
  /** Inference engine (see `--inference`); default auto. */
  inference?: string;
  /** Where the fallback note goes; default nowhere. */
  note?: (line: string) => void;
  /** Model replicas in worker threads that share the generation batches (default 1: this thread). */
  workers?: number;
}

/** What {@link buildTasks} needs beyond names and lengths: depths, and the world for `world-qa`. */
export interface TaskOptions {
  depths?: readonly number[];
  /** Required by `world-qa`. */
  world?: World;
  /** Required by `pair-preference`. */
  pairs?: readonly PreferencePair[];
}

/** Parse "128,256" into positive integers. */
export function parseLengths(text: string): number[] {
  const lengths = text.split(",").map((s) => Number(s.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InputError(`Cannot evaluate: --lengths must be comma-separated positive integers, got "${text}"`);
  }
  return lengths;
}

/** Parse "12.5,50" into depths in [0, 100]. */
export function parseDepths(text: string): number[] {
  const depths = text.split(",").map((s) => Number(s.trim()));
  if (depths.some((d) => !Number.isFinite(d) || d < 0 || d > 100)) {
    throw new InputError(`Cannot evaluate: --depths must be comma-separated percentages in [0, 100], got "${text}"`);
  }
  return depths;
}

/** The eval task names {@link buildTasks} knows. */
export const TASK_NAMES = ["passkey", "niah", "world-qa", "pair-preference"] as const;

/** The eval tasks by name, sized in the model's tokens. */
export function buildTasks(tok: ChatTokenizer, names: readonly string[], lengths: readonly number[], samples: number, seed: number, options: TaskOptions = {}): Task[] {
  return names.map((t) => {
    const common = { tokenizer: tok, lengths, samples, seed };
    if (t === "passkey") return passkeyTask(common);
    if (t === "niah") return niahTask(options.depths === undefined ? common : { ...common, depths: options.depths });
    if (t === "world-qa") {
      if (options.world === undefined) throw new InputError("Cannot evaluate world-qa: no world given (an M0 recipe)");
      return worldQaTask(options.world, { seed, lengths, examplesPerCell: samples, depths: options.depths ?? DEFAULT_DEPTHS });
    }
    if (t === "pair-preference") {
      if (options.pairs === undefined) throw new InputError("Cannot evaluate pair-preference: --pairs must name a pair file");
      return pairPreferenceTask(options.pairs, tok);
    }
    throw new InputError(`Cannot evaluate: --tasks must name ${TASK_NAMES.join(", ")}, got "${t}"`);
  });
}

/** Run a suite on a live model (greedy, answers capped at `maxNewTokens`). */
export async function evaluateModel(
  model: InferenceModel,
  tok: ChatTokenizer,
  tasks: Task[],
  maxNewTokens: number,
  name: string,
  pool?: ReplicaPool,
): Promise<SuiteResult> {
  const inner = llamaEvalModel(model, tok, { name, ...(pool === undefined ? {} : { pool }) });
  // Cap generated tokens: answers are short, and tiny models rarely stop on their own.
  const capped = { ...inner, generate: (p: Parameters<typeof inner.generate>[0], s: Parameters<typeof inner.generate>[1] = {}) =>
    inner.generate(p, { ...s, maxTokens: Math.min(s.maxTokens ?? maxNewTokens, maxNewTokens) }) };
  const bars = new Map<string, ReturnType<typeof createProgress>>();
  return runSuite(capped, { name: "longpo-eval", tasks }, {
    onProgress: (e) => {
      let bar = bars.get(e.task);
      if (bar === undefined) {
        bar = createProgress(`eval ${e.task}`, e.total);
        bars.set(e.task, bar);
      }
      bar.update(e.done);
      if (e.status !== "running") bar.finish();
    },
  });
}

/** Mean of every metric of every completed task, keyed "<task>/<metric>". */
export function suiteScores(result: SuiteResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of result.tasks) if (t.status === "completed") for (const [m, v] of Object.entries(t.metrics)) out[`${t.task}/${m}`] = v.mean;
  return out;
}

/** Build the suite, run it, write the report; returns the Markdown table and the files written. */
export async function runEval(o: EvalRunOptions): Promise<{ markdown: string; files: string[] }> {
  const { result, files } = await runEvalSuite(o);
  return { markdown: markdownReport(result), files };
}

/** {@link runEval}'s work, returning the suite result too; `io` receives the unknown-token warning. */
async function runEvalSuite(o: EvalRunOptions, io?: CliIo): Promise<{ result: SuiteResult; files: string[] }> {
  const tok = o.folder.tokenizer;
  const tasks = buildTasks(tok, o.tasks, o.lengths, o.samples, o.seed, {
    ...(o.depths === undefined ? {} : { depths: o.depths }),
    ...(o.world === undefined ? {} : { world: o.world }),
    ...(o.pairs === undefined ? {} : { pairs: o.pairs }),
  });
  if (io !== undefined) warnUnknownTokens(io, "eval", o.name, tok, promptTexts(tasks));
  const model = await openEngine(o.folder, o.inference ?? "auto", o.note ?? (() => {}), o.ropeTheta);
  // Worker replicas serve the TF.js engine; ONNX Runtime runs its own threads.
  const pool = "engine" in model ? undefined : await replicaPoolFor(model, o.workers ?? 1);
  try {
    const result = await evaluateModel(model, tok, tasks, o.maxNewTokens, o.name, pool);
    const files = await writeReport(o.out, result); // SVG and PNG, as writeReport documents
    return { result, files };
  } finally {
    await pool?.close();
    await model.dispose();
  }
}

/** The pairs of --pairs, for the pair-preference task. */
async function readPairsFile(path: string | undefined): Promise<PreferencePair[]> {
  if (path === undefined) throw new InputError("Cannot evaluate pair-preference: --pairs must name a PreferencePair JSONL file");
  await requireFile(path, "pair file");
  const pairs = await readPreferencePairs(path);
  if (pairs.length === 0) throw new InputError(`Cannot evaluate pair-preference: found no pairs in ${path} (looked for PreferencePair JSONL lines; it holds none)`);
  return pairs;
}

/** Report folder of the i-th of several models: `<out>/<i>-<folder name>`. */
function modelOutDir(out: string, dir: string, i: number, count: number): string {
  return count === 1 ? out : join(out, `${i + 1}-${basename(dir).replace(/[^A-Za-z0-9._-]+/g, "-")}`);
}

/** `longpo eval`. */
export async function evalCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, evalSpec);
  const workers = workersArg(args);
  lockOutput(str(args, "out"), "eval", io);
  const lengths = parseLengths(str(args, "lengths"));
  const depthsText = optStr(args, "depths");
  const depths = depthsText === undefined ? undefined : parseDepths(depthsText);
  const tasks = str(args, "tasks").split(",").map((s) => s.trim());
  for (const t of tasks) {
    if (!(TASK_NAMES as readonly string[]).includes(t)) throw new InputError(`Cannot evaluate: --tasks must name ${TASK_NAMES.join(", ")}, got "${t}"`);
  }
  const dirs = str(args, "model").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (dirs.length === 0) throw new InputError("Cannot evaluate: --model must name a model folder, got none");
  const folders: OpenedModel[] = [];
  for (const dir of dirs) folders.push(await readModelFolder(dir));
  const worldFile = optStr(args, "world");
  const pairs = tasks.includes("pair-preference") ? await readPairsFile(optStr(args, "pairs")) : undefined;
  const backend = await useBackend(str(args, "backend"));
  io.err(`eval: backend ${backend.name} (${backend.reason})\n`);
  const ropeTheta = optNum(args, "ropeTheta");
  const rows: { model: string; result: SuiteResult }[] = [];
  const written: string[] = [];
  for (const [i, folder] of folders.entries()) {
    const world = tasks.includes("world-qa") ? await readWorld(worldFile ?? folder.dir) : undefined;
    const { result, files } = await runEvalSuite({
      folder,
      out: modelOutDir(str(args, "out"), folder.dir, i, folders.length),
      tasks,
      lengths,
      samples: num(args, "samples"),
      maxNewTokens: num(args, "maxNewTokens"),
      ...(ropeTheta === undefined ? {} : { ropeTheta }),
      seed: num(args, "seed"),
      name: folder.dir,
      ...(depths === undefined ? {} : { depths }),
      ...(world === undefined ? {} : { world }),
      ...(pairs === undefined ? {} : { pairs }),
      workers,
      inference: str(args, "inference"),
      note: (line) => io.err(`eval: ${line}\n`),
    }, io);
    rows.push({ model: folder.dir, result });
    written.push(...files);
    if (folders.length === 1) io.out(`${markdownReport(result)}\n`);
  }
  io.out(`${evalScoreTable(rows, lengths)}\n\nwrote ${written.join(", ")}\n`);
  return EXIT.ok;
}
