// `longpo eval`: long-context tasks of @longpo/eval on a model folder, with a report folder (JSON, Markdown, charts).
import { markdownReport, niahTask, passkeyTask, runSuite, type SuiteResult, type Task, writeReport } from "@longpo/eval";
import { type InferenceModel, llamaEvalModel } from "../adapters/llama-adapters.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import { createProgress } from "@longpo/prefgen";
import { type CommandSpec, num, optNum, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { lockOutput } from "./output-lock.ts";
import { openEngine, type OpenedModel, readModelFolder, useBackend } from "./open-model.ts";

export const evalSpec: CommandSpec = {
  name: "eval",
  summary: "evaluate a model folder on long-context tasks (passkey, niah) and write a report folder",
  options: {
    model: { kind: "string", required: true, description: "Hugging Face model folder" },
    out: { kind: "string", required: true, description: "report folder (results.json, results.md, charts)" },
    tasks: { kind: "string", default: "passkey", description: "comma-separated: passkey, niah" },
    lengths: { kind: "string", default: "128,256", description: "comma-separated prompt lengths in tokens" },
    samples: { kind: "integer", default: 2, description: "examples per length (and depth)" },
    "max-new-tokens": { kind: "integer", default: 16, min: 1, description: "tokens generated per answer" },
    "rope-theta": { kind: "number", description: "evaluate with this RoPE θ" },
    seed: { kind: "integer", default: 0, description: "seed of the generated examples" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
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
  /** Inference engine (see `--inference`); default auto. */
  inference?: string;
  /** Where the fallback note goes; default nowhere. */
  note?: (line: string) => void;
}

/** Parse "128,256" into positive integers. */
export function parseLengths(text: string): number[] {
  const lengths = text.split(",").map((s) => Number(s.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InputError(`Cannot evaluate: --lengths must be comma-separated positive integers, got "${text}"`);
  }
  return lengths;
}

/** The eval tasks by name, sized in the model's tokens. */
export function buildTasks(tok: ChatTokenizer, names: readonly string[], lengths: readonly number[], samples: number, seed: number): Task[] {
  return names.map((t) => {
    const common = { tokenizer: tok, lengths, samples, seed };
    if (t === "passkey") return passkeyTask(common);
    if (t === "niah") return niahTask(common);
    throw new InputError(`Cannot evaluate: --tasks must name passkey or niah, got "${t}"`);
  });
}

/** Run a suite on a live model (greedy, answers capped at `maxNewTokens`). */
export async function evaluateModel(model: InferenceModel, tok: ChatTokenizer, tasks: Task[], maxNewTokens: number, name: string): Promise<SuiteResult> {
  const inner = llamaEvalModel(model, tok, { name });
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
  const tok = o.folder.tokenizer;
  const tasks = buildTasks(tok, o.tasks, o.lengths, o.samples, o.seed);
  const model = await openEngine(o.folder, o.inference ?? "auto", o.note ?? (() => {}), o.ropeTheta);
  try {
    const result = await evaluateModel(model, tok, tasks, o.maxNewTokens, o.name);
    const files = await writeReport(o.out, result); // SVG and PNG, as writeReport documents
    return { markdown: markdownReport(result), files };
  } finally {
    await model.dispose();
  }
}

/** `longpo eval`. */
export async function evalCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, evalSpec);
  lockOutput(str(args, "out"), "eval", io);
  const lengths = parseLengths(str(args, "lengths"));
  const folder = await readModelFolder(str(args, "model"));
  const backend = await useBackend(str(args, "backend"));
  io.err(`eval: backend ${backend.name} (${backend.reason})\n`);
  const ropeTheta = optNum(args, "ropeTheta");
  const { markdown, files } = await runEval({
    folder,
    out: str(args, "out"),
    tasks: str(args, "tasks").split(",").map((s) => s.trim()),
    lengths,
    samples: num(args, "samples"),
    maxNewTokens: num(args, "maxNewTokens"),
    ...(ropeTheta === undefined ? {} : { ropeTheta }),
    seed: num(args, "seed"),
    name: str(args, "model"),
    inference: str(args, "inference"),
    note: (line) => io.err(`eval: ${line}\n`),
  });
  io.out(`${markdown}\nwrote ${files.join(", ")}\n`);
  return EXIT.ok;
}
