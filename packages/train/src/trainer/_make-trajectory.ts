// Writes _testdata/trajectory.json: `npx bun packages/train/src/trainer/_make-trajectory.ts` (wasm backend).
// Re-run only when a change to the trainer, model or loss is meant to change the numbers; say why in the commit.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { selectBackend } from "../model/backend.ts";
import { pinnedTrajectory } from "./_trajectory.ts";

await selectBackend("wasm");
const t = await pinnedTrajectory();
const file = join(import.meta.dirname, "_testdata", "trajectory.json");
await writeFile(file, `${JSON.stringify({ backend: "wasm", steps: t.loss.length, ...t }, null, 2)}\n`);
console.log(`wrote ${file}: ${t.loss.map((l) => l.toFixed(4)).join(" ")}`);
