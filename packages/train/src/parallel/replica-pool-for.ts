// replicaPoolFor: a ReplicaPool of a LlamaModel when more than one worker is asked for and the backend runs on CPU cores.
import * as tf from "@tensorflow/tfjs-core";
import { type LlamaPolicyOptions, llamaPolicy } from "../adapters/llama-policy.ts";
import type { LlamaModel } from "../model/llama.ts";
import { ReplicaPool } from "./replica-pool.ts";

/** Backends whose replicas each use one core of their own (a GPU or native TensorFlow is shared, not replicated). */
const CORE_BACKENDS = new Set(["wasm", "cpu"]);

/**
 * Start `workers` replicas of `model` (its config, RoPE θ and current weights) on the active backend, or return
 * undefined when `workers` is 1 or the backend is not a per-core one (WebGPU, tfjs-node: one device for all).
 * With `reuse` (a pool of a model of the same shapes), that pool is retargeted instead. The caller closes the pool.
 *
 * @example
 * const pool = await replicaPoolFor(model, 2);
 * try { ... llamaEvalModel(model, tok, { name, pool }) ... } finally { await pool?.close(); }
 */
export async function replicaPoolFor(
  model: LlamaModel,
  workers: number,
  forward: LlamaPolicyOptions = {},
  log?: (line: string) => void,
  reuse?: ReplicaPool,
): Promise<ReplicaPool | undefined> {
  if (workers <= 1) return undefined;
  if (reuse !== undefined && reuse.size === workers) {
    await reuse.retarget(model.config, llamaPolicy(model, forward).parameters);
    return reuse;
  }
  const backend = tf.getBackend();
  if (!CORE_BACKENDS.has(backend)) {
    log?.(`workers: ${workers} asked, but backend ${backend} is one device shared by all; using 1`);
    return undefined;
  }
  const policy = llamaPolicy(model, forward);
  return ReplicaPool.start({ workers, backend: backend as "wasm" | "cpu", config: model.config, weights: model.weights(), parameters: policy.parameters, forward });
}
