// generate: batched sampling from a LlamaModel with a KV cache (greedy, temperature, top-k, top-p, stops).

import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.ts";
import { KvCache } from "./kv-cache.ts";
import type { LlamaModel } from "./llama.ts";
import { type Xoshiro128, xoshiro128 } from "@longpo/io";

/** Options of `generate`. */
export interface GenerateOptions {
  /** New tokens per sequence at most. */
  maxNewTokens: number;
  /** 0 = greedy (argmax); otherwise logits are divided by it before sampling. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 = off. Default 1. */
  topP?: number;
  /** Seeds the sampler: equal seeds give equal samples. Default 0. */
  seed?: number;
  /** Tokens that end a sequence. Default: the config's `eosTokenIds`. */
  eosTokenIds?: number[];
  /** Token-id sequences that end a sequence (string stops are the tokenizer adapter's job). */
  stopSequences?: number[][];
  /** Called with each token as it becomes final (stop-sequence candidates are held back until ruled out). */
  onToken?: (row: number, tokenId: number) => void;
  /** Reuse past keys/values (each new token O(T)); false reruns the whole sequence per token. Default true. */
  useCache?: boolean;
  /**
   * Edits one row's next-token logits (V) in place before the token is picked, e.g. to constrain a step to some
   * tokens (set the others to −Infinity); `step` counts the new tokens of that row so far (0 for the first).
   */
  logitsProcessor?: (row: number, step: number, logits: Float32Array) => void;
}

/** One decoding run's model state: takes each step's new tokens, returns each row's last-position logits (B·V). */
export interface DecodeSession {
  /** ids and mask (B, T): the prompt (left-padded) first, then one token per row per step. */
  next(ids: number[][], mask: number[][]): Promise<Float32Array>;
  dispose(): void;
}

/** A model `generate` can drive besides `LlamaModel` (e.g. the ONNX Runtime engine, `NativeLlama`). */
export interface DecodingModel {
  readonly config: ModelConfig;
  /** A fresh state for `batch` rows; with `useCache` false each `next` gets the whole sequence so far. */
  startDecoding(batch: number, useCache: boolean): DecodeSession;
}

/** Why a sequence stopped. */
export type FinishReason = "eos" | "length" | "stop";

/** One sequence's new tokens (without the EOS token or the stop sequence that ended it) and why it ended. */
export interface GenerationResult {
  tokenIds: number[];
  finishReason: FinishReason;
}

/**
 * Continues each prompt. Prompts are left-padded into one batch; each row's RoPE positions count from its own
 * first token, so a padded row decodes exactly as it would alone.
 *
 * @param promptIds one token-id array per sequence, each non-empty (start with BOS where the model expects it)
 * @returns per prompt, the new token ids and the finish reason
 * @throws {RangeError} for an empty prompt, a non-positive maxNewTokens, or sampling options out of range
 * @example
 * const [out] = await generate(model, [[1]], { maxNewTokens: 20, temperature: 0 });
 */
