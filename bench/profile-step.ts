// Where does the demo-shape training step (or scoring, WORK=score) go? SHAPE="toy-3M" for the other shape.
// Run: PROFILE=cpu npx bun bench/profile-step.ts   (CPU ms per kernel; SHAPES=1 splits every kernel by input shapes)
//      npx bun bench/profile-step.ts               (tf.profile: kernel wall times, op counts, new tensors)
import * as tf from "@tensorflow/tfjs-core";
import { LlamaModel, Optimizer, scoreCompletions, selectBackend } from "@longpo/train";
import { ratioShapes } from "./_ratio-shapes.ts";
import { printKernelCpu, trackKernelCpu } from "./_kernel-cpu.ts";
import { cpuSeconds, ratioIds, trainStep } from "./_ratio-wasm.ts";
await selectBackend("wasm");
const which = process.env.SHAPE ?? "demo M0";
const shape = ratioShapes.find((s) => s.name === which)!;
const { config, batch: B, seq: T } = shape;
const model = LlamaModel.random(config, 1);
const rows = ratioIds(B, T + 1, config.vocabSize, 7);
const ids = tf.tensor2d(rows.map((r) => r.slice(0, T)), [B, T], "int32");
const labels = tf.tensor2d(rows.map((r) => r.slice(1)), [B, T], "int32");
const mask = tf.ones([B, T]) as tf.Tensor2D;
const params = new Map(model.trainableVariables.map((v) => [v.name, v]));
const opt = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }, params);
// WORK=score profiles scoreCompletions of the same batch instead of a training step.
const items = rows.map((r) => ({ promptIds: [r[0]!], completionIds: r.slice(1, T) }));
const work = process.env.WORK === "score"
  ? async () => void (await scoreCompletions(model, items, { batchSize: B }))
  : () => void trainStep(model, opt, ids, labels, mask);
await work();
const c0 = cpuSeconds(); const t0 = performance.now();
for (let i = 0; i < 2; i++) await work();
console.log(`${process.env.WORK ?? "train"}: ${((performance.now() - t0) / 2).toFixed(0)} ms wall, ${((cpuSeconds() - c0) / 2 * 1000).toFixed(0)} ms CPU, ${(B * T * 2 / (cpuSeconds() - c0)).toFixed(0)} tok/CPU-s`);
if (process.env.PROFILE === "cpu") {
  // CPU time inside each wasm kernel: steadier than tf.profile's wall times on a loaded machine; what is left of
  // the step is tfjs bookkeeping and JavaScript.
  const by = trackKernelCpu(process.env.SHAPES === "1");
  const c1 = cpuSeconds();
  await work();
  printKernelCpu(by, (cpuSeconds() - c1) * 1000, Number(process.env.TOP ?? 40));
} else if (process.env.PROFILE !== "0") {
  const info = await tf.profile(async () => { await work(); });
  const by = new Map<string, { n: number; ms: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const key = k.name === "BatchMatMul" ? `BatchMatMul ${k.inputShapes.map((s) => s?.join("x")).join(",")}` : k.name;
    const e = by.get(key) ?? { n: 0, ms: 0 };
    e.n++; e.ms += Number(k.kernelTimeMs); total += Number(k.kernelTimeMs);
    by.set(key, e);
  }
  console.log(`kernels: ${info.kernels.length}, kernel time ${total.toFixed(0)} ms, newTensors ${info.newTensors}, peak ${(info.peakBytes / 2 ** 20).toFixed(0)} MiB`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 40))) console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}× ${k}`);
}
