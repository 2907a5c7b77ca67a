import * as tf from "@tensorflow/tfjs-core";
import { LlamaModel, Optimizer, selectBackend } from "@longpo/train";
import { ratioShapes } from "./_ratio-shapes.ts";
import { ratioIds, trainStep, cpuSeconds } from "./_ratio-wasm.ts";
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
trainStep(model, opt, ids, labels, mask);
const c0 = cpuSeconds(); const t0 = performance.now();
for (let i = 0; i < 2; i++) trainStep(model, opt, ids, labels, mask);
console.log(`step: ${((performance.now() - t0) / 2).toFixed(0)} ms wall, ${((cpuSeconds() - c0) / 2 * 1000).toFixed(0)} ms CPU, ${(B * T * 2 / (cpuSeconds() - c0)).toFixed(0)} tok/CPU-s`);
if (process.env.PROFILE === "cpu") {
  // CPU time inside each wasm kernel (process.cpuUsage around every kernel call): steadier than tf.profile's wall
  // times on a loaded machine; what is left of the step is tfjs bookkeeping and JavaScript.
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of tf.getKernelsForBackend("wasm")) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: { inputs: Record<string, tf.TensorInfo> }) => {
        const c = cpuSeconds();
        const out = (inner as (a: unknown) => unknown)(args);
        const shapes = Object.values(args.inputs).map((t) => t.shape.join("x")).join(",");
        const key = k.kernelName === "BatchMatMul" || process.env.SHAPES === "1" ? `${k.kernelName} ${shapes}` : k.kernelName;
        const e = by.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += (cpuSeconds() - c) * 1000;
        by.set(key, e);
        return out;
      }) as never,
    });
  }
  const c1 = cpuSeconds();
  trainStep(model, opt, ids, labels, mask);
  const stepMs = (cpuSeconds() - c1) * 1000;
  const inKernels = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const calls = [...by.values()].reduce((a, e) => a + e.n, 0);
  console.log(`step ${stepMs.toFixed(0)} ms CPU: ${inKernels.toFixed(0)} ms in ${calls} kernel calls, ${(stepMs - inKernels).toFixed(0)} ms outside`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 40))) {
    console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}× ${k}`);
  }
} else if (process.env.PROFILE !== "0") {
  const info = await tf.profile(() => { trainStep(model, opt, ids, labels, mask); });
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
