// The messages between a ReplicaPool and its worker threads (structured-clone data only).
import type { LlamaPolicyOptions } from "../adapters/llama-policy.ts";
import type { BackendPreference } from "../model/backend.ts";
import type { ModelConfig, WeightMap } from "../model/config.ts";
import type { GenerateOptions, GenerationResult } from "../model/generate.ts";
import type { TokenizedSequence } from "../trainer/training-example.ts";
import type { MicroBatch, StepLossOptions, StepMetrics } from "../trainer/train-step.ts";

/** Where each parameter sits in a shared float32 buffer (the policy's parameter order, its own layout). */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** A worker's `workerData`: how to build its replica, and the shared buffers it reads and writes. */
export interface ReplicaInit {
  index: number;
  backend: BackendPreference;
  config: ModelConfig;
  weights: WeightMap;
  forward: LlamaPolicyOptions;
  layout: ParameterSlot[];
  /** The current weights, written by the parent before each request that carries a new `version` (float32, `layout`). */
  weightsBuffer: SharedArrayBuffer;
  /** This worker's gradients, written by it (float32, `layout`). */
  gradientBuffer: SharedArrayBuffer;
}

/**
 * Generation options that cross a thread: no callbacks, but the one logits edit the demo needs as data
 * (`allowedFirstTokens[row]`: the tokens row may start with; the others get −Infinity at its first step).
 */
export type PortableGenerateOptions = Omit<GenerateOptions, "onToken" | "logitsProcessor"> & { allowedFirstTokens?: number[][] };

/** An inference job: one batch to score (summed label log-probs per sequence) or to continue. */
export type ReplicaJob =
  | { type: "score"; seqs: TokenizedSequence[]; padId: number; batchSize: number }
  | { type: "generate"; prompts: number[][]; options: PortableGenerateOptions };

/** A job's result: sums for "score", one result per prompt for "generate". */
export type ReplicaJobResult = number[] | GenerationResult[];

/** Parent → worker. */
export type ReplicaRequest =
  | { id: number; version: number; type: "gradients"; mb: MicroBatch; opts: StepLossOptions }
  | ({ id: number; version: number } & ReplicaJob)
  | { id: number; type: "rebuild"; config: ModelConfig }
  | { id: number; type: "crash" };

/** Worker → parent. */
export type ReplicaReply =
  | { type: "ready"; backend: string }
  | { id: number; type: "gradients"; metrics: StepMetrics }
  | { id: number; type: "score"; sums: number[] }
  | { id: number; type: "generate"; results: GenerationResult[] }
  | { id: number; type: "rebuild" }
  | { id: number | null; type: "error"; message: string; stack: string };