export async function generate(
  model: LlamaModel | DecodingModel,
  promptIds: number[][],
  options: GenerateOptions,
): Promise<GenerationResult[]> {
  const { maxNewTokens } = options;
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  const eos = new Set(options.eosTokenIds ?? model.config.eosTokenIds);
  const stops = (options.stopSequences ?? []).filter((s) => s.length > 0);
  const useCache = options.useCache ?? true;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new RangeError(`Cannot generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  if (!(temperature >= 0)) throw new RangeError(`Cannot generate: temperature must be >= 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`Cannot generate: topK must be an integer >= 0, got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`Cannot generate: topP must lie in (0, 1], got ${topP}`);
  promptIds.forEach((p, i) => {
    if (p.length === 0) throw new RangeError(`Cannot generate: every prompt must hold a token, got an empty prompt at ${i}`);
  });
  const batch = promptIds.length;
  if (batch === 0) return [];
  const rng = xoshiro128(options.seed ?? 0);
  const pad = model.config.padTokenId ?? 0;
  const longest = Math.max(...promptIds.map((p) => p.length));
  // Left-padded rows: the sequence so far (only the full-rerun path needs all of it).
  const rows = promptIds.map((p) => [...Array.from({ length: longest - p.length }, () => pad), ...p]);
  const masks = promptIds.map((p) => [...Array.from({ length: longest - p.length }, () => 0), ...p.map(() => 1)]);
  const out = promptIds.map(() => [] as number[]);
  const emitted = promptIds.map(() => 0);
  const finish: (FinishReason | null)[] = promptIds.map(() => null);
  const holdBack = stops.reduce((m, s) => Math.max(m, s.length - 1), 0);
  const emit = (b: number, upTo: number) => {
    for (; emitted[b]! < upTo; emitted[b]!++) options.onToken?.(b, out[b]![emitted[b]!]!);
  };
  const session = "startDecoding" in model
    ? model.startDecoding(batch, useCache)
    : tfjsDecodeSession(model, batch, useCache, longest + maxNewTokens);
  try {
    let input = rows;
    let inputMask = masks;
    for (let step = 0; step < maxNewTokens && finish.some((f) => f === null); step++) {
      const last = await session.next(input, inputMask); // (B·V)
      const next: number[] = [];
      for (let b = 0; b < batch; b++) {
        if (finish[b] !== null) {
          next.push(pad);
          continue;
        }
        const logits = last.subarray(b * model.config.vocabSize, (b + 1) * model.config.vocabSize);
        options.logitsProcessor?.(b, step, logits);
        const token = temperature === 0 ? argmax(logits) : sampleToken(logits, temperature, topK, topP, rng);
        next.push(token);
        if (eos.has(token)) {
          finish[b] = "eos";
          continue;
        }
        out[b]!.push(token);
        const stop = stops.find((s) => endsWith(out[b]!, s));
        if (stop !== undefined) {
          out[b]!.splice(out[b]!.length - stop.length);
          finish[b] = "stop";
        }
        if (finish[b] === null) emit(b, out[b]!.length - holdBack);
      }
      // Rows that are done keep feeding a masked placeholder; their outputs are ignored.
      const nextMask = finish.map((f) => (f === null ? 1 : 0));
      if (useCache) {
        input = next.map((t) => [t]);
        inputMask = nextMask.map((m) => [m]);
      } else {
        rows.forEach((r, b) => r.push(next[b]!));
        masks.forEach((m, b) => m.push(nextMask[b]!));
      }
    }
  } finally {
    session.dispose();
  }
  return out.map((tokens, b) => {
    emit(b, tokens.length);
    return { tokenIds: tokens, finishReason: finish[b] ?? "length" };
  });
}

/** The TF.js model's decoding state: its KV cache (or none). */
/** Decoding on TF.js; the KV cache is preallocated to `capacity` slots (prompt + new tokens) and written in place. */
function tfjsDecodeSession(model: LlamaModel, batch: number, useCache: boolean, capacity: number): DecodeSession {
  const cache = useCache ? new KvCache(model.config.numLayers, batch, capacity) : null;
  return { next: (ids, mask) => lastLogits(model, ids, mask, cache), dispose: () => cache?.dispose() };
}

/** Logits of each row's last position, (B·V) row-major. */
async function lastLogits(
  model: LlamaModel,
  ids: number[][],
  mask: number[][],
  cache: KvCache | null,
): Promise<Float32Array> {
  const logits = tf.tidy(() => {
    const t = ids[0]!.length;
    const input = tf.tensor2d(ids, [ids.length, t], "int32");
    const hidden = model.forwardHidden(input, { attentionMask: mask, ...(cache === null ? {} : { cache }) }); // (B, T, H)
    const lastHidden = tf.slice(hidden, [0, t - 1, 0], [ids.length, 1, model.config.hiddenSize]) as tf.Tensor3D;
    return model.logits(lastHidden); // (B, 1, V)
  });
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** The `count` largest of `values` (ties to the lower index), most likely first. */
function topIndices(values: Float32Array | Float64Array, count: number): number[] {
  let chosen: number[];
  if (count >= values.length) {
    chosen = Array.from(values.keys());
  } else {
    // The count-th largest value by a native numeric sort (fast), then only the few candidates sorted by comparator.
    const sorted = Float64Array.from(values).sort();
    const threshold = sorted[values.length - count]!;
    chosen = [];
    for (let i = 0; i < values.length; i++) if (values[i]! > threshold) chosen.push(i);
    for (let i = 0; i < values.length && chosen.length < count; i++) if (values[i] === threshold) chosen.push(i);
  }
  return chosen.sort((a, b) => values[b]! - values[a]! || a - b);
}

/**
 * Samples a token from softmax(logits / temperature), restricted to the top-k tokens and then to the smallest
 * most-likely set whose probability reaches top-p. Filtered candidates are walked from most to least likely;
 * without filters, in token order.
 *
 * @param logits (V) one row of logits
 * @param topK 0 = off
 * @param topP 1 = off
 * @returns the sampled token id
 */
export function sampleToken(logits: Float32Array, temperature: number, topK: number, topP: number, rng: Xoshiro128): number {
  const v = logits.length;
  let max = -Infinity;
  for (let i = 0; i < v; i++) max = Math.max(max, logits[i]!);
  if (topK === 0 && topP >= 1) {
    const weights = new Float64Array(v);
    let total = 0;
    for (let i = 0; i < v; i++) total += weights[i] = Math.exp((logits[i]! - max) / temperature);
    let u = rng.next() * total;
    for (let i = 0; i < v; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return argmax(logits);
  }
  let keep = topK > 0 ? topIndices(logits, topK) : null;
  const weightOf = (i: number) => Math.exp((logits[i]! - max) / temperature);
  if (topP < 1) {
    // The cut: walk weights from the largest down until their share reaches p (the same sums in the same order
    // whichever tokens tie), then take that many tokens.
    const pool = keep ?? Array.from(logits.keys());
    const descending = Float64Array.from(pool, weightOf).sort().reverse();
    const total = descending.reduce((a, w) => a + w, 0);
    let cut = pool.length;
    let cumulative = 0;
    for (let i = 0; i < descending.length; i++) {
      cumulative += descending[i]! / total;
      if (cumulative >= topP) {
        cut = i + 1;
        break;
      }
    }
    keep = keep === null ? topIndices(logits, cut) : keep.slice(0, cut);
  }
  const kept = keep!.map(weightOf);
  let u = rng.next() * kept.reduce((a, w) => a + w, 0);
  for (let i = 0; i < kept.length; i++) {
    u -= kept[i]!;
    if (u < 0) return keep![i]!;
  }
  return keep![kept.length - 1]!;
}

function endsWith(tokens: number[], suffix: number[]): boolean {
  if (suffix.length > tokens.length) return false;
  const o = tokens.length - suffix.length;
  return suffix.every((t, i) => tokens[o + i] === t);
}
