// `longpo bootstrap`: rebuild M0 from its recipe with the project's trainer (SFT from random weights).
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bootstrapM0 } from "../demo/m0-recipe.ts";
import { shippedM0Dir } from "../demo/run-demo.ts";
import { bool, type CommandSpec, optStr, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { BACKENDS } from "./open-model.ts";

export const bootstrapSpec: CommandSpec = {
  name: "bootstrap",
  summary: "train M0, the embedded short-context chat model, from scratch (seeded; the shipped one is its output)",
  options: {
    out: { kind: "string", default: "runs/m0", description: "work folder: init/, m0-sft.jsonl, train/, m0-report.json" },
    recipe: { kind: "string", description: "JSON file of M0Recipe overrides (default: the shipped M0's recipe)" },
    ship: { kind: "boolean", description: "copy the result over the shipped M0 (packages/train/models/m0)" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
  },
  notes: ["Example: longpo bootstrap --out runs/m0"],
};

/** `longpo bootstrap`. */
export async function bootstrapCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, bootstrapSpec);
  const backend = str(args, "backend");
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new InputError(`Cannot bootstrap M0: --backend must be one of ${BACKENDS.join(", ")}, got "${backend}"`);
  }
  const file = optStr(args, "recipe");
  let recipe: unknown = {};
  if (file !== undefined) {
    try {
      recipe = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      throw new InputError(`Cannot read M0 recipe ${file}: it must be a readable JSON file, got ${(e as Error).message}`);
    }
  }
  const started = Date.now();
  const result = await bootstrapM0({ outDir: str(args, "out"), recipe: recipe as never, backend: backend as never, log: (l) => io.err(`${l}\n`) });
  const wallSeconds = (Date.now() - started) / 1000;
  const { modelDir, recipe: used, ...measured } = result;
  io.out(`${JSON.stringify({ modelDir, ...measured, wallSeconds }, null, 2)}\n`);
  if (bool(args, "ship")) {
    const ship = shippedM0Dir();
    await rm(ship, { recursive: true, force: true });
    await mkdir(ship, { recursive: true });
    for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) await copyFile(join(modelDir, f), join(ship, f));
    await writeFile(join(ship, "m0-recipe.json"), `${JSON.stringify(used, null, 2)}\n`);
    await writeFile(join(ship, "m0-report.json"), `${JSON.stringify({ ...measured, wallSeconds }, null, 2)}\n`);
    io.err(`bootstrap: shipped to ${ship}\n`);
  }
  return EXIT.ok;
}
