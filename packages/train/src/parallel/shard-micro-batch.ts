// Split one micro-batch into per-worker shards whose gradients sum to the whole batch's, and merge their metrics.
import type { MicroBatch, StepLossOptions, StepMetrics } from "../trainer/train-step.ts";

/** One worker's share of a micro-batch, with the loss options that normalise it by the whole batch. */
export interface MicroBatchShard {
  mb: MicroBatch;
  opts: StepLossOptions;
}

/** Pair ranges [start, end) of `pairs` pairs over at most `workers` shards, as even as counts allow. */
export function shardRanges(pairs: number, workers: number): [number, number][] {
  const n = Math.max(1, Math.min(workers, pairs));
  const out: [number, number][] = [];
  for (let k = 0; k < n; k++) out.push([Math.floor((k * pairs) / n), Math.floor(((k + 1) * pairs) / n)]);
  return out;
}

/**
 * Split a padded micro-batch by pairs (rows 0..P-1 chosen, P..2P-1 rejected; chosen only for SFT) into at most
 * `workers` shards, keeping the padded length. Each shard's options carry the whole batch's pair count and NLL
 * denominator (`batchTotals`), so that Σ shard loss = batch loss and Σ shard gradient = batch gradient.
 *
 * @example
 * shardMicroBatch(mb, { method: "longpo", beta: 0.1, lambda: 1 }, 2).length; // 2 when mb.pairs ≥ 2
 */
export function shardMicroBatch(mb: MicroBatch, opts: StepLossOptions, workers: number): MicroBatchShard[] {
  const s = mb.sequences;
  const P = mb.pairs;
  const sft = opts.method === "sft";
  const T = s.length;
  let chosenTokens = 0;
  let contextTokens = 0;
  for (let i = 0; i < P; i++) {
    chosenTokens += s.labelCounts[i] ?? 0;
    contextTokens += s.contextCounts[i] ?? 0;
  }
  const batchTotals = { pairs: P, nllDenominator: chosenTokens + (opts.contextLossWeight ?? 0) * contextTokens };
  return shardRanges(P, workers).map(([a, b]) => {
    const rows = sft ? [[a, b]] : [[a, b], [P + a, P + b]];
    const R = (b - a) * rows.length;
    const ids = new Int32Array(R * T);
    const targets = new Int32Array(R * T);
    const targetMask = new Float32Array(R * T);
    const contextMask = new Float32Array(R * T);
    const labelCounts: number[] = [];
    const contextCounts: number[] = [];
    let tokens = 0;
    let at = 0;
    for (const [from, to] of rows as [number, number][]) {
      ids.set(s.ids.subarray(from * T, to * T), at * T);
      targets.set(s.targets.subarray(from * T, to * T), at * T);
      targetMask.set(s.targetMask.subarray(from * T, to * T), at * T);
      contextMask.set(s.contextMask.subarray(from * T, to * T), at * T);
      for (let r = from; r < to; r++) {
        const l = s.labelCounts[r] ?? 0;
        const c = s.contextCounts[r] ?? 0;
        labelCounts.push(l);
        contextCounts.push(c);
        tokens += l + c + 1; // a row of n tokens has n − 1 targets, each a label or context
      }
      at += to - from;
    }
    return {
      mb: {
        pairs: b - a,
        sequences: { batch: R, length: T, ids, targets, targetMask, contextMask, labelCounts, contextCounts, tokens },
        refChosenLogps: mb.refChosenLogps.slice(a, b),
        refRejectedLogps: mb.refRejectedLogps.slice(a, b),
      },
      opts: { ...opts, batchTotals },
    };
  });
}

/**
 * The whole batch's metrics from its shards' (in shard order): losses add (each shard was normalised by the
 * whole batch), per-pair means are weighted by pair counts, the NLL by response tokens, tokens add.
 */
export function mergeShardMetrics(shards: readonly MicroBatchShard[], metrics: readonly StepMetrics[]): StepMetrics {
  const pairs = shards.reduce((n, s) => n + s.mb.pairs, 0);
  const responseTokens = shards.map((s) => s.mb.sequences.labelCounts.slice(0, s.mb.pairs).reduce((a, b) => a + b, 0));
  const allResponse = responseTokens.reduce((a, b) => a + b, 0);
  const out: StepMetrics = {
    loss: 0,
    nll: 0,
    "rewards/chosen": 0,
    "rewards/rejected": 0,
    "rewards/margins": 0,
    "rewards/accuracies": 0,
    "logps/chosen": 0,
    "logps/rejected": 0,
    tokens: 0,
  };
  metrics.forEach((m, k) => {
    const w = (shards[k]?.mb.pairs ?? 0) / pairs;
    out.loss += m.loss;
    out.nll += (m.nll * (responseTokens[k] ?? 0)) / allResponse;
    for (const key of ["rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected"] as const) {
      out[key] += m[key] * w;
    }
    out.tokens += m.tokens;
  });
  return out;
}
