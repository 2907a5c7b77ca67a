// How fast does the LongPO trainer step run at the toy-3M shape (chosen + rejected at 1024 tokens), and what do
// precomputed reference log-probs save versus scoring the reference every step?
// Run: npx bun bench/trainer.bench.ts      Knobs: TRAINER_BENCH_BACKEND=wasm|cpu  TRAINER_BENCH_STEPS=3
import * as tf from "@tensorflow/tfjs-core";
import { Bench } from "tinybench";
import {
  LlamaModel, llamaPolicy, microBatchGradients, Optimizer, padBatch, scoreSequences, selectBackend,
  type TokenizedSequence,
} from "@longpo/train";
import { toy3m } from "./_toy3m.ts";

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } }; process?: { version: string; env: Record<string, string | undefined> } };
const env = g.process?.env ?? {};
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${g.process?.version}`;
const choice = await selectBackend((env.TRAINER_BENCH_BACKEND ?? "wasm") as "wasm" | "cpu");
const steps = Number(env.TRAINER_BENCH_STEPS ?? 3);

console.log(`# trainer bench: ${runtime}, backend ${choice.name} (${choice.reason}), toy-3M, ${steps} timed steps`);

/** A sequence of `t` tokens whose last `answer` tokens are the response. */
function sequence(t: number, answer: number, seed: number): TokenizedSequence {
  let s = seed;
  const ids = Array.from({ length: t }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % 509 + 3);
  return { ids, labelMask: ids.map((_, i) => (i >= t - answer ? 1 : 0)) };
}

const T = 1024;
const chosen = sequence(T, 64, 1);
const rejected = sequence(T, 64, 2);
const shortChosen = sequence(256, 64, 3); // the LongPO reference reads a 256-token chunk + question
const shortRejected = sequence(256, 64, 4);
const model = LlamaModel.random(toy3m, 0);
const policy = llamaPolicy(model);
const reference = LlamaModel.random(toy3m, 0);
const refModel = llamaPolicy(reference);
const optimizer = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, new Map(policy.parameters));
const batch = padBatch([chosen, rejected], 0);
const refs = { refChosenLogps: new Float32Array([-300]), refRejectedLogps: new Float32Array([-310]) };

async function trainStep(): Promise<void> {
  const { grads } = await microBatchGradients(policy, { pairs: 1, sequences: batch, ...refs }, { method: "longpo", beta: 0.1, lambda: 0.01 });
  optimizer.apply(grads, 1e-4);
  for (const g2 of grads.values()) g2.dispose();
}

await trainStep(); // warm-up: kernels, Adam slots
const bench = new Bench({ iterations: steps, time: 0, warmup: false });
bench
  .add("LongPO train step (chosen + rejected, 2 × 1024 tokens, precomputed reference)", async () => await trainStep())
  .add("reference scoring, short input (LongPO: 2 × 256 tokens)", async () => {
    await scoreSequences(refModel, [shortChosen, shortRejected], 0, 2);
  })
  .add("reference scoring, long input (DPO baseline: 2 × 1024 tokens)", async () => {
    await scoreSequences(refModel, [chosen, rejected], 0, 2);
  });
await bench.run();
const mean = (i: number) => (bench.tasks[i]?.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? Number.NaN;
const step = mean(0) / 1000;
const refShort = mean(1) / 1000;
const refLong = mean(2) / 1000;
console.log(`train step: ${step.toFixed(2)} s, ${(2 * T / step).toFixed(0)} tokens/s (chosen + rejected tokens per second)`);
console.log(`reference every step, short input: +${refShort.toFixed(2)} s/step → ${(2 * T / (step + refShort)).toFixed(0)} tokens/s; precomputing saves ${(100 * refShort / (step + refShort)).toFixed(1)}% of step time`);
console.log(`reference every step, long input (DPO): +${refLong.toFixed(2)} s/step → ${(2 * T / (step + refLong)).toFixed(0)} tokens/s; precomputing saves ${(100 * refLong / (step + refLong)).toFixed(1)}% of step time`);
console.log(`tensors alive after the bench: ${tf.memory().numTensors}`);
optimizer.dispose();
model.dispose();
reference.dispose();
