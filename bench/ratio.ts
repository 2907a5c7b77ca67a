// Issue 12: this project against the one-thread PyTorch peer, per CPU-second and per wall second, at the demo's M0
// shape and toy-3M, for training (fwd + bwd + AdamW), scoring (fwd + log-softmax) and decode with a KV cache.
// Run: npm run bench:ratio   (= npx bun bench/ratio.ts; RATIO_REPS=3 timed steps per figure, RATIO_PEER=0 skips
// the peer; RATIO_SHAPES="toy-3M" picks shapes; RATIO_BLAS_DIR=<folder of an OpenBLAS libblas.so.3> when the
// system BLAS is the reference one). The peers live in ../shared/peers/; the rows in ROWS (add worker or native
// rows there).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { selectBackend } from "@longpo/train";
import { peerDecodeArgs, peerStepArgs, type RatioShape, ratioShapes } from "./_ratio-shapes.ts";
import { nativeRow } from "./_ratio-native.ts";
import { type RatioMeasure, type RatioRow, wasmRow } from "./_ratio-wasm.ts";

/** Every implementation measured; each prints one line per shape and work (RATIO_ROWS=wasm,native picks). */
const ALL_ROWS: Record<string, RatioRow[]> = { wasm: [wasmRow], native: [nativeRow(1), nativeRow(2)] };
const ROWS: RatioRow[] = (process.env.RATIO_ROWS?.split(",") ?? Object.keys(ALL_ROWS)).flatMap((k) => ALL_ROWS[k] ?? []);

const env = process.env;
const PYTHON = "/usr/bin/python3";
const peerDir = fileURLToPath(new URL(env.RATIO_PEERS ?? "../../shared/peers/", import.meta.url));
const WORKS = ["train", "score", "decode"] as const;
type Work = (typeof WORKS)[number];
/** Tokens per second (wall) and per CPU-second of one figure. */
interface Rate {
  wall: number;
  cpu: number;
}

/** Why the peer cannot run, or null when it can. */
function peerMissing(): string | null {
  if (env.RATIO_PEER === "0") return "skipped (RATIO_PEER=0)";
  if (!existsSync(`${peerDir}torch_llama_step.py`)) return `not found in ${peerDir} (set RATIO_PEERS to its folder)`;
  const probe = spawnSync(PYTHON, ["-c", PROBE], { encoding: "utf8", env: peerEnv() });
  if (probe.status !== 0) {
    return "python3-torch is missing: install it with `sudo apt-get install -y python3-torch` (Debian/Ubuntu), then rerun";
  }
  if (!probe.stdout.includes("openblas")) {
    console.warn(
      "warning: the peer's torch runs on the reference BLAS (libblas3, ~5 GFLOP/s, 10-30x slower than OpenBLAS), so the\n" +
        "ratios would flatter this project. Install OpenBLAS (`sudo apt-get install -y libopenblas0-pthread`), or\n" +
        "without root: `apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob` and set\n" +
        "RATIO_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread",
    );
  }
  return null;
}

/** Prints the torch version and the BLAS library the process loaded. */
const PROBE = "import torch, re; torch.ones(2, 2) @ torch.ones(2, 2); " +
  "print(torch.__version__, ' '.join(sorted(set(re.findall(r'lib(?:open)?blas[^/\\s]*', open('/proc/self/maps').read())))))";

/** The peer's environment: OpenBLAS tuning variables of this machine off, one BLAS thread. */
function peerEnv(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== "OPENBLAS_CORETYPE" && k !== "OPENBLAS_L2_SIZE") e[k] = v;
  if (env.RATIO_BLAS_DIR) e.LD_LIBRARY_PATH = [env.RATIO_BLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return e;
}

function runPeer(script: string, args: string[]): string {
  const r = spawnSync(PYTHON, [`${peerDir}${script}`, "--threads", "1", ...args], { encoding: "utf8", env: peerEnv() });
  if (r.status !== 0) throw new Error(`peer ${script} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Parses "<name>: ... N tok/s wall, M tok/CPU-s" lines of the peers. */
function peerRates(shape: RatioShape): Partial<Record<Work, Rate>> {
  const out: Partial<Record<Work, Rate>> = {};
  const read = (text: string, name: string, work: Work) => {
    const m = new RegExp(`${name}:.*?(\\d+) tok/s wall, (\\d+) tok/CPU-s`).exec(text);
    if (m === null) throw new Error(`cannot read the peer's ${name} line from:\n${text}`);
    out[work] = { wall: Number(m[1]), cpu: Number(m[2]) };
  };
  const step = runPeer("torch_llama_step.py", [...peerStepArgs(shape), "--steps", env.RATIO_REPS ?? "3"]);
  read(step, "train", "train");
  read(step, "score", "score");
  if (shape.decode !== null) read(runPeer("torch_llama_decode.py", peerDecodeArgs(shape)), "decode", "decode");
  return out;
}

const rateOf = (m: RatioMeasure): Rate => ({ wall: m.tokens / m.wall, cpu: m.tokens / m.cpu });
const n = (x: number) => Math.round(x).toLocaleString("en-US");

const backend = await selectBackend("wasm");
const runtime = (globalThis as { Bun?: { version: string } }).Bun
  ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `Node ${process.version}`;
const missing = peerMissing();
console.log(`# bench:ratio ${new Date().toISOString()}: ${runtime}, backend ${backend.name}; peer ${missing ?? "PyTorch, 1 thread"}`);
const lines = [
  "| shape | work | row | tok/CPU-s | tok/s wall | peer tok/CPU-s | peer tok/s wall | ratio CPU | ratio wall |",
  "|---|---|---|---:|---:|---:|---:|---:|---:|",
];
const only = env.RATIO_SHAPES?.split(",");
for (const shape of ratioShapes.filter((s) => only === undefined || only.includes(s.name))) {
  const peer = missing === null ? peerRates(shape) : {};
  for (const row of ROWS) {
    const result = await row.run(shape);
    for (const work of WORKS) {
      const m = result[work];
      if (m === null) continue;
      const ours = rateOf(m);
      const p = peer[work];
      const ratio = (a: number, b: number | undefined) => (b === undefined ? "—" : (a / b).toFixed(2));
      const what = work === "decode" ? `decode B${shape.decode!.batch} ctx ${shape.decode!.context}→${shape.decode!.context + shape.decode!.steps}` : `${work} B${shape.batch} T${shape.seq}`;
      const line = `| ${shape.name} | ${what} | ${row.name} | ${n(ours.cpu)} | ${n(ours.wall)} | ${p ? n(p.cpu) : "—"} | ${p ? n(p.wall) : "—"} | ${ratio(ours.cpu, p?.cpu)} | ${ratio(ours.wall, p?.wall)} |`;
      lines.push(line);
      console.log(line);
    }
  }
}
console.log(`\n${lines.join("\n")}`);
