// Fuzz loadCheckpoint with header and whole-file mutations of the shipped M0's model.safetensors: each must give a
// CheckpointError or an unchanged model; another exception, a silently changed model or a hang is a failure.
// Run: npx bun scripts/fuzz-checkpoint.ts [--header 1000] [--whole 200] [--seed 1] [--timeout-ms 10000] [--model DIR]
// (also: npx deno run -A scripts/fuzz-checkpoint.ts). Exit code 0 when clean, 1 otherwise. `--stall-at N` makes
// header mutation N sleep instead of loading, to check that the watchdog reports it as a hang.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { commandArgs, runtimeName, runtimeVersion } from "../packages/train/src/runtime.ts";

const args = commandArgs();
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const counts = { header: Number(flag("header", "1000")), whole: Number(flag("whole", "200")) };
const seed = Number(flag("seed", "1"));
const timeoutMs = Number(flag("timeout-ms", "10000"));
const stallAt = flag("stall-at", "");
const modelDir = flag("model", join(import.meta.dirname, "..", "packages", "train", "models", "m0"));
const worker = join(import.meta.dirname, "_fuzz-checkpoint-worker.ts");
const workDir = await mkdtemp(join(tmpdir(), "longpo-fuzz-"));
// The worker runs in this script's runtime.
const runtime = runtimeName() === "deno" ? [process.execPath, "run", "-A"] : [process.execPath];

interface Tally { rejected: number; unchanged: number; failures: string[]; slowestMs: number }

/** Run mutations [start, end) of `kind` in worker processes, restarting after a hang or a crash of the worker. */
async function fuzz(kind: "header" | "whole", total: number): Promise<Tally> {
  const tally: Tally = { rejected: 0, unchanged: 0, failures: [], slowestMs: 0 };
  let start = 0;
  while (start < total) {
    let nextIndex = start;
    const stall = kind === "header" && stallAt !== "" ? [stallAt] : [];
    const child = spawn(runtime[0] as string, [...runtime.slice(1), worker, kind, String(start), String(total), String(seed), modelDir, workDir, ...stall], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => void (stderr += String(d)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hung = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = true;
        child.kill("SIGKILL");
      }, timeoutMs + (nextIndex === start ? 20_000 : 0)); // the first mutation also waits for the worker's start-up
    };
    arm();
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^(\d+) (\w+) ([\d.]+) (.*)$/.exec(line);
      if (m === null) continue;
      const [, index, outcome, ms, detail] = m as unknown as [string, string, string, string, string];
      nextIndex = Number(index) + 1;
      tally.slowestMs = Math.max(tally.slowestMs, Number(ms));
      if (outcome === "rejected") tally.rejected++;
      else if (outcome === "unchanged") tally.unchanged++;
      else tally.failures.push(`${kind} #${index}: ${outcome}: ${detail}`);
      arm();
    }
    const code = await exited;
    clearTimeout(timer);
    if (nextIndex < total) {
      const why = hung ? `no answer within ${timeoutMs} ms (hang)` : `the worker exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
      tally.failures.push(`${kind} #${nextIndex}: ${why}`);
      nextIndex++;
    }
    start = nextIndex;
  }
  return tally;
}

const started = performance.now();
console.log(`fuzz-checkpoint: ${runtimeVersion()}, model ${modelDir}, seed ${seed}, timeout ${timeoutMs} ms`);
let failed = 0;
for (const kind of ["header", "whole"] as const) {
  const t = await fuzz(kind, counts[kind]);
  failed += t.failures.length;
  console.log(`${kind} mutations: ${counts[kind]}: ${t.rejected} CheckpointError, ${t.unchanged} unchanged model, ${t.failures.length} failures; slowest load ${t.slowestMs.toFixed(0)} ms`);
  for (const f of t.failures.slice(0, 20)) console.log(`  FAIL ${f}`);
}
await rm(workDir, { recursive: true, force: true });
// CPU time is spent in the workers: measure it with /usr/bin/time, which counts waited-for children.
console.log(`${failed === 0 ? "clean" : `${failed} failures`} in ${((performance.now() - started) / 1000).toFixed(1)} s wall`);
process.exitCode = failed === 0 ? 0 : 1;
