// Runs `longpo demo` (runDemo) and prints its phases: the numbers behind BENCHMARKS.md's "longpo demo" section.
// Run: npx bun bench/demo.ts [--quick] [--model DIR] [--out DIR] [--backend wasm] [--config demo.json]
import { readFile } from "node:fs/promises";
import { runDemo } from "../packages/train/src/demo/run-demo.ts";
import { demoTable } from "../packages/train/src/demo/demo-table.ts";
import { commandArgs, runtimeVersion } from "../packages/train/src/runtime.ts";

const args = commandArgs();
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = flag("config");
const config = file === undefined ? {} : JSON.parse(await readFile(file, "utf8"));
for (const [key, name] of [["modelDir", "model"], ["outDir", "out"], ["backend", "backend"]] as const) {
  const v = flag(name);
  if (v !== undefined) config[key] = v;
}
console.log(`# longpo demo bench: ${runtimeVersion()}, backend ${config.backend ?? "auto"}${args.includes("--quick") ? ", --quick" : ""}`);
const result = await runDemo({ quick: args.includes("--quick"), config, log: (l) => console.log(l) });
console.log(demoTable(result.rows));
console.log(`\n| phase | s | tokens/s |\n|---|---:|---:|`);
for (const p of result.phases) console.log(`| ${p.name} | ${p.seconds.toFixed(1)} | ${p.tokensPerSecond === undefined ? "-" : p.tokensPerSecond.toFixed(0)} |`);
console.log(`wall ${result.wallSeconds.toFixed(0)} s; report in ${result.reportDir}`);
