// Adapter for OpenAI-compatible servers (vLLM, SGLang, llama.cpp's server, Ollama) over @longpo/io's client.
import { createOpenAIClient, type OpenAIClient } from "@longpo/io";
import { z } from "zod";
import type { EvalModel, LoglikelihoodRequest, LoglikelihoodResult, Prompt, SamplingOptions, Tokenizer } from "./model.ts";

/** Options of `openAIModel`. */
export interface OpenAIModelOptions {
  /** Server root including `/v1`, e.g. "http://127.0.0.1:8000/v1". */
  baseURL: string;
  /** Model name as the server knows it. */
  model: string;
  /** Default "EMPTY" (local servers ignore it). */
  apiKey?: string;
  /** Deadline of one attempt in milliseconds, headers and whole body included; a timed-out request is retried. Default 600000. */
  timeoutMs?: number;
  /**
   * Retries on connection errors, timeouts, bodies cut short or not JSON, 408, 409, 429 and 5xx, with exponential
   * backoff or the server's `retry-after` (at most `maxRetryAfterMs`). Default 3.
   */
  maxRetries?: number;
  /** Longest wait a `retry-after` header can impose, in ms; default 60 000. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Name in reports; default "openai:<model>". */
  name?: string;
  /**
   * How log-likelihoods are read: "echo" (`/v1/completions` with `echo` and `logprobs`, as lm-evaluation-harness
   * does; works on vLLM and OpenAI-style servers) or "prompt_logprobs" (vLLM's extension; needs `tokenizer`).
   * Default "echo".
   */
  logprobs?: "echo" | "prompt_logprobs";
  /**
   * The served model's tokenizer. When given, log-likelihood prompts are sent as token ids so the context and the
   * continuation split exactly; without it the split uses the server's character offsets, and a token that
   * straddles the boundary counts with the context.
   */
  tokenizer?: Tokenizer;
}

/** The server answered, but without the prompt log-probs a log-likelihood needs. */
export class LogprobsUnavailableError extends Error {
  override readonly name = "LogprobsUnavailableError";
}

const EchoLogprobs = z.object({
  tokens: z.array(z.string()).optional(),
  token_logprobs: z.array(z.number().nullable()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
  text_offset: z.array(z.number()).nullish(),
});

const CompletionBody = z.object({ choices: z.array(z.object({ text: z.string() })).min(1) });
const ChatBody = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1) });
const ScoreBody = z.object({ choices: z.array(z.object({ logprobs: z.unknown().optional(), prompt_logprobs: z.unknown().optional() })).min(1) });

const PromptLogprobs = z.array(z.record(z.string(), z.object({ logprob: z.number(), rank: z.number().nullish() })).nullable());

/** Code-point length, the unit of the `text_offset` that Python servers return. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * An `EvalModel` over an OpenAI-compatible HTTP server: string prompts go to `/v1/completions`, chat messages to
 * `/v1/chat/completions`; log-likelihoods come from `/v1/completions` (see `logprobs`). Requests run with at
 * most `concurrency` in flight through `@longpo/io`'s client: one deadline over headers and body, retries, and
 * response bodies validated (a malformed one throws `OpenAIClientError` naming the URL and the field).
 * @throws {TypeError} when `logprobs` is "prompt_logprobs" and no tokenizer is given.
 * @example
 * const model = openAIModel({ baseURL: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-0.5B-Instruct" });
 * const [answer] = await model.generate([[{ role: "user", content: "2 + 2 = ?" }]], { maxTokens: 8 });
 */
