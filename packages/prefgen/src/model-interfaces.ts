// The two narrow model interfaces prefgen needs (a Generator and a Scorer) and the chat message they exchange.
import { z } from "zod";

/** One chat message, as in the OpenAI chat API and Hugging Face chat templates. */
export const ChatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});
/** One chat message, as in the OpenAI chat API and Hugging Face chat templates. */
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Sampling settings of one generation request; the defaults are the paper's (T = 0.7, top-p = 0.9). */
export const Sampling = z.object({
  temperature: z.number().min(0).default(0.7).describe("sampling temperature; 0 is greedy"),
  topP: z.number().gt(0).max(1).default(0.9).describe("nucleus sampling mass"),
  maxTokens: z.number().int().positive().default(1024).describe("most tokens to generate"),
  seed: z.number().int().optional().describe("per-request sampling seed, where the backend honours one"),
  stop: z.array(z.string()).optional().describe("stop strings"),
});
/** Sampling settings of one generation request. */
export type Sampling = z.infer<typeof Sampling>;

/** One chat generation request: the dialogue so far (ending with a user turn) and how to sample. */
export interface GenerateRequest {
  messages: ChatMessage[];
  sampling: Sampling;
}

/**
 * Why a generation ended: `"stop"` (end of turn or a stop string), `"length"` (hit `maxTokens`), or `"error"`
 * (the backend rejected this one request, e.g. a prompt longer than its context; `text` is then empty and
 * `error` says why). Transport failures that outlive the retries are thrown, not reported here, so a stage stops
 * and a re-run resumes instead of recording a spurious empty answer.
 */
export type FinishReason = "stop" | "length" | "error";

/** The outcome of one {@link GenerateRequest}. */
export interface GenerateResult {
  text: string;
  finishReason: FinishReason;
  /** Tokens in the rendered prompt, as the backend counted them. */
  promptTokens: number;
  /** Tokens generated. */
  completionTokens: number;
  /** Why the backend refused the request, when `finishReason` is `"error"`. */
  error?: string;
}

/**
 * A chat model that writes text. Batched: `generate` takes many requests and returns one result per request, in
 * the same order. An adapter decides how to run a batch (an HTTP adapter sends them concurrently under its own
 * fixed concurrency limit; an in-process model may loop). Stages hand it batches of `batchSize` requests.
 *
 * @example
 * ```ts
 * const echo: Generator = {
 *   name: "echo",
 *   async generate(requests) {
 *     return requests.map((r) => ({ text: r.messages.at(-1)?.content ?? "", finishReason: "stop", promptTokens: 1, completionTokens: 1 }));
 *   },
 * };
 * ```
 */
export interface Generator {
  /** Model name recorded in each pair's provenance. */
  readonly name: string;
  /**
   * @param requests chat requests, each ending with a user turn
   * @returns one result per request, same order
   * @throws when the backend cannot be reached after the adapter's retries
   */
  generate(requests: GenerateRequest[]): Promise<GenerateResult[]>;
}

/** One completion to score: `messages` is the prompt (ending with a user turn), `completion` the assistant reply. */
export interface ScoreRequest {
  messages: ChatMessage[];
  completion: string;
}

/** The summed log-probability of a completion's tokens given its prompt, and how many tokens were summed. */
export interface ScoreResult {
  /** Σ log π(y_t | x, y_<t) over the completion's tokens only (natural log, no length normalisation). */
  logprob: number;
  /** Number of completion tokens summed. */
  tokens: number;
}

/**
 * A frozen reference model that scores completions: `log π(completion | messages)` summed over the completion's
 * tokens (DESIGN.md: "logπ(y|x) is the sum of the per-token log-probabilities of the response tokens only").
 * The completion's tokens are those the chat template renders for the assistant turn, end-of-turn token included:
 * from the end of `template(messages, generation prompt)` to the end of `template([...messages, assistant])`. This
 * is TRL's convention and `@longpo/train`'s, and every adapter here follows it, so reference and policy log-probs
 * sum the same tokens.
 *
 * @example
 * ```ts
 * const flat: Scorer = {
 *   name: "flat",
 *   async score(items) {
 *     return items.map((i) => ({ logprob: -i.completion.length, tokens: i.completion.length }));
 *   },
 * };
 * ```
 */
export interface Scorer {
  /** Reference model name recorded in each pair's provenance. */
  readonly name: string;
  /**
   * @param items prompts with their completions
   * @returns one score per item, same order
   * @throws when the backend cannot score (no prompt log-probs) or cannot be reached
   */
  score(items: ScoreRequest[]): Promise<ScoreResult[]>;
}
