// The model and trainer on tfjs-backend-webgpu, checked against cpu: run under Deno (`npm run test:webgpu`), whose
// navigator.gpu offers a software adapter (llvmpipe) on machines without a GPU. Skipped where there is no adapter.
//
// Custom kernels and gradients on webgpu (what this suite exercises):
// - wasm-kernels.ts (UnsortedSegmentSum, Slice, Unpack, Transpose, Identity, LongpoFillFromJs) are registered for
//   wasm only; webgpu runs its own kernels (it has UnsortedSegmentSum, the embedding's gradient), and
//   blockBiasTensor builds its masks with tf.tensor2d there instead of LongpoFillFromJs.
// - The custom gradients (matmul2d, rmsNorm, applyRope, swiglu, headAttention, the checkpointed layer's nested
//   tf.grads, sequenceLogps with its on-device labelLogpGradient) are plain tfjs ops and run on webgpu unchanged.
// - sequenceLogps' host-assembled gradient (large logits) is wasm-only: it is never the default elsewhere.
// - trainer/fused-adam.ts (one wasm kernel per Adam update) and KvCache's in-place heap writes are wasm-only too:
//   on webgpu the optimizer runs its plain tfjs ops and the cache its generic path (both exercised here).
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { compareParity, parityNumbers, type ParityNumbers, type ParityRow } from "./_backend-parity.ts";
import { selectBackend } from "./model/backend.ts";

interface Adapter {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; description?: string };
}
const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<Adapter | null> } } }).navigator?.gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter();
const why = gpu === undefined ? "this runtime has no navigator.gpu (run it with `npm run test:webgpu`, under Deno)" : "navigator.gpu offers no adapter";
const software = adapter?.isFallbackAdapter === true || adapter?.info?.isFallbackAdapter === true;

describe.skipIf(adapter === null)(`webgpu parity with cpu${adapter === null ? ` (skipped: ${why})` : ""}`, () => {
  let rows: ParityRow[] = [];
  let leaked = 0;
  let webgpu: ParityNumbers | undefined;

  beforeAll(async () => {
    await selectBackend("cpu");
    const cpu = await parityNumbers();
    await selectBackend("webgpu");
    const before = tf.memory().numTensors;
    webgpu = await parityNumbers();
    leaked = tf.memory().numTensors - before;
    rows = compareParity(webgpu, cpu);
  }, 900_000);

  it.skipIf(!software)("selectBackend refuses the software adapter for auto (slower than wasm) and says why", async () => {
    const auto = await selectBackend("auto");
    expect(auto.name).not.toBe("webgpu");
    expect(auto.reason).toMatch(/webgpu offers only a software adapter \(.+\), slower than wasm/);
    const asked = await selectBackend("webgpu");
    expect(asked.name).toBe("webgpu");
    expect(asked.reason).toMatch(/software adapter .* as asked; this is not a GPU and is slow/);
  });

  const checks = [
    "forward logits",
    "forward logits (biases, tied head, sliding window)",
    "sequenceLogps",
    "reference log-probs (short input)",
    "LongPO step loss",
    "LongPO step gradients",
    "LongPO step gradients (checkpointed layers)",
    "greedy tokens",
    "training losses (4 steps)",
  ];
  it("compares every check listed here", () => {
    expect(rows.map((r) => r.check)).toEqual(checks);
  });

  for (const check of checks) {
    it(`${check} equal cpu's within tolerance`, () => {
      const row = rows.find((r) => r.check === check);
      expect(row?.check, `no parity row named ${check}`).toBe(check);
      expect(row!.ok, `${check}: max |webgpu − cpu| ${row!.maxAbsDiff}, ${row!.worst.toFixed(3)}× the tolerance ${row!.tolerance}`).toBe(true);
    });
  }

  it("trains: the 4 losses fall, and the run leaks no tensors", () => {
    const losses = webgpu?.trainLosses ?? [];
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! - 0.1);
    expect(leaked, "tensors left alive by the webgpu parity run").toBe(0);
  });
});
