// ReplicaPool: N worker threads, each holding a model replica on its own TF.js backend instance, for
// data-parallel gradients (summed through shared memory in a fixed order) and sharded scoring and generation.
import * as tf from "@tensorflow/tfjs-core";
import type { LlamaPolicyOptions } from "../adapters/llama-policy.ts";
import type { BackendPreference } from "../model/backend.ts";
import type { ModelConfig, WeightMap } from "../model/config.ts";
import { startWorker, type WorkerHandle } from "../runtime.ts";
import type { TokenizedSequence } from "../trainer/training-example.ts";
import type { MicroBatch, StepLossOptions, StepMetrics } from "../trainer/train-step.ts";
import type { Progress } from "@longpo/prefgen";
import type { ParameterSlot, ReplicaInit, ReplicaJob, ReplicaJobResult, ReplicaReply, ReplicaRequest } from "./replica-protocol.ts";
import { mergeShardMetrics, shardMicroBatch } from "./shard-micro-batch.ts";

/** A worker thread that threw or died; the pool is unusable afterwards (the run stops and can resume). */
export class WorkerFailedError extends Error {
  override name = "WorkerFailedError";
  readonly worker: number;
  constructor(worker: number, problem: string) {
    super(`Cannot continue: worker ${worker} of the replica pool ${problem}`);
    this.worker = worker;
  }
}

/** What each replica is built from. */
export interface ReplicaPoolOptions {
  workers: number;
  /** The backend each worker selects (the parent's own choice, e.g. "wasm"). */
  backend: BackendPreference;
  config: ModelConfig;
  weights: WeightMap;
  /** The parameters the pool keeps in sync (the parent's policy, in optimizer order, its own layout). */
  parameters: ReadonlyMap<string, tf.Variable>;
  forward?: LlamaPolicyOptions;
}

type Pending = { resolve(r: ReplicaReply): void; reject(e: Error): void };

interface Slot {
  handle: WorkerHandle;
  pending: Map<number, Pending>;
  gradients: Float32Array;
}

const WORKER_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/**
 * A pool of model replicas in worker threads. Gradient requests split a micro-batch by pairs over the workers;
 * each worker writes its shard's gradient into its own shared buffer and the parent sums them in worker order,
 * so a run is bit-identical for a given worker count. Before each request the parent's current weights go to the
 * replicas through one shared buffer (the parent alone runs the optimizer; see BENCHMARKS.md for the cost), so
 * the pool always computes with the parent model's weights.
 *
 * @example
 * const pool = await ReplicaPool.start({ workers: 2, backend: "wasm", config, weights: model.weights(), parameters: policy.parameters });
 * try { await train({ ...options, gradients: pool }); } finally { await pool.close(); }
 */
export class ReplicaPool {
  readonly size: number;
  readonly #slots: Slot[];
  #parameters: [string, tf.Variable][];
  readonly #layout: ParameterSlot[];
  readonly #weights: Float32Array;
  #next = 0;
  #version = 0;
  #failure: WorkerFailedError | null = null;
  #closing = false;

