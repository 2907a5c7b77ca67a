// `longpo demo`: the embedded default run (M0, self-generated pairs, LongPO vs SFT vs DPO, short and long QA).
import { readFile } from "node:fs/promises";
import { demoTable, runDemo } from "../demo/run-demo.ts";
import { bool, type CommandSpec, optNum, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { BACKENDS } from "./open-model.ts";

export const demoSpec: CommandSpec = {
  name: "demo",
  summary: "run LongPO on the embedded world with the shipped M0, next to SFT and DPO, and write a report",
  options: {
    quick: { kind: "boolean", description: "a CI-sized budget: every phase runs on a few examples" },
    out: { kind: "string", default: "runs/demo", description: "report and work folder (report/ holds summary.md, summary.json, charts)" },
    model: { kind: "string", description: "M0 folder (default: the shipped packages/train/models/m0)" },
    config: { kind: "string", description: "JSON file of demo settings (see DemoConfig: pairDocuments, train.steps, questions, ...)" },
    seed: { kind: "integer", description: "seed of documents, pairs and data order (default 1)" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
  },
  notes: ["Example: longpo demo --quick", "Example: longpo demo --out runs/demo --backend wasm"],
};

/** `longpo demo`. */
export async function demoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, demoSpec);
  const backend = str(args, "backend");
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new InputError(`Cannot run the demo: --backend must be one of ${BACKENDS.join(", ")}, got "${backend}"`);
  }
  const file = optStr(args, "config");
  let config: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new InputError(`Cannot read demo config ${file}: it must be a readable JSON file, got ${(e as Error).message}`);
    }
  }
  config.outDir = str(args, "out");
  config.backend = backend;
  const model = optStr(args, "model");
  if (model !== undefined) config.modelDir = model;
  const seed = optNum(args, "seed");
  if (seed !== undefined) config.seed = seed;
  const result = await runDemo({ quick: bool(args, "quick"), config, log: (line) => io.err(`${line}\n`) });
  io.out(`${demoTable(result.rows)}\n\nreport: ${result.reportDir} (wall ${result.wallSeconds.toFixed(0)} s)\n`);
  return EXIT.ok;
}
