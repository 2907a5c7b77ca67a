// Native inference (ONNX Runtime) vs the TF.js wasm model vs PyTorch, in one run: scoring at the demo M0 and toy-3M
// shapes and KV-cached decoding at toy-3M, per CPU-second (every thread of the process counts) and per wall second.
// Run: npx bun bench/native.bench.ts        Knobs: NATIVE_BENCH_THREADS=1,2  NATIVE_BENCH_REPS=5  NATIVE_BENCH_PEER=0
// PEER_BLAS_DIR=<dir of libblas.so.3>: the peer's BLAS. Debian's python3-torch links libblas.so.3, which is the
// reference BLAS (~5 GFLOP/s) unless OpenBLAS is installed; without root, unpack it and point here:
//   apt-get download libopenblas0-pthread && dpkg-deb -x libopenblas0-pthread_*.deb ob
//   PEER_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread npx bun bench/native.bench.ts
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { sequenceLogps } from "@longpo/loss";
import { generate, LlamaModel, type ModelConfig, NativeLlama, selectBackend } from "@longpo/train";
import { toy3m } from "./_toy3m.ts";

const g = globalThis as {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  process?: { version: string; env: Record<string, string | undefined>; cpuUsage?(): { user: number; system: number } };
};
const env = g.process?.env ?? {};
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${g.process?.version}`;
const threadCounts = (env.NATIVE_BENCH_THREADS ?? "1,2").split(",").map(Number);
const reps = Number(env.NATIVE_BENCH_REPS ?? 5);
const cpuSeconds = () => {
  const u = g.process?.cpuUsage?.();
  return u === undefined ? Number.NaN : (u.user + u.system) / 1e6;
};
async function measure(times: number, f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await f(); // warm-up
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < times; i++) await f();
  return { wall: (performance.now() - t0) / 1000 / times, cpu: (cpuSeconds() - c0) / times };
}

const m0: ModelConfig = { ...toy3m, vocabSize: 681, hiddenSize: 128, intermediateSize: 336, numHeads: 4, numKvHeads: 4, headDim: 32 };
const shapes = [
  { name: "demo M0", config: m0, batch: 16, seq: 300, peer: "--dim 128 --layers 4 --heads 4 --kv 4 --ffn 336 --vocab 681 --batch 16 --seq 300" },
  { name: "toy-3M", config: toy3m, batch: 2, seq: 1024, peer: "--dim 256 --layers 4 --heads 4 --kv 2 --ffn 704 --vocab 512 --batch 2 --seq 1024" },
];
const python = "/usr/bin/python3";
const peers = "../shared/peers";
const peerAvailable = env.NATIVE_BENCH_PEER !== "0" && existsSync(`${peers}/torch_llama_step.py`) &&
  spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const blasDir = env.PEER_BLAS_DIR;
const peerEnv = blasDir === undefined ? [] : [`LD_LIBRARY_PATH=${blasDir}`];
function peer(script: string, args: string): string {
  const argv = ["-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", ...peerEnv, python, `${peers}/${script}`, "--threads", "1", ...args.split(" ")];
  const r = spawnSync("env", argv, { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`.trim();
}
const perCpu = (line: string, key: RegExp) => Number(key.exec(line)?.[1] ?? Number.NaN);

const backend = await selectBackend("wasm");
console.log(`# native inference bench: ${runtime}, onnxruntime-node vs TF.js ${backend.name} vs PyTorch 1 thread (BLAS: ${blasDir ?? "system libblas.so.3"}); ${reps} reps`);
console.log("| shape | work | engine | tok/CPU-s | tok/s wall | ratio to peer per CPU-s |");
console.log("|---|---|---|---:|---:|---:|");
const row = (shape: string, work: string, engine: string, tokCpu: number, tokWall: number, peerCpu: number) =>
  console.log(`| ${shape} | ${work} | ${engine} | ${tokCpu.toFixed(0)} | ${tokWall.toFixed(0)} | ${(tokCpu / peerCpu).toFixed(2)} |`);

