// How fast does the @longpo/train Llama train, score and decode on wasm at the toy-3M shape, and how much memory
// does one T=8192 training step take with blocked attention and layer checkpointing?
// Run: npx bun bench/model.bench.ts            (training, scoring, decoding)
//      MODEL_BENCH=long npx bun bench/model.bench.ts   (the T=8192 step alone, so that peak RSS is its own)
// Knobs: MODEL_BENCH=train,score,decode,long  MODEL_BENCH_BACKEND=wasm|cpu  MODEL_BENCH_BLOCK=256
import * as tf from "@tensorflow/tfjs-core";
import { Bench } from "tinybench";
import { sequenceLogps } from "@longpo/loss";
import { KvCache, LlamaModel, scoreCompletions, selectBackend } from "@longpo/train";
import { toy3m } from "./_toy3m.ts";

const g = globalThis as {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  process?: {
    version: string;
    env: Record<string, string | undefined>;
    memoryUsage(): { rss: number };
    resourceUsage?(): { maxRSS: number };
    cpuUsage?(): { user: number; system: number };
  };
};
const env = g.process?.env ?? {};
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${g.process?.version}`;
const parts = new Set((env.MODEL_BENCH ?? "train,score,decode").split(","));
const queryBlockSize = Number(env.MODEL_BENCH_BLOCK ?? 256);
const choice = await selectBackend((env.MODEL_BENCH_BACKEND ?? "wasm") as "wasm" | "cpu");
const MiB = 2 ** 20;
const heapBytes = () =>
  tf.getBackend() === "wasm" ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0;
const peakRss = () => (g.process?.resourceUsage?.().maxRSS ?? 0) * 1024; // maxRSS is in KiB
/** CPU seconds this process has used: on a shared machine, the rate per CPU second is the steadier figure. */
const cpuSeconds = () => {
  const u = g.process?.cpuUsage?.();
  return u === undefined ? Number.NaN : (u.user + u.system) / 1e6;
};
/** Runs f `times` times; returns wall and CPU seconds per run. */
async function measure(times: number, f: () => unknown): Promise<{ wall: number; cpu: number }> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < times; i++) await f();
  return { wall: (performance.now() - t0) / 1000 / times, cpu: (cpuSeconds() - c0) / times };
}
const rate = (tokens: number, m: { wall: number; cpu: number }) =>
  `${(tokens / m.wall).toFixed(0)} tokens/s wall, ${(tokens / m.cpu).toFixed(0)} tokens per CPU-second`;

console.log(
  `# model bench: ${runtime}, backend ${choice.name} (${choice.reason}), toy-3M, attention query block ${queryBlockSize}`,
);

function randomIds(b: number, t: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % (toy3m.vocabSize - 3) + 3;
  return Array.from({ length: b }, () => Array.from({ length: t }, next));
}

/** Mean next-token cross-entropy of a (B, T) batch, every position a real token. */
function lmLoss(model: LlamaModel, ids: tf.Tensor2D, labels: tf.Tensor2D, mask: tf.Tensor2D, checkpoint: boolean) {
  const logits = model.forward(ids, { queryBlockSize, checkpointLayers: checkpoint }); // (B, T, V)
  const { sum, count } = sequenceLogps(logits, labels, mask);
  return tf.neg(tf.div(tf.sum(sum), tf.sum(count))) as tf.Scalar;
}

function trainingBatch(b: number, t: number) {
  const rows = randomIds(b, t + 1, 7);
  return tf.tidy(() => ({
    ids: tf.keep(tf.tensor2d(rows.map((r) => r.slice(0, t)), [b, t], "int32")),
    labels: tf.keep(tf.tensor2d(rows.map((r) => r.slice(1)), [b, t], "int32")),
    mask: tf.keep(tf.ones([b, t]) as tf.Tensor2D),
  }));
}

const results: string[] = [];
const model = LlamaModel.random(toy3m, 1);
const nParams = model.trainableVariables.reduce((a, v) => a + v.size, 0);
console.log(`parameters: ${(nParams / 1e6).toFixed(2)}M`);

