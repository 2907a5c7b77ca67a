// One prepared check for a machine with a GPU: the webgpu parity checks against cpu on the hardware adapter, then
// training and scoring tokens/s at toy-3M and at a ~110M-parameter Llama (d 768, 12 layers, vocab 32000, T 2048).
// Run (after npm ci):  npx deno run -A scripts/gpu-check.ts            on a GPU (Deno's WebGPU, Vulkan/Metal/DX12)
//                      npx deno run -A scripts/gpu-check.ts --tiny     anywhere Deno has an adapter, even a software one
// Options: --steps N (timed steps per measurement, default 3), --skip-parity. Exit 0: every check passed and every
// measurement ran; 1: a check failed or a measurement threw; 2: no usable adapter (nothing was run).
import * as tf from "@tensorflow/tfjs-core";
import { toy3m } from "../bench/_toy3m.ts";
import { compareParity, parityNumbers, type ParityRow } from "../packages/train/src/_backend-parity.ts";
import { llamaPolicy } from "../packages/train/src/adapters/llama-policy.ts";
import { probeWebGpu, selectBackend } from "../packages/train/src/model/backend.ts";
import type { ModelConfig } from "../packages/train/src/model/config.ts";
import { LlamaModel } from "../packages/train/src/model/llama.ts";
import { scoreCompletions } from "../packages/train/src/model/score.ts";
import { padBatch } from "../packages/train/src/trainer/length-grouped-batches.ts";
import { Optimizer } from "../packages/train/src/trainer/optimizer.ts";
import { clipGradients, microBatchGradients } from "../packages/train/src/trainer/train-step.ts";
import { commandArgs, exitProcess, runtimeName, runtimeVersion, writeText } from "../packages/train/src/runtime.ts";

const args = commandArgs();
const tiny = args.includes("--tiny");
const stepsAt = args.indexOf("--steps");
const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : tiny ? 1 : 3;
const say = (line: string) => writeText("stdout", `${line}\n`);
const refuse = (why: string): never => {
  writeText("stderr", `gpu-check: ${why}\n`);
  return exitProcess(2);
};
if (!Number.isInteger(steps) || steps < 1) refuse(`--steps must be a positive integer, got ${args[stepsAt + 1]}`);

const probe = await probeWebGpu();
if (probe.kind === "none") {
  refuse(
    `no WebGPU adapter (${probe.why}). Run it under Deno (npx deno run -A scripts/gpu-check.ts) on a machine whose ` +
      "GPU driver exposes Vulkan (Linux), Metal (macOS) or DirectX 12 (Windows).",
  );
}
if (probe.kind === "software" && !tiny) {
  refuse(
    `the only WebGPU adapter is a software one (${probe.description}), not a GPU; ` +
      "--tiny runs the same checks on it at toy sizes, to show that the script works",
  );
}
const adapterName = probe.kind === "none" ? "" : probe.description;

/** ~110M parameters: Llama shapes at GPT-2-small width, 32K vocabulary, tied head (24.6M embedding + 85M layers). */
const llama110m: ModelConfig = {
  ...toy3m,
  vocabSize: 32000,
  hiddenSize: 768,
  intermediateSize: 2048,
  numLayers: 12,
  numHeads: 12,
  numKvHeads: 12,
  headDim: 64,
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 4096,
};

interface Shape {
  name: string;
  config: ModelConfig;
  /** Tokens per sequence: one pair is 2 sequences of T for training; scoring is 2 sequences of T. */
  t: number;
}

const shapes: Shape[] = tiny
  ? [
    { name: "toy-3M (tiny: T 64)", config: toy3m, t: 64 },
    { name: "llama-110M (tiny: d 64, 2 layers, vocab 1000, T 128)", config: { ...llama110m, vocabSize: 1000, hiddenSize: 64, intermediateSize: 172, numLayers: 2, numHeads: 4, numKvHeads: 4, headDim: 16 }, t: 128 },
  ]
  : [
    { name: "toy-3M", config: toy3m, t: 1024 },
    { name: "llama-110M", config: llama110m, t: 2048 },
  ];

