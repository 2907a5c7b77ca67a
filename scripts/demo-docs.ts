// Redraw docs/demo (the README's charts) from a finished `longpo demo` run, and print its table to compare with the README.
// Run: npx bun scripts/demo-docs.ts runs/demo [docs/demo]
import { mkdir } from "node:fs/promises";
import { demoDocs } from "../packages/train/src/demo/demo-charts.ts";
import { demoTable } from "../packages/train/src/demo/demo-table.ts";
import { commandArgs } from "../packages/train/src/runtime.ts";

const [run, out = "docs/demo"] = commandArgs();
if (run === undefined) throw new Error("usage: npx bun scripts/demo-docs.ts RUN_OR_REPORT_DIR [DOCS_DIR (default docs/demo)]");
await mkdir(out, { recursive: true });
const { rows, files, removed } = await demoDocs(run, out);
console.log(demoTable(rows));
console.log(`\nwrote ${files.join(", ")}${removed.length === 0 ? "" : `\nremoved ${removed.join(", ")}`}`);
