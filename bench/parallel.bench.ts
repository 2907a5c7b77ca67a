// Does data-parallel training over worker threads use every core? Wall and per-CPU-second tokens/s of the LongPO
// step at the demo's shape (M0: d 128, 4 layers, 4 heads, ff 336, vocab 681; 16 pairs × chosen + rejected × 300
// tokens), in this thread (1 worker) and over a ReplicaPool of N workers, plus the weight broadcast's share.
// Run: npx bun bench/parallel.bench.ts      Knobs: PARALLEL_BENCH_WORKERS=2  PARALLEL_BENCH_STEPS=3
import { loadavg } from "node:os";
import {
  clipGradients, defaultWorkerCount, LlamaModel, llamaPolicy, microBatchGradients, type ModelConfig, Optimizer, padBatch,
  ReplicaPool, selectBackend, type TokenizedSequence,
} from "@longpo/train";

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } }; process?: NodeJS.Process };
const proc = g.process as NodeJS.Process;
const env = proc.env;
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${proc.version}`;
const choice = await selectBackend("wasm");
const workers = Number(env.PARALLEL_BENCH_WORKERS ?? defaultWorkerCount());
const steps = Number(env.PARALLEL_BENCH_STEPS ?? 3);
console.log(`# parallel bench: ${runtime}, backend ${choice.name}, demo M0 shape, B 16, T 300, ${steps} timed steps, workers 1 vs ${workers}`);
console.log(`# load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);

const config: ModelConfig = {
  architecture: "llama", vocabSize: 681, hiddenSize: 128, intermediateSize: 336, numLayers: 4, numHeads: 4, numKvHeads: 4,
  headDim: 32, rmsNormEps: 1e-5, ropeTheta: 10_000, ropeScaling: null, maxPositionEmbeddings: 2048, tieWordEmbeddings: false,
  attentionBias: false, slidingWindow: null, bosTokenId: 1, eosTokenIds: [2], padTokenId: 0,
};
const B = 16;
const T = 300;

/** A sequence of `t` tokens whose last `answer` tokens are the response. */
function sequence(t: number, answer: number, seed: number): TokenizedSequence {
  let s = seed;
  const ids = Array.from({ length: t }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % 678 + 3);
  return { ids, labelMask: ids.map((_, i) => (i >= t - answer ? 1 : 0)) };
}
const rows = [...Array.from({ length: B }, (_, i) => sequence(T, 16, 1 + i)), ...Array.from({ length: B }, (_, i) => sequence(T, 16, 101 + i))];
const mb = { pairs: B, sequences: padBatch(rows, 0), refChosenLogps: new Float32Array(B).fill(-100), refRejectedLogps: new Float32Array(B).fill(-101) };
const opts = { method: "longpo" as const, beta: 0.1, lambda: 0.01, contextLossWeight: 0.1 };
const tokens = B * 2 * T;

const model = LlamaModel.random(config, 0);
const policy = llamaPolicy(model);
const optimizer = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, new Map(policy.parameters));

async function measure(label: string, step: () => Promise<void>): Promise<number> {
  await step(); // warm-up: kernels, Adam slots, worker start-up costs
  const cpu0 = proc.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const wall = (performance.now() - t0) / 1000;
  const c = proc.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const wallRate = (tokens * steps) / wall;
  console.log(
    `${label.padEnd(12)} ${(wall / steps).toFixed(2)} s/step  wall ${wallRate.toFixed(0)} tok/s  per CPU-second ${((tokens * steps) / cpu).toFixed(0)} tok  (cpu ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s wall)`,
  );
  return wallRate;
}

const apply = (grads: Map<string, import("@tensorflow/tfjs-core").Tensor>) => {
  clipGradients(grads, 1);
  optimizer.apply(grads, 1e-4);
  for (const t of grads.values()) t.dispose();
};
const one = await measure("1 worker", async () => apply((await microBatchGradients(policy, mb, opts)).grads));
const pool = await ReplicaPool.start({ workers, backend: "wasm", config, weights: model.weights(), parameters: policy.parameters });
let broadcast = 0;
const many = await measure(`${workers} workers`, async () => apply((await pool.compute(mb, opts)).grads));
{
  // The weight broadcast alone: the parent's dataSync into shared memory (the replicas' assign is inside compute).
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) for (const v of policy.parameters.values()) v.dataSync();
  broadcast = (performance.now() - t0) / 10;
}
await pool.close();
console.log(`speed-up (wall): ${(many / one).toFixed(2)}x; parent-side weight read per step: ${broadcast.toFixed(1)} ms`);
console.log(`# load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
