// The model interface every evaluation speaks: generation and (optionally) log-likelihood scoring.
import type { Tokenizer } from "@longpo/compress";

/** Text to token ids and back, in the model's own vocabulary: the `Tokenizer` of `@longpo/compress`. */
export type { Tokenizer };

/** One chat turn, as OpenAI-compatible servers and chat templates read it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A raw prompt string (completion style) or a list of chat messages (chat style). */
export type Prompt = string | readonly ChatMessage[];

/** Sampling options of one generation call; unset fields take the adapter's defaults (greedy where possible). */
export interface SamplingOptions {
  /** Most new tokens to generate. */
  maxTokens?: number;
  /** Softmax temperature; 0 means greedy. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]. */
  topP?: number;
  /** Seed for sampling, for servers and models that honour one. */
  seed?: number;
  /** Strings that end generation; the returned text excludes them. */
  stop?: readonly string[];
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** One log-likelihood request: score `continuation` given `context` (the text is `context + continuation`). */
export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

/** Summed log-probability (natural log) of the continuation's tokens, and whether greedy decoding produces it. */
export interface LoglikelihoodResult {
  logprob: number;
  isGreedy: boolean;
}

/**
 * What `@longpo/eval` needs of a model. `generate` is required; `logLikelihood` is an optional capability
 * (tasks of kind "loglikelihood" are skipped for a model without it).
 *
 * Both methods take a batch and return one result per input, in order.
 */
export interface EvalModel {
  /** A name for reports, e.g. "vllm:Qwen2.5-7B-Instruct". */
  readonly name: string;
  /** Generates one completion per prompt. */
  generate(prompts: readonly Prompt[], options?: SamplingOptions): Promise<string[]>;
  /** Scores each continuation given its context. */
  logLikelihood?(requests: readonly LoglikelihoodRequest[], options?: { signal?: AbortSignal }): Promise<LoglikelihoodResult[]>;
}