export function openAIModel(options: OpenAIModelOptions): EvalModel & { readonly client: OpenAIClient } {
  const mode = options.logprobs ?? "echo";
  if (mode === "prompt_logprobs" && options.tokenizer === undefined) {
    throw new TypeError("Cannot use prompt_logprobs: a tokenizer must be given to map positions to token ids, got none");
  }
  const client = createOpenAIClient({
    baseURL: options.baseURL,
    concurrency: options.concurrency ?? 8,
    maxRetries: options.maxRetries ?? 3,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }),
  });
  const where = `${options.baseURL} (model ${options.model})`;

  const generateOne = async (prompt: Prompt, o: SamplingOptions): Promise<string> => {
    const common = {
      model: options.model,
      max_tokens: o.maxTokens ?? 128,
      temperature: o.temperature ?? 0,
      ...(o.topP !== undefined ? { top_p: o.topP } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.stop !== undefined && o.stop.length > 0 ? { stop: [...o.stop] } : {}),
    };
    const requestOptions = o.signal !== undefined ? { signal: o.signal } : {};
    if (typeof prompt === "string") return (await client.post("/completions", { ...common, prompt }, CompletionBody, requestOptions)).choices[0]!.text;
    const r = await client.post("/chat/completions", { ...common, messages: prompt.map((m) => ({ role: m.role, content: m.content })) }, ChatBody, requestOptions);
    return r.choices[0]!.message.content ?? "";
  };

  const noLogprobs = (detail: string): LogprobsUnavailableError =>
    new LogprobsUnavailableError(
      `Cannot compute log-likelihoods: the server at ${where} returned no prompt log-probs (${detail}). ` +
        `The adapter asks /v1/completions for echo=true and logprobs=1${mode === "prompt_logprobs" ? " with prompt_logprobs=1" : ""}; ` +
        "use a server that returns them (vLLM does; with vLLM you can also pass logprobs: \"prompt_logprobs\" and a tokenizer), " +
        "or run only generation tasks on this server.",
    );

  const scoreOne = async (req: LoglikelihoodRequest, signal: AbortSignal | undefined): Promise<LoglikelihoodResult> => {
    const tok = options.tokenizer;
    const ctxIds = tok?.encode(req.context);
    const contIds = tok?.encode(req.continuation);
    const prompt = ctxIds !== undefined && contIds !== undefined ? [...ctxIds, ...contIds] : req.context + req.continuation;
    const body: Record<string, unknown> = { model: options.model, prompt, max_tokens: 1, temperature: 0, echo: mode === "echo", logprobs: 1 };
    if (mode === "prompt_logprobs") body.prompt_logprobs = 1;
    const choice = (await client.post("/completions", body, ScoreBody, signal !== undefined ? { signal } : {})).choices[0]!;

    if (mode === "prompt_logprobs") {
      const parsed = PromptLogprobs.safeParse(choice.prompt_logprobs);
      const ids = prompt as number[];
      if (!parsed.success || parsed.data.length < ids.length) throw noLogprobs("choices[0].prompt_logprobs is missing or too short");
      let logprob = 0;
      let isGreedy = true;
      for (let i = Math.max(1, (ctxIds as number[]).length); i < ids.length; i++) {
        const entry = parsed.data[i]?.[String(ids[i])];
        if (entry === undefined) throw noLogprobs(`prompt_logprobs[${i}] lacks the prompt token ${ids[i]}`);
        logprob += entry.logprob;
        if (entry.rank !== 1) isGreedy = false;
      }
      return { logprob, isGreedy };
    }

    const parsed = EchoLogprobs.safeParse(choice.logprobs);
    if (!parsed.success) throw noLogprobs("choices[0].logprobs is missing or has no token_logprobs");
    const lp = parsed.data;
    let positions: number[];
    if (ctxIds !== undefined && contIds !== undefined) {
      positions = contIds.map((_, j) => ctxIds.length + j);
    } else {
      const offsets = lp.text_offset;
      if (offsets == null) throw noLogprobs("choices[0].logprobs.text_offset is missing, so the continuation cannot be located; pass a tokenizer");
      const start = codePoints(req.context);
      const end = start + codePoints(req.continuation);
      positions = [];
      offsets.forEach((off, i) => {
        if (off >= start && off < end && i < lp.token_logprobs.length) positions.push(i);
      });
    }
    if (positions.length === 0 || positions.some((i) => i >= lp.token_logprobs.length)) {
      throw noLogprobs("the echoed prompt log-probs do not cover the continuation");
    }
    let logprob = 0;
    let isGreedy = true;
    for (const i of positions) {
      const v = lp.token_logprobs[i];
      if (v === null || v === undefined) throw noLogprobs(`token_logprobs[${i}] is null (the first token of a prompt has none; give the continuation a context)`);
      logprob += v;
      const top = lp.top_logprobs?.[i];
      const best = top == null ? Number.NEGATIVE_INFINITY : Math.max(...Object.values(top));
      if (top == null || v < best - 1e-6) isGreedy = false;
    }
    return { logprob, isGreedy };
  };

  return {
    name: options.name ?? `openai:${options.model}`,
    client,
    generate: (prompts, o = {}) => Promise.all(prompts.map((p) => generateOne(p, o))),
    logLikelihood: (requests, o = {}) => Promise.all(requests.map((r) => scoreOne(r, o.signal))),
  };
}