  private constructor(o: ReplicaPoolOptions) {
    if (!Number.isInteger(o.workers) || o.workers < 1) throw new RangeError(`Cannot start replica pool: workers must be an integer ≥ 1, got ${o.workers}`);
    this.size = o.workers;
    this.#parameters = [...o.parameters.entries()];
    let offset = 0;
    this.#layout = this.#parameters.map(([name, v]) => {
      const slot = { name, shape: [...v.shape], offset, size: v.size };
      offset += v.size;
      return slot;
    });
    const weightsBuffer = new SharedArrayBuffer(offset * 4);
    this.#weights = new Float32Array(weightsBuffer);
    const entry = new URL(`./replica-worker${WORKER_EXT}`, import.meta.url);
    this.#slots = [];
    for (let index = 0; index < o.workers; index++) {
      const gradientBuffer = new SharedArrayBuffer(offset * 4);
      const init: ReplicaInit = {
        index,
        backend: o.backend,
        config: o.config,
        weights: o.weights,
        forward: o.forward ?? {},
        layout: this.#layout,
        weightsBuffer,
        gradientBuffer,
      };
      const slot: Slot = { handle: startWorker(entry, init), pending: new Map(), gradients: new Float32Array(gradientBuffer) };
      this.#slots.push(slot);
      slot.handle.on("message", (m) => this.#onReply(index, m as ReplicaReply));
      slot.handle.on("error", (e) => this.#fail(index, `threw: ${e.message}`));
      slot.handle.on("exit", (code) => {
        if (!this.#closing) this.#fail(index, `exited (code ${code}) before the pool was closed`);
      });
    }
  }

  /** Start `workers` threads and wait until each has built its replica. */
  static async start(o: ReplicaPoolOptions): Promise<ReplicaPool> {
    const pool = new ReplicaPool(o);
    try {
      await Promise.all(pool.#slots.map((_, i) => pool.#request(i, null)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  #onReply(index: number, m: ReplicaReply): void {
    const slot = this.#slots[index] as Slot;
    if (m.type === "error") {
      if (m.id === null) {
        this.#fail(index, `could not start: ${m.message}`);
        return;
      }
      const p = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      p?.reject(new WorkerFailedError(index, `threw: ${m.message}`));
      this.#fail(index, `threw: ${m.message}`);
      return;
    }
    const id = m.type === "ready" ? -1 : m.id;
    const p = slot.pending.get(id);
    slot.pending.delete(id);
    p?.resolve(m);
  }

  #fail(index: number, problem: string): void {
    this.#failure ??= new WorkerFailedError(index, problem);
    for (const slot of this.#slots) {
      for (const p of slot.pending.values()) p.reject(this.#failure);
      slot.pending.clear();
    }
  }

  /** Send a request (null: wait for "ready") to one worker and wait for its reply. */
  #request(index: number, r: ReplicaRequest | null): Promise<ReplicaReply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const slot = this.#slots[index] as Slot;
    return new Promise((resolve, reject) => {
      slot.pending.set(r === null ? -1 : r.id, { resolve, reject });
      if (r !== null) slot.handle.postMessage(r);
    });
  }

  #id(): number {
    return this.#next++;
  }

  /**
   * The gradient and metrics of one micro-batch, computed by the workers on their shards at the parent's current
   * weights, and summed in worker order (fixed, so a run is reproducible).
   *
   * @returns gradients by parameter name (caller disposes), as `microBatchGradients` does
   */
  async compute(mb: MicroBatch, opts: StepLossOptions): Promise<{ grads: Map<string, tf.Tensor>; metrics: StepMetrics }> {
    this.#publishWeights();
    const shards = shardMicroBatch(mb, opts, this.size);
    const version = this.#version;
    const replies = await Promise.all(shards.map((s, i) => this.#request(i, { id: this.#id(), version, type: "gradients", mb: s.mb, opts: s.opts })));
    const metrics = replies.map((r) => (r as Extract<ReplicaReply, { type: "gradients" }>).metrics);
    const grads = new Map<string, tf.Tensor>();
    for (const [i, slot] of this.#layout.entries()) {
      const sum = new Float32Array(slot.size);
      for (let w = 0; w < shards.length; w++) {
        const g = (this.#slots[w] as Slot).gradients;
        for (let j = 0; j < slot.size; j++) sum[j] = (sum[j] as number) + (g[slot.offset + j] as number);
      }
      grads.set(this.#parameters[i]?.[0] as string, tf.tensor(sum, slot.shape, "float32"));
    }
    return { grads, metrics: mergeShardMetrics(shards, metrics) };
  }

  /** Write the parent's current parameters into the shared weights buffer, as a new version. */
  #publishWeights(): void {
    this.#version++;
    for (const [i, [, v]] of this.#parameters.entries()) {
      this.#weights.set(v.dataSync() as Float32Array, (this.#layout[i] as ParameterSlot).offset);
    }
  }

  /**
   * Run inference jobs (one batch each) over the workers: each free worker takes the next job, and the results
   * come back in job order. A job is computed exactly as one replica in this thread would compute it (same
   * batch, same seed), so the results do not depend on the worker count.
   */
  async runJobs(jobs: readonly ReplicaJob[], onDone?: (done: number) => void): Promise<ReplicaJobResult[]> {
    this.#publishWeights();
    const version = this.#version;
    const results = new Array<ReplicaJobResult>(jobs.length);
    let next = 0;
    let done = 0;
    const loop = async (w: number) => {
      while (next < jobs.length) {
        const k = next++;
        const reply = await this.#request(w, { id: this.#id(), version, ...(jobs[k] as ReplicaJob) });
        results[k] = reply.type === "score" ? reply.sums : (reply as Extract<ReplicaReply, { type: "generate" }>).results;
        onDone?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.size, jobs.length) }, (_, w) => loop(w)));
    return results;
  }

  /**
   * Summed label log-probs of each sequence, as `scoreSequences` computes them (the same length-sorted batches),
   * the batches spread over the workers; results in input order.
   */
  async scoreSequences(seqs: readonly TokenizedSequence[], padId: number, batchSize = 4, progress?: Progress): Promise<number[]> {
    const order = seqs.map((_, i) => i).sort((a, b) => (seqs[b]?.ids.length ?? 0) - (seqs[a]?.ids.length ?? 0));
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    const sums = await this.runJobs(
      batches.map((idx) => ({ type: "score", seqs: idx.map((i) => seqs[i] as TokenizedSequence), padId, batchSize: idx.length })),
      (done) => progress?.update(Math.min(order.length, done * batchSize)),
    );
    progress?.finish();
    const out = new Array<number>(seqs.length).fill(Number.NaN);
    batches.forEach((idx, b) => {
      idx.forEach((i, k) => {
        out[i] = (sums[b] as number[])[k] ?? Number.NaN;
      });
    });
    return out;
  }

  /**
   * Point the pool at another model of the same parameter shapes (another RoPE θ, other weights): each replica is
   * rebuilt from `config`, and the next request sends `parameters`' current values. Cheaper than a new pool.
   *
   * @throws {TypeError} when the parameters' names or sizes differ from the pool's
   */
  async retarget(config: ModelConfig, parameters: ReadonlyMap<string, tf.Variable>): Promise<void> {
    const next = [...parameters.entries()];
    if (next.length !== this.#layout.length || next.some(([name, v], i) => this.#layout[i]?.name !== name || this.#layout[i]?.size !== v.size)) {
      throw new TypeError("Cannot retarget replica pool: the parameters must have the pool's names and sizes, got a different model");
    }
    await Promise.all(this.#slots.map((_, i) => this.#request(i, { id: this.#id(), type: "rebuild", config })));
    this.#parameters = next;
  }

  /** Make one worker throw (`throw`) or end its thread from outside as a kill would (`kill`): for tests. */
  async fault(index: number, how: "throw" | "kill"): Promise<void> {
    const slot = this.#slots[index];
    if (slot === undefined) throw new RangeError(`Cannot fault worker: index must be < ${this.size}, got ${index}`);
    if (how === "kill") await slot.handle.terminate();
    else await this.#request(index, { id: this.#id(), type: "crash" }).catch(() => undefined);
  }

  /** End every worker thread. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.handle.terminate()));
  }
}
