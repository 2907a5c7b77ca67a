// Reference log-probs: computed once by the frozen reference before training and cached beside the data.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@longpo/io";
import { sequenceLogps } from "@longpo/loss";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import type { Progress } from "@longpo/prefgen";
import { padBatch } from "./length-grouped-batches.ts";
import type { TokenizedSequence, TrainingExample } from "./training-example.ts";

/** A model that gives next-token logits (B, T, V) for right-padded ids (B, T). */
export interface LogitsModel {
  logits(ids: tf.Tensor2D): tf.Tensor3D;
}

/**
 * Summed log-probability of each sequence's label tokens (no gradient), in batches of sequences of similar
 * length.
 *
 * @returns one sum per sequence, in input order.
 */
export async function scoreSequences(
  model: LogitsModel,
  seqs: readonly TokenizedSequence[],
  padId: number,
  batchSize = 4,
  progress?: Progress,
): Promise<number[]> {
  const order = seqs.map((_, i) => i).sort((a, b) => (seqs[b]?.ids.length ?? 0) - (seqs[a]?.ids.length ?? 0));
  const out = new Array<number>(seqs.length).fill(0);
  for (let i = 0; i < order.length; i += batchSize) {
    const idx = order.slice(i, i + batchSize);
    const p = padBatch(idx.map((j) => seqs[j] as TokenizedSequence), padId);
    const sums = tf.tidy(() => {
      const ids = tf.tensor2d(p.ids, [p.batch, p.length], "int32"); // (B, T)
      const targets = tf.tensor2d(p.targets, [p.batch, p.length], "int32"); // (B, T)
      const mask = tf.tensor2d(p.targetMask, [p.batch, p.length]); // (B, T)
      return sequenceLogps(model.logits(ids), targets, mask).sum; // (B)
    });
    const values = await sums.data();
    sums.dispose();
    idx.forEach((j, k) => {
      out[j] = values[k] ?? Number.NaN;
    });
    progress?.update(Math.min(order.length, i + batchSize));
  }
  progress?.finish();
  return out;
}

const ReferenceCache = z.strictObject({
  format: z.literal("longpo-reference-logps/1"),
  key: z.string(),
  logps: z.record(z.string(), z.tuple([z.number(), z.number()])),
});

/** A cache key from the reference model's identity, the data file's bytes and the reference input kind. */
export function referenceCacheKey(modelHash: string, dataBytes: Uint8Array | string, referenceInput: "short" | "long"): string {
  return createHash("sha256").update(modelHash).update("\0").update(dataBytes).update("\0").update(referenceInput).digest("hex");
}

/** Something that scores many sequences itself (e.g. a `ReplicaPool` spreading batches over worker threads). */
export interface SequenceScorer {
  scoreSequences(seqs: readonly TokenizedSequence[], padId: number, batchSize?: number, progress?: Progress): Promise<number[]>;
}

/** Options of {@link attachReferenceLogps}. */
export interface ReferenceOptions {
  padId: number;
  batchSize?: number;
  /** JSON file to read and write; a file whose key differs is recomputed and replaced. */
  cachePath?: string;
  /** Required with `cachePath`: see {@link referenceCacheKey}. */
  cacheKey?: string;
  progress?: Progress;
}

/**
 * Fill in `refChosenLogps` / `refRejectedLogps` of every example that lacks them: from the cache when its key
 * matches, else by scoring with the reference (the sum over the example's reference sequences), then write the
 * cache (written atomically, with fsync).
 *
 * @returns new examples with reference log-probs, and how many were computed (0 when all came from the file or cache).
 */
export async function attachReferenceLogps(
  examples: readonly TrainingExample[],
  reference: LogitsModel | SequenceScorer | undefined,
  o: ReferenceOptions,
): Promise<{ examples: TrainingExample[]; computed: number }> {
  const missing = examples.filter((e) => e.refChosenLogps === undefined || e.refRejectedLogps === undefined);
  if (missing.length === 0) return { examples: [...examples], computed: 0 };
  let cached: Record<string, [number, number]> = {};
  if (o.cachePath !== undefined) {
    try {
      const c = ReferenceCache.parse(JSON.parse(await readFile(o.cachePath, "utf8")));
      if (c.key === o.cacheKey) cached = c.logps;
    } catch {
      // no usable cache
    }
  }
  const toScore = missing.filter((e) => cached[e.id] === undefined);
  if (toScore.length > 0) {
    if (reference === undefined) {
      throw new RangeError(`Cannot attach reference log-probs: ${toScore.length} pairs lack them and no reference model was given`);
    }
    const seqs: TokenizedSequence[] = [];
    const spans: [number, number, number][] = [];
    for (const e of toScore) {
      spans.push([seqs.length, e.refChosen.length, e.refRejected.length]);
      seqs.push(...e.refChosen, ...e.refRejected);
    }
    const sums = "scoreSequences" in reference
      ? await reference.scoreSequences(seqs, o.padId, o.batchSize ?? 4, o.progress)
      : await scoreSequences(reference, seqs, o.padId, o.batchSize ?? 4, o.progress);
    toScore.forEach((e, i) => {
      const [at, nc, nr] = spans[i] as [number, number, number];
      const add = (from: number, n: number) => sums.slice(from, from + n).reduce((a, b) => a + b, 0);
      cached[e.id] = [add(at, nc), add(at + nc, nr)];
    });
    if (o.cachePath !== undefined && o.cacheKey !== undefined) {
      await writeFileAtomic(o.cachePath, JSON.stringify({ format: "longpo-reference-logps/1", key: o.cacheKey, logps: cached }));
    }
  }
  return {
    computed: toScore.length,
    examples: examples.map((e) => {
      if (e.refChosenLogps !== undefined && e.refRejectedLogps !== undefined) return e;
      const [c, r] = cached[e.id] as [number, number];
      return { ...e, refChosenLogps: c, refRejectedLogps: r };
    }),
  };
}