if (parts.has("train")) {
  const B = 2;
  const T = 1024;
  const batch = trainingBatch(B, T);
  const optimizer = tf.train.adam(1e-3);
  const losses: number[] = [];
  const step = () => {
    const loss = optimizer.minimize(() => lmLoss(model, batch.ids, batch.labels, batch.mask, false), true)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  };
  step(); // Adam's slots and the kernels' first use
  const bench = new Bench({ name: "training", iterations: 3, time: 0, warmup: false, throws: true });
  bench.add(`train step B=${B} T=${T} (forward+backward+Adam)`, step);
  await bench.run();
  console.table(bench.table());
  const m = await measure(3, step);
  results.push(`training: ${rate(B * T, m)} (${(m.wall * 1000).toFixed(0)} ms wall per step of ${B}×${T})`);
  console.log(`losses ${losses.map((l) => l.toFixed(4)).join(" ")}; ${results.at(-1)}`);
  optimizer.dispose();
  tf.dispose([batch.ids, batch.labels, batch.mask]);
}

if (parts.has("score")) {
  const B = 2;
  const T = 1024;
  const items = randomIds(B, T, 9).map((r) => ({ promptIds: [1], completionIds: r.slice(1) }));
  await scoreCompletions(model, items, { batchSize: B, queryBlockSize });
  const bench = new Bench({ name: "scoring", iterations: 4, time: 0, warmup: false, throws: true });
  bench.add(`score B=${B} T=${T} (forward + log-softmax)`, async () => {
    await scoreCompletions(model, items, { batchSize: B, queryBlockSize });
  });
  await bench.run();
  console.table(bench.table());
  const m = await measure(3, () => scoreCompletions(model, items, { batchSize: B, queryBlockSize }));
  results.push(`scoring: ${rate(B * T, m)} (${(m.wall * 1000).toFixed(0)} ms wall per ${B}×${T})`);
}

if (parts.has("decode")) {
  const B = 8;
  const context = 1024;
  const steps = 16;
  const prompt = randomIds(B, context - steps, 11);
  const cache = new KvCache(toy3m.numLayers, B);
  const t0 = performance.now();
  let next = tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(prompt, [B, context - steps], "int32"), { cache, queryBlockSize });
    return tf.keep(tf.argMax(tf.squeeze(tf.slice(logits, [0, context - steps - 1, 0], [B, 1, -1]), [1]), -1)); // (B)
  });
  next.dataSync();
  const prefillMs = performance.now() - t0;
  const t1 = performance.now();
  const c1 = cpuSeconds();
  for (let i = 0; i < steps; i++) {
    const ids = next;
    next = tf.tidy(() => {
      const logits = model.forward(tf.reshape(ids, [B, 1]) as tf.Tensor2D, { cache });
      return tf.cast(tf.argMax(tf.reshape(logits, [B, toy3m.vocabSize]), -1), "int32"); // (B)
    });
    next.dataSync();
    ids.dispose();
  }
  const decodeMs = performance.now() - t1;
  const decodeCpu = cpuSeconds() - c1;
  next.dispose();
  cache.dispose();
  results.push(
    `decode: ${rate(B * steps, { wall: decodeMs / 1000, cpu: decodeCpu })} with the cache at batch ${B}, context ` +
      `${context - steps}→${context} (${(decodeMs / steps).toFixed(0)} ms per step; prefill of ${B}×${context - steps} ` +
      `took ${(prefillMs / 1000).toFixed(1)} s)`,
  );
}

if (parts.has("long")) {
  const T = 8192;
  const batch = trainingBatch(1, T);
  const optimizer = tf.train.adam(1e-3);
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const loss = optimizer.minimize(() => lmLoss(model, batch.ids, batch.labels, batch.mask, true), true)!;
  const value = loss.dataSync()[0]!;
  loss.dispose();
  const ms = performance.now() - t0;
  results.push(
    `T=${T} B=1 training step (block ${queryBlockSize}, layer checkpointing): ${(ms / 1000).toFixed(1)} s wall, ` +
      `${(cpuSeconds() - c0).toFixed(1)} CPU-s, loss ` +
      `${value.toFixed(3)}, peak RSS ${(peakRss() / MiB).toFixed(0)} MiB, wasm heap ${(heapBytes() / MiB).toFixed(0)} MiB`,
  );
  optimizer.dispose();
  tf.dispose([batch.ids, batch.labels, batch.mask]);
}

model.dispose();
console.log(`\n${results.join("\n")}\nlive tensors at the end: ${tf.memory().numTensors}`);
