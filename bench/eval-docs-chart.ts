// Makes the README's chart, packages/eval/docs/niah-heatmap.png: a real runSuite over NIAH with a toy model
// that only "sees" the first and last 35% of long prompts (lost in the middle), so the heatmap has structure.
// Run: npx bun bench/eval-docs-chart.ts
import { join } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { heatmapCells, niahHeatmapSvg, niahTask, runSuite, writeChart, type EvalModel } from "@longpo/eval";

const tokenizer = createWordTokenizer();
const task = niahTask({ tokenizer, lengths: [1024, 2048, 4096, 8192], depths: [0, 25, 50, 75, 100], samples: 2, seed: 7 });

const lostInTheMiddle: EvalModel = {
  name: "toy lost-in-the-middle",
  generate: async (prompts) =>
    prompts.map((p) => {
      const text = typeof p === "string" ? p : p.map((m) => m.content).join("\n");
      const tokens = tokenizer.encode(text).length;
      const seen = tokens <= 2048 ? 0.5 : tokens <= 4096 ? 0.35 : 0.2; // share of each end the model reads
      const visible = text.slice(0, text.length * seen) + text.slice(text.length * (1 - seen));
      return [...visible.matchAll(/special magic numbers for \S+ is: (\d+)\./g)].map((m) => m[1]).join(", ");
    }),
};

const result = await runSuite(lostInTheMiddle, { name: "docs", tasks: [task] });
const t = result.tasks[0];
if (t?.status !== "completed") throw new Error(`task did not complete: ${JSON.stringify(t)}`);
const svg = niahHeatmapSvg(heatmapCells(t), { title: "NIAH single (toy model, string_match_all)" });
const out = join(import.meta.dirname ?? ".", "..", "packages", "eval", "docs", "niah-heatmap");
console.log(await writeChart(out, svg));