/** Random ids in [3, V): a sequence that starts with BOS. */
function sequence(t: number, vocab: number, seed: number): number[] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % (vocab - 3)) + 3;
  return [1, ...Array.from({ length: t - 1 }, next)];
}

interface Speed {
  shape: string;
  params: number;
  t: number;
  train: number | string;
  score: number | string;
}

/** tokens/s over `steps` timed runs after one warm-up run (shader compilation, Adam's slots); or the error. */
async function rate(tokens: number, run: () => Promise<void>): Promise<number | string> {
  try {
    await run();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await run();
    return (tokens * steps) / ((performance.now() - t0) / 1000);
  } catch (e) {
    return `failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  }
}

async function measure(shape: Shape): Promise<Speed> {
  const { config, t } = shape;
  const model = LlamaModel.random(config, 0);
  const params = model.trainableVariables.reduce((a, v) => a + v.size, 0);
  const policy = llamaPolicy(model);
  const optimizer = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, new Map(policy.parameters));
  const seq = (seed: number) => ({ ids: sequence(t, config.vocabSize, seed), labelMask: [...Array(t / 2).fill(0), ...Array(t / 2).fill(1)] });
  const pair = { pairs: 1, sequences: padBatch([seq(1), seq(2)], 0), refChosenLogps: new Float32Array([-300]), refRejectedLogps: new Float32Array([-310]) };
  try {
    // The trainer's step: LongPO on one pair (chosen + rejected, 2 × T tokens, precomputed reference), clip, AdamW.
    const train = await rate(2 * t, async () => {
      const { grads } = await microBatchGradients(policy, pair, { method: "longpo", beta: 0.1, lambda: 0.01 });
      await clipGradients(grads, 1);
      optimizer.apply(grads, 1e-5);
      for (const g of grads.values()) g.dispose();
    });
    const items = [3, 4].map((s) => ({ promptIds: [1], completionIds: sequence(t, config.vocabSize, s).slice(1) }));
    const score = await rate(2 * t, async () => {
      await scoreCompletions(model, items, { batchSize: 2 });
    });
    return { shape: shape.name, params, t, train, score };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

const started = performance.now();
say(`gpu-check: ${runtimeName()} ${runtimeVersion()}, adapter ${adapterName}${probe.kind === "software" ? " (software, --tiny)" : ""}`);
let failed = false;
if (!args.includes("--skip-parity")) {
  await selectBackend("cpu");
  const cpu = await parityNumbers();
  const choice = await selectBackend("webgpu");
  const rows: ParityRow[] = compareParity(await parityNumbers(), cpu);
  say(`\nParity with cpu (${choice.name}: ${choice.reason}), the checks of src/webgpu-parity.test.ts:\n`);
  say("| check | max abs diff | × tolerance | tolerance | ok |\n|---|---:|---:|---|---|");
  for (const r of rows) say(`| ${r.check} | ${r.maxAbsDiff.toExponential(2)} | ${r.worst.toFixed(3)} | ${r.tolerance.replaceAll("|", "\\|")} | ${r.ok ? "yes" : "NO"} |`);
  failed = rows.some((r) => !r.ok);
} else {
  await selectBackend("webgpu");
}

say(`\nThroughput on webgpu (${steps} timed step${steps === 1 ? "" : "s"} after one warm-up; wall clock):\n`);
say("| shape | parameters | T | train tokens/s (LongPO pair, 2 × T) | score tokens/s (2 × T) |\n|---|---:|---:|---:|---:|");
for (const shape of shapes) {
  const s = await measure(shape);
  const cell = (x: number | string) => (typeof x === "number" ? x.toFixed(0) : x);
  say(`| ${s.shape} | ${(s.params / 1e6).toFixed(1)}M | ${s.t} | ${cell(s.train)} | ${cell(s.score)} |`);
  if (typeof s.train === "string" || typeof s.score === "string") failed = true;
}
say(`\n${failed ? "FAILED" : "passed"} in ${((performance.now() - started) / 1000).toFixed(0)} s; tensors alive ${tf.memory().numTensors}`);
exitProcess(failed ? 1 : 0);
