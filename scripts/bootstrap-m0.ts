// Rebuild M0 from its recipe with the project's trainer (as `longpo bootstrap`); `--ship` copies it, with its recipe
// and measurement, to packages/train/models/m0.
// Run: npx bun scripts/bootstrap-m0.ts [--out runs/m0] [--recipe recipe.json] [--backend wasm] [--ship]
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bootstrapM0 } from "../packages/train/src/demo/m0-recipe.ts";
import { shippedM0Dir } from "../packages/train/src/demo/run-demo.ts";
import { commandArgs } from "../packages/train/src/runtime.ts";

const args = commandArgs();
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const recipePath = flag("recipe");
const recipe = recipePath === undefined ? {} : JSON.parse(await readFile(recipePath, "utf8"));
const started = Date.now();
const result = await bootstrapM0({
  outDir: flag("out") ?? "runs/m0",
  recipe,
  backend: (flag("backend") ?? "auto") as never,
  log: (line) => console.error(line),
});
const { modelDir, recipe: used, ...measured } = result;
const report = { ...measured, wallSeconds: (Date.now() - started) / 1000 };
console.log(JSON.stringify({ modelDir, ...report }, null, 2));
if (args.includes("--ship")) {
  const ship = shippedM0Dir();
  await rm(ship, { recursive: true, force: true });
  await mkdir(ship, { recursive: true });
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) await copyFile(join(modelDir, f), join(ship, f));
  await writeFile(join(ship, "m0-recipe.json"), `${JSON.stringify(used, null, 2)}\n`);
  await writeFile(join(ship, "m0-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.error(`shipped to ${ship}`);
}