for (const s of shapes) {
  const t = s.seq - 1; // the peer scores B·(T − 1) tokens
  const tokens = s.batch * t;
  const peerLine = peerAvailable ? peer("torch_llama_step.py", `${s.peer} --steps ${reps}`).split("\n").find((l) => l.startsWith("score")) ?? "" : "";
  const peerCpu = perCpu(peerLine, /([\d.]+) tok\/CPU-s/);
  const peerWall = perCpu(peerLine, /([\d.]+) tok\/s wall/);
  if (peerAvailable) row(s.name, "scoring", "PyTorch 1 thread", peerCpu, peerWall, peerCpu);
  else console.log(`| ${s.name} | scoring | PyTorch | missing: apt-get install -y python3-torch | | |`);
  const model = LlamaModel.random(s.config, 1);
  const ids = Int32Array.from({ length: s.batch * t }, (_, i) => (i * 7919) % s.config.vocabSize);
  const labels = Int32Array.from({ length: s.batch * t }, (_, i) => (i * 104729 + 3) % s.config.vocabSize);
  const wasm = await measure(Math.max(1, Math.floor(reps / 2)), async () => {
    const sum = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(ids, [s.batch, t], "int32")); // (B, T, V)
      return sequenceLogps(logits, tf.tensor2d(labels, [s.batch, t], "int32"), tf.ones([s.batch, t])).sum;
    });
    await sum.data();
    sum.dispose();
  });
  row(s.name, "scoring", `TF.js ${backend.name}`, tokens / wasm.cpu, tokens / wasm.wall, peerCpu);
  for (const threads of threadCounts) {
    const native = await NativeLlama.create(s.config, model.weights(), { threads });
    const r = await measure(reps, () => native.tokenScores(ids, labels, s.batch, t));
    row(s.name, "scoring", `native, ${threads} thread${threads > 1 ? "s" : ""}`, tokens / r.cpu, tokens / r.wall, peerCpu);
    await native.dispose();
  }
  model.dispose();
}

// Decode: toy-3M, batch 8, prompt 1008 tokens, 16 new tokens (the 15 after the first are timed, as the peer).
const decodeBatch = 8;
const ctx = 1008;
const fresh = 16;
const peerDecode = peerAvailable ? peer("torch_llama_decode.py", `--batch ${decodeBatch} --ctx ${ctx} --new ${fresh}`) : "";
const peerDecodeCpu = perCpu(peerDecode, /([\d.]+) tok\/CPU-s/);
if (peerAvailable) row("toy-3M", `decode B${decodeBatch} ${ctx}→${ctx + fresh}`, "PyTorch 1 thread", peerDecodeCpu, perCpu(peerDecode, /decode: ([\d.]+) tok\/s wall/), peerDecodeCpu);
const model = LlamaModel.random(toy3m, 2);
const prompts = Array.from({ length: decodeBatch }, (_, b) => Array.from({ length: ctx }, (_, i) => (i * 31 + b) % toy3m.vocabSize));
for (const threads of threadCounts) {
  const native = await NativeLlama.create(toy3m, model.weights(), { threads });
  // Time the steps after the prefill: the first step's logits arrive after the prefill, the rest are decode.
  let c1 = 0;
  let t1 = 0;
  let stepCount = 0;
  await generate(native, prompts.map((p) => p.slice(0, 16)), { maxNewTokens: 2, temperature: 0, eosTokenIds: [] }); // warm-up
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await generate(native, prompts, {
    maxNewTokens: fresh,
    temperature: 0,
    eosTokenIds: [],
    logitsProcessor: (row, step) => {
      if (row === 0 && step === 0) {
        c1 = cpuSeconds();
        t1 = performance.now();
      }
      if (row === 0) stepCount = step;
    },
  });
  const decoded = decodeBatch * stepCount;
  const cpu = cpuSeconds() - c1;
  const wall = (performance.now() - t1) / 1000;
  row("toy-3M", `decode B${decodeBatch} ${ctx}→${ctx + fresh}`, `native, ${threads} thread${threads > 1 ? "s" : ""}`, decoded / cpu, decoded / wall, peerDecodeCpu);
  console.log(`|  | prefill B${decodeBatch}×${ctx} | native, ${threads} | ${((decodeBatch * ctx) / (c1 - c0)).toFixed(0)} | ${((decodeBatch * ctx) / ((t1 - t0) / 1000)).toFixed(0)} | |`);
  await native.dispose();
}
model.dispose();
