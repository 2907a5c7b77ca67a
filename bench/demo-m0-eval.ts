// Measures a world model folder (M0 or a checkpoint): short QA accuracy and question grounding, greedy.
// Run: npx bun bench/demo-m0-eval.ts DIR [examplesPerDepth=50] [groundingChunks=200]
import { buildModel, readModelFolder } from "../packages/train/src/cli/open-model.ts";
import { M0Recipe, measureM0 } from "../packages/train/src/demo/m0-recipe.ts";
import { createWorld } from "../packages/train/src/demo/world.ts";
import { selectBackend } from "../packages/train/src/model/backend.ts";
import { commandArgs, runtimeVersion } from "../packages/train/src/runtime.ts";

const [dir = "packages/train/models/m0", perDepth = "50", chunks = "200"] = commandArgs();
const backend = await selectBackend("wasm");
const opened = await readModelFolder(dir);
const recipe = M0Recipe.parse({});
const model = buildModel(opened);
const started = Date.now();
const m = await measureM0(model, opened.tokenizer, createWorld(recipe.world), {
  ...recipe.eval,
  examplesPerCell: Number(perDepth),
  groundingChunks: Number(chunks),
});
console.log(JSON.stringify({ runtime: runtimeVersion(), backend: backend.name, dir, ...m, seconds: (Date.now() - started) / 1000 }));
model.dispose();
