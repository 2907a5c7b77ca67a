// Is @longpo/io's JSONL read linear in line length? Reads one file holding a single line of 25, 50 and 100 MB
// (plus a short line after it) and 100K short lines, and prints wall and CPU (process user + system) time.
// Run: npx bun bench/io.bench.ts   (also: npx deno run -A bench/io.bench.ts)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { readJsonlLines } from "@longpo/io";

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${process.version}`;
console.log(`# io bench: ${runtime}, backend: none (plain JS); machine shared: compare CPU ms`);

const dir = mkdtempSync(join(tmpdir(), "io-bench-"));
async function time(label: string, text: string, repeat = 3): Promise<void> {
  const file = join(dir, "x.jsonl");
  writeFileSync(file, text);
  let best = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
  for (let r = 0; r < repeat; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let bytes = 0;
    for await (const { text: line } of readJsonlLines(file, { maxLineBytes: 256 << 20 })) bytes += line.length;
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (bytes === 0) throw new Error("read nothing");
    if (wall < best.wall) best = { wall, cpu: (c.user + c.system) / 1000 };
  }
  console.log(`| ${label} | ${best.wall.toFixed(0)} | ${best.cpu.toFixed(0)} |`);
}

console.log("| file | wall ms (best of 3) | CPU ms |\n|---|---:|---:|");
for (const mb of [25, 50, 100]) await time(`one line of ${mb} MB`, `${JSON.stringify({ id: "x".repeat(mb * 1_000_000) })}\n{"id":"y"}\n`);
await time("100,000 lines of ~100 B", Array.from({ length: 100_000 }, (_, i) => `${JSON.stringify({ id: `pair-${i}`, text: "z".repeat(80) })}\n`).join(""));
rmSync(dir, { recursive: true, force: true });
