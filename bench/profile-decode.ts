// Where does a KV-cache decode step go? tf.profile of one greedy step at toy-3M, batch 8, context 1008→1024.
// Run: npx bun bench/profile-decode.ts   (tf.profile wall times; PROFILE=cpu: CPU ms inside each kernel)
import * as tf from "@tensorflow/tfjs-core";
import { KvCache, LlamaModel, selectBackend } from "@longpo/train";
import { ratioShapes } from "./_ratio-shapes.ts";
import { printKernelCpu, trackKernelCpu } from "./_kernel-cpu.ts";
import { cpuSeconds, ratioIds } from "./_ratio-wasm.ts";

await selectBackend("wasm");
const shape = ratioShapes.find((s) => s.decode !== null)!;
const { batch: B, context, steps } = shape.decode!;
const V = shape.config.vocabSize;
const model = LlamaModel.random(shape.config, 1);
const cache = new KvCache(shape.config.numLayers, B, context + steps);
const step = (ids: tf.Tensor2D) =>
  tf.tidy(() => tf.cast(tf.argMax(tf.reshape(tf.slice(model.forward(ids, { cache }), [0, ids.shape[1] - 1, 0], [B, 1, V]), [B, V]), -1), "int32"));
let next = step(tf.tensor2d(ratioIds(B, context, V, 11), [B, context], "int32"));
const one = () => {
  const prev = next;
  next = step(tf.reshape(prev, [B, 1]) as tf.Tensor2D);
  next.dataSync();
  prev.dispose();
};
const c0 = cpuSeconds();
const t0 = performance.now();
for (let i = 0; i < steps - 1; i++) one();
console.log(`decode step: ${((performance.now() - t0) / (steps - 1)).toFixed(1)} ms wall, ${((cpuSeconds() - c0) / (steps - 1) * 1000).toFixed(1)} ms CPU`);
if (process.env.PROFILE === "cpu") {
  const by = trackKernelCpu(true);
  const c1 = cpuSeconds();
  one();
  printKernelCpu(by, (cpuSeconds() - c1) * 1000, 25);
} else {
  const info = await tf.profile(one);
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of info.kernels) {
    const key = `${k.name} ${k.inputShapes.map((s) => s?.join("x")).join(",")}`;
    const e = by.get(key) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(k.kernelTimeMs);
    by.set(key, e);
  }
  console.log(`kernels: ${info.kernels.length}`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    console.log(`${e.ms.toFixed(2).padStart(8)} ms ${String(e.n).padStart(4)}× ${k}`);
  }
}
next.dispose();
cache.dispose();
model.dispose();
