// How fast, and in how much memory, does sequenceLogps run at B=2, T=4096, V=32000 (1 GiB of float32 logits) on wasm?
// Run: npx bun bench/loss.bench.ts   (also npx deno run -A bench/loss.bench.ts; LOSS_BENCH_SHAPE=2,512,32000 for a quick
// run). The backward pass seeds sequenceLogps' own custom gradient directly, so no tfjs-core gradient registry is needed.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { Bench } from "tinybench";
import { sequenceLogps } from "@longpo/loss";

const g = globalThis as {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  process?: { version: string; env: Record<string, string | undefined>; memoryUsage(): { rss: number } };
};
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${g.process?.version}`;
const [B, T, V] = (g.process?.env.LOSS_BENCH_SHAPE ?? "2,4096,32000").split(",").map(Number) as [number, number, number];

await tf.setBackend("wasm");
await tf.ready();
const MiB = 2 ** 20;
const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
const rssBytes = () => g.process?.memoryUsage().rss ?? Number.NaN;
console.log(
  `# loss bench: ${runtime}, backend: ${tf.getBackend()} (single-threaded), sequenceLogps at B=${B} T=${T} V=${V} ` +
    `(${((B * T * V * 4) / MiB).toFixed(0)} MiB of float32 logits)`,
);

const logits = tf.tidy(() => tf.randomNormal([B, T, V], 0, 2, "float32", 1)) as tf.Tensor3D; // (B, T, V)
const labels = tf.tidy(() => tf.randomUniform([B, T], 0, V, "int32", 2)) as tf.Tensor2D; // (B, T)
const mask = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([B, T], 0, 1, "float32", 3), 0.2), "float32")) as tf.Tensor2D; // (B, T)
const baseline = { heap: heapBytes(), rss: rssBytes(), tensors: tf.memory().numTensors };
console.log(`inputs ready: wasm heap ${(baseline.heap / MiB).toFixed(0)} MiB, RSS ${(baseline.rss / MiB).toFixed(0)} MiB`);

const forward = () => tf.tidy(() => sequenceLogps(logits, labels, mask).sum.dataSync());
const forwardBackward = () =>
  tf.tidy(() => {
    const dy = tf.ones([B]); // (B) d loss / d sum, as a trainer's loss would send it
    tf.grad((x: tf.Tensor) => sequenceLogps(x as tf.Tensor3D, labels, mask).sum)(logits, dy); // (B, T, V)
    // No read-back: wasm kernels run synchronously, and reading 1 GiB back would add its own copy to time and RSS.
  });

// Peak memory first, one call each, forward before backward: the wasm heap never shrinks, so its length after a
// call is the high-water mark of everything so far (emscripten also grows it in steps, so it overstates a little).
const peaks: string[] = [];
const logitBytes = B * T * V * 4;
for (const [name, run] of [["forward", forward], ["forward+backward", forwardBackward]] as const) {
  run();
  const heap = heapBytes();
  peaks.push(
    `${name}: wasm heap high-water ${(heap / MiB).toFixed(0)} MiB (${(heap / logitBytes).toFixed(2)}× the logits), ` +
      `RSS after the call ${(rssBytes() / MiB).toFixed(0)} MiB`,
  );
}

const bench = new Bench({ name: "sequenceLogps on wasm", iterations: 3, time: 0, warmup: false, throws: true });
bench.add("forward", forward).add("forward+backward", forwardBackward);
await bench.run();
console.table(bench.table());
for (const task of bench.tasks) {
  const r = task.result;
  if (r.state !== "completed") {
    console.log(`${task.name}: ${r.state}`);
    continue;
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const l = r.latency;
  console.log(`${task.name}: mean ${s(l.mean)} s, median ${s(l.p50)} s, min ${s(l.min)} s, max ${s(l.max)} s (${l.samplesCount} runs)`);
}
for (const line of peaks) console.log(line);
tf.dispose([logits, labels, mask]);
console.log(`tensors alive after disposing inputs: ${tf.memory().numTensors} (started with ${baseline.tensors - 3} before inputs)`);
