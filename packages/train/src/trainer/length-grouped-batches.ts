// Batches of similar length in a seeded order, and right-padding of token sequences into (B, T) arrays.
import { mulberry32 } from "@longpo/io";
import type { TokenizedSequence } from "./training-example.ts";

/**
 * The batch order of one epoch: indices shuffled by a generator seeded from (seed, epoch), cut into
 * mega-batches of 16 batches, each sorted by length (longest first) and cut into batches, so a batch holds
 * sequences of similar length and little padding; the batches are then shuffled by the same generator. Pure in (lengths, batchSize, seed, epoch): a resumed run
 * rebuilds the same order from its epoch and position.
 *
 * @param lengths one length per example (e.g. its longest sequence).
 * @returns batches of example indices; the last batch may be smaller.
 * @example
 * lengthGroupedBatches([5, 90, 7, 88], 2, 42, 0); // e.g. [[2, 0], [1, 3]]
 */
export function lengthGroupedBatches(lengths: readonly number[], batchSize: number, seed: number, epoch: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot group batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const rng = mulberry32((seed * 1_000_003 + epoch * 7919) >>> 0);
  const order = rng.shuffle(lengths.map((_, i) => i));
  const mega = batchSize * 16;
  const batches: number[][] = [];
  for (let m = 0; m < order.length; m += mega) {
    const group = order.slice(m, m + mega).sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0));
    for (let b = 0; b < group.length; b += batchSize) batches.push(group.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

/**
 * Right-padded (B, T) arrays, row-major: the input ids, the next-token targets (`targets[t] = ids[t + 1]`) and a
 * 0/1 mask of targets that are response tokens. Shifting the targets instead of the logits spares slicing the
 * (B, T, V) logits, which copies on wasm.
 */
export interface PaddedBatch {
  batch: number;
  length: number;
  ids: Int32Array;
  targets: Int32Array;
  targetMask: Float32Array;
  /** 0/1 mask of real targets that are not response tokens (the prompt and context: document, questions, template). */
  contextMask: Float32Array;
  /** Response tokens per row. */
  labelCounts: number[];
  /** Context (non-response, non-padding) targets per row. */
  contextCounts: number[];
  /** Real (non-padding) tokens over all rows. */
  tokens: number;
}

/**
 * Pad sequences on the right to the longest one (at least `minLength`). Right padding needs no attention mask
 * in a causal model: real tokens never see the pads after them, and pads carry no labels.
 *
 * @example
 * padBatch([{ ids: [1, 5, 6], labelMask: [0, 0, 1] }], 0).targets; // Int32Array [5, 6, 0]
 */
export function padBatch(seqs: readonly TokenizedSequence[], padId: number, minLength = 1): PaddedBatch {
  const length = Math.max(minLength, ...seqs.map((s) => s.ids.length));
  const ids = new Int32Array(seqs.length * length).fill(padId);
  const targets = new Int32Array(seqs.length * length).fill(padId);
  const targetMask = new Float32Array(seqs.length * length);
  const contextMask = new Float32Array(seqs.length * length);
  const labelCounts: number[] = [];
  const contextCounts: number[] = [];
  seqs.forEach((s, b) => {
    ids.set(s.ids, b * length);
    targets.set(s.ids.slice(1), b * length);
    let count = 0;
    for (let t = 1; t < s.ids.length; t++) {
      const m = s.labelMask[t] === 0 || s.labelMask[t] === undefined ? 0 : 1;
      targetMask[b * length + t - 1] = m;
      contextMask[b * length + t - 1] = 1 - m;
      count += m;
    }
    labelCounts.push(count);
    contextCounts.push(Math.max(0, s.ids.length - 1 - count));
  });
  const tokens = seqs.reduce((n, s) => n + s.ids.length, 0);
  return { batch: seqs.length, length, ids, targets, targetMask, contextMask, labelCounts, contextCounts, tokens };
}
