// The "wasm, 1 thread" row of `npm run bench:ratio`: this project's training step, scoring and KV-cache decode in
// this process. Other rows (worker threads, a native path) implement the same `RatioRow`.
import * as tf from "@tensorflow/tfjs-core";
import { sequenceLogps } from "@longpo/loss";
import { KvCache, LlamaModel, Optimizer, scoreCompletions } from "@longpo/train";
import type { RatioShape } from "./_ratio-shapes.ts";

/** Tokens processed, and the wall and CPU seconds they took (CPU = this process's user + system time). */
export interface RatioMeasure {
  tokens: number;
  wall: number;
  cpu: number;
}

/** What one row measured at one shape; a work it does not do is null. */
export interface RatioResult {
  train: RatioMeasure | null;
  score: RatioMeasure | null;
  decode: RatioMeasure | null;
}

/** One implementation measured by the ratio bench. */
export interface RatioRow {
  name: string;
  run(shape: RatioShape): Promise<RatioResult>;
}

const proc = (globalThis as { process?: { cpuUsage(): { user: number; system: number } } }).process;
/** CPU seconds this process has used so far. */
export const cpuSeconds = (): number => {
  const u = proc?.cpuUsage();
  return u === undefined ? Number.NaN : (u.user + u.system) / 1e6;
};

/** Runs f `times` times (after one untimed warm-up run) and measures them together. */
export async function timed(times: number, tokensPerRun: number, f: () => unknown): Promise<RatioMeasure> {
  await f();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < times; i++) await f();
  return { tokens: tokensPerRun * times, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

/** Deterministic ids in [3, vocab): the same batch for every row. */
export function ratioIds(b: number, t: number, vocab: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % (vocab - 3) + 3;
  return Array.from({ length: b }, () => Array.from({ length: t }, next));
}

/** Steps timed per measurement (after a warm-up); RATIO_REPS overrides. */
const reps = Number((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.RATIO_REPS ?? 3);

/** One step of next-token cross-entropy training with the project's AdamW, as the trainer runs it. */
export function trainStep(model: LlamaModel, optimizer: Optimizer, ids: tf.Tensor2D, labels: tf.Tensor2D, mask: tf.Tensor2D) {
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.forward(ids); // (B, T, V)
    const { sum, count } = sequenceLogps(logits, labels, mask);
    return tf.neg(tf.div(tf.sum(sum), tf.sum(count))) as tf.Scalar;
  });
  const named = new Map(Object.entries(grads));
  optimizer.apply(named, 1e-4);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...named.values()]);
  return loss;
}

export const wasmRow: RatioRow = {
  name: "wasm, 1 thread",
  async run(shape) {
    const { config, batch: B, seq: T } = shape;
    const model = LlamaModel.random(config, 1);
    try {
      const rows = ratioIds(B, T + 1, config.vocabSize, 7);
      const ids = tf.tensor2d(rows.map((r) => r.slice(0, T)), [B, T], "int32");
      const labels = tf.tensor2d(rows.map((r) => r.slice(1)), [B, T], "int32");
      const mask = tf.ones([B, T]) as tf.Tensor2D;
      const params = new Map(model.trainableVariables.map((v) => [v.name, v]));
      const optimizer = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }, params);
      const train = await timed(reps, B * T, () => trainStep(model, optimizer, ids, labels, mask));
      optimizer.dispose();
      tf.dispose([ids, labels, mask]);
      const items = rows.map((r) => ({ promptIds: [r[0]!], completionIds: r.slice(1, T) }));
      const score = await timed(reps, B * T, () => scoreCompletions(model, items, { batchSize: B }));
      const decode = shape.decode === null ? null : measureDecode(model, shape.decode);
      return { train, score, decode };
    } finally {
      model.dispose();
    }
  },
};

/** Prefill `context` tokens per row through a KvCache, then `steps` greedy steps, timed. */
function measureDecode(model: LlamaModel, d: { batch: number; context: number; steps: number }): RatioMeasure {
  const { batch: B, context, steps } = d;
  const V = model.config.vocabSize;
  const prompt = ratioIds(B, context, V, 11);
  const cache = new KvCache(model.config.numLayers, B, context + steps);
  try {
    let next = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(prompt, [B, context], "int32"), { cache }); // (B, ctx, V)
      return tf.cast(tf.argMax(tf.reshape(tf.slice(logits, [0, context - 1, 0], [B, 1, V]), [B, V]), -1), "int32"); // (B)
    });
    next.dataSync();
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const prev = next;
      next = tf.tidy(() => {
        const logits = model.forward(tf.reshape(prev, [B, 1]) as tf.Tensor2D, { cache }); // (B, 1, V)
        return tf.cast(tf.argMax(tf.reshape(logits, [B, V]), -1), "int32"); // (B)
      });
      next.dataSync();
      prev.dispose();
    }
    const m = { tokens: B * steps, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
    next.dispose();
    return m;
  } finally {
    cache.dispose();
  }
}
