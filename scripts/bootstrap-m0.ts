// Rebuild M0 from its recipe with the project's trainer and ship it to packages/train/models/m0.
// Run: npx bun scripts/bootstrap-m0.ts [--out runs/m0] [--ship] [--recipe recipe.json]
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bootstrapM0 } from "../packages/train/src/demo/m0-recipe.ts";
import { commandArgs } from "../packages/train/src/runtime.ts";

const args = commandArgs();
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const outDir = flag("out") ?? "runs/m0";
const recipePath = flag("recipe");
const recipe = recipePath === undefined ? {} : JSON.parse(await readFile(recipePath, "utf8"));
const started = Date.now();
const result = await bootstrapM0({ outDir, recipe, backend: (flag("backend") as never) ?? "auto", log: (l) => console.log(l) });
console.log(JSON.stringify({ ...result, recipe: undefined, wallSeconds: (Date.now() - started) / 1000 }, null, 2));
if (args.includes("--ship")) {
  const ship = join("packages", "train", "models", "m0");
  await rm(ship, { recursive: true, force: true });
  await mkdir(ship, { recursive: true });
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) {
    await copyFile(join(result.modelDir, f), join(ship, f));
  }
  await writeFile(join(ship, "m0-recipe.json"), `${JSON.stringify(result.recipe, null, 2)}\n`);
  const { modelDir: _m, recipe: _r, ...measured } = result;
  await writeFile(join(ship, "m0-report.json"), `${JSON.stringify({ ...measured, wallSeconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
  console.log(`shipped to ${ship}`);
}
