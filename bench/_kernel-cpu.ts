// CPU time inside every wasm kernel: wraps each registered kernel with process.cpuUsage, for the profile scripts.
import * as tf from "@tensorflow/tfjs-core";
import { cpuSeconds } from "./_ratio-wasm.ts";

/** Per kernel (and, for matMul or with `shapes`, per input shapes): calls and CPU milliseconds. */
export type KernelCpu = Map<string, { n: number; ms: number }>;

/** Wraps every wasm kernel once; returns the table it fills (clear it between measurements). */
export function trackKernelCpu(shapes: boolean): KernelCpu {
  const by: KernelCpu = new Map();
  for (const k of tf.getKernelsForBackend("wasm")) {
    const inner = k.kernelFunc as (a: unknown) => unknown;
    tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: { inputs: Record<string, tf.TensorInfo> }) => {
        const c = cpuSeconds();
        const out = inner(args);
        const dims = Object.values(args.inputs).map((t) => t.shape.join("x")).join(",");
        const key = k.kernelName === "BatchMatMul" || shapes ? `${k.kernelName} ${dims}` : k.kernelName;
        const e = by.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += (cpuSeconds() - c) * 1000;
        by.set(key, e);
        return out;
      }) as never,
    });
  }
  return by;
}

/** Prints "<total> ms CPU: <in kernels> in <calls> kernel calls, <rest> outside" and the top kernels. */
export function printKernelCpu(by: KernelCpu, totalMs: number, top: number): void {
  const inKernels = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const calls = [...by.values()].reduce((a, e) => a + e.n, 0);
  console.log(`${totalMs.toFixed(1)} ms CPU: ${inKernels.toFixed(1)} ms in ${calls} kernel calls, ${(totalMs - inKernels).toFixed(1)} ms outside`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}× ${k}`);
  }
}
