// Generator and Scorer over an OpenAI-compatible HTTP endpoint (vLLM, SGLang, llama.cpp's server, Ollama).
import { createOpenAIClient, OpenAIClientError } from "@longpo/io";
import { z } from "zod";
import type { ChatMessage, FinishReason, GenerateRequest, GenerateResult, Generator, ScoreRequest, ScoreResult, Scorer } from "./model-interfaces.ts";

/** Options of {@link createOpenAIModel}. */
export interface OpenAIModelOptions {
  /** The API root, e.g. `http://localhost:8000/v1`. */
  baseURL: string;
  /** The served model's name. */
  model: string;
  /** Default `"EMPTY"` (vLLM's convention for an open server). */
  apiKey?: string;
  /** Most requests in flight at once, across all calls on this model; default 16. */
  concurrency?: number;
  /**
   * Deadline of one attempt in ms, headers and whole body included; a stalled or dripping answer is abandoned
   * (and retried) after this; default 600 000.
   */
  timeoutMs?: number;
  /**
   * Retries of a request that failed with 408/409/429/5xx, a connection error, a timeout, or a body cut short or
   * not JSON, with exponential back-off (0.5 s doubling to 8 s, with jitter; a `retry-after` header is honoured up
   * to `maxRetryAfterMs`); default 4.
   */
  maxRetries?: number;
  /** Longest wait a `retry-after` header can impose, in ms; default 60 000. */
  maxRetryAfterMs?: number;
  /**
   * How to score. `"chat"`: vLLM's `prompt_logprobs` on `/chat/completions` (the server applies its chat
   * template). `"completions"`: `echo` + `logprobs` on `/completions`, for which the prompt is rendered here by
   * `renderChat`. Default: `"completions"` when `renderChat` is given, else `"chat"`.
   */
  scoring?: "chat" | "completions";
  /**
   * The model's chat template as a function (messages → text; with `addGenerationPrompt` the text ends where the
   * assistant's answer starts); needed by `"completions"` scoring.
   */
  renderChat?: (messages: ChatMessage[], options: { addGenerationPrompt: boolean }) => string;
  /** Extra body fields sent with every generation request (e.g. `{ top_k: 20 }` for vLLM). */
  extraBody?: Record<string, unknown>;
  /** Custom fetch, e.g. for a proxy. */
  fetch?: typeof fetch;
}

const Usage = z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0).optional() });

const ChatBody = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }), finish_reason: z.string().nullable().optional() })).min(1),
  usage: Usage.nullable().optional(),
  prompt_logprobs: z.array(z.record(z.string(), z.object({ logprob: z.number() })).nullable()).nullable().optional(),
});

type ChatBody = z.output<typeof ChatBody>;

const CompletionBody = z.object({
  choices: z.array(z.object({
    logprobs: z.object({
      token_logprobs: z.array(z.number().nullable()),
      text_offset: z.array(z.number().int()),
    }).nullable().optional(),
  })).min(1),
  usage: Usage.nullable().optional(),
});

type CompletionBody = z.output<typeof CompletionBody>;

/** Statuses that reject one request for what it is (too long, malformed) rather than the server being down. */
const REQUEST_ERRORS = new Set([400, 413, 422]);

function mapFinish(reason: string | null | undefined): FinishReason {
  return reason === "length" ? "length" : "stop";
}

/**
 * A {@link Generator} and {@link Scorer} for any OpenAI-compatible server, through `@longpo/io`'s client (one
 * deadline over headers and body, retries with back-off, zod-validated bodies) under a fixed concurrency limit.
 *
 * - `generate` sends each request to `/chat/completions` with `temperature`, `top_p`, `max_tokens`, `seed` and
 *   `stop`. A 400/413/422 (e.g. a prompt longer than the context) comes back as `finishReason: "error"` with the
 *   server's message; anything else that outlives the retries is thrown as `OpenAIClientError` naming the URL.
 * - `score` sums the log-probs of the completion's tokens given the prompt. The completion's tokens are those the
 *   chat template renders for the assistant turn, end-of-turn token included: from the end of
 *   `template(messages, generation prompt)` to the end of `template([...messages, {assistant: completion}])`, the
 *   convention of TRL and of `@longpo/train`'s policy log-probs. With `"chat"` scoring it asks
 *   `/chat/completions` for `prompt_logprobs` (vLLM) on the closed dialogue and counts the prompt's tokens from a
 *   second request with the generation prompt (one per distinct prompt in the batch). With `"completions"`
 *   scoring it sends `renderChat` of the closed dialogue to `/completions` with `echo: true, logprobs: 0` and sums
 *   the tokens that start after `renderChat(messages, { addGenerationPrompt: true })`. A server that returns
 *   neither throws an error saying which option to use.
 *
 * @throws {RangeError} when `concurrency` is not an integer ≥ 1, or `"completions"` scoring lacks `renderChat`
 * @throws {OpenAIClientError} (from `generate`/`score`) for a request that fails for good or a body that fails its schema
 * @example
 * ```ts
 * const model = createOpenAIModel({ baseURL: "http://localhost:8000/v1", model: "Qwen/Qwen2.5-7B-Instruct", concurrency: 32 });
 * const [r] = await model.generate([{ messages: [{ role: "user", content: "Hi" }], sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64 } }]);
 * ```
 */
export function createOpenAIModel(options: OpenAIModelOptions): Generator & Scorer {
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Cannot create the HTTP model: concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const scoring = options.scoring ?? (options.renderChat === undefined ? "chat" : "completions");
  if (scoring === "completions" && options.renderChat === undefined) {
    throw new RangeError('Cannot create the HTTP model: "completions" scoring needs renderChat (the chat template as a function), got none');
  }
  const client = createOpenAIClient({
    baseURL: options.baseURL,
    concurrency,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const describe = (path: string) => `${client.baseURL}${path}`;

  async function generateOne(request: GenerateRequest): Promise<GenerateResult> {
    const { sampling } = request;
    let body: ChatBody;
    try {
      body = await client.post("/chat/completions", {
        ...options.extraBody,
        model: options.model,
        messages: request.messages,
        temperature: sampling.temperature,
        top_p: sampling.topP,
        max_tokens: sampling.maxTokens,
        ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
        ...(sampling.stop === undefined ? {} : { stop: sampling.stop }),
      }, ChatBody);
    } catch (error) {
      if (error instanceof OpenAIClientError && error.status !== undefined && REQUEST_ERRORS.has(error.status)) {
        return { text: "", finishReason: "error", promptTokens: 0, completionTokens: 0, error: `${error.status}: ${error.message}` };
      }
      throw error;
    }
    const choice = body.choices[0]!;
    return {
      text: choice.message.content ?? "",
      finishReason: mapFinish(choice.finish_reason),
      promptTokens: body.usage?.prompt_tokens ?? 0,
      completionTokens: body.usage?.completion_tokens ?? 0,
    };
  }

  async function scoreChat(items: ScoreRequest[]): Promise<ScoreResult[]> {
    const prefixLengths = new Map<string, Promise<number>>();
    const prefixLength = (messages: ChatMessage[]): Promise<number> => {
      const key = JSON.stringify(messages);
      let p = prefixLengths.get(key);
      if (p === undefined) {
        p = client.post("/chat/completions", { model: options.model, messages, max_tokens: 1, temperature: 0, add_generation_prompt: true }, ChatBody).then(({ usage }) => {
          if (usage === null || usage === undefined) throw new Error(`Cannot score through ${describe("/chat/completions")}: the response must report usage.prompt_tokens, got none`);
          return usage.prompt_tokens;
        });
        prefixLengths.set(key, p);
      }
      return p;
    };
    return Promise.all(
      items.map(async (item) => {
        const [prefix, { prompt_logprobs: logprobs }] = await Promise.all([
          prefixLength(item.messages),
          client.post("/chat/completions", {
            model: options.model,
            messages: [...item.messages, { role: "assistant", content: item.completion }],
            max_tokens: 1,
            temperature: 0,
            prompt_logprobs: 0,
            add_generation_prompt: false,
          }, ChatBody),
        ]);
        if (logprobs === null || logprobs === undefined) {
          throw new Error(
            `Cannot score through ${describe("/chat/completions")}: the server returned no prompt_logprobs (a vLLM extension). ` +
              'Pass renderChat (and scoring: "completions") to score with echo + logprobs on /completions, or use a server that offers either.',
          );
        }
        let logprob = 0;
        for (let i = prefix; i < logprobs.length; i += 1) {
          const entries = Object.values(logprobs[i] ?? {});
          if (entries.length !== 1) {
            throw new Error(`Cannot score through ${describe("/chat/completions")}: prompt_logprobs must hold exactly the prompt token at each position (send prompt_logprobs: 0), got ${entries.length} entries at position ${i}`);
          }
          logprob += entries[0]!.logprob;
        }
        return { logprob, tokens: Math.max(0, logprobs.length - prefix) };
      }),
    );
  }

  async function scoreCompletions(items: ScoreRequest[]): Promise<ScoreResult[]> {
    const render = options.renderChat!;
    return Promise.all(
      items.map(async (item) => {
        const prefix = render(item.messages, { addGenerationPrompt: true });
        const text = render([...item.messages, { role: "assistant", content: item.completion }], { addGenerationPrompt: false });
        if (!text.startsWith(prefix)) {
          throw new RangeError("Cannot score: renderChat of the dialogue must start with renderChat of the prompt with the generation prompt, got a different prefix");
        }
        let body: CompletionBody;
        try {
          body = await client.post("/completions", { model: options.model, prompt: text, max_tokens: 1, temperature: 0, echo: true, logprobs: 0 }, CompletionBody);
        } catch (error) {
          if (error instanceof OpenAIClientError && error.status === 400) {
            throw new Error(`Cannot score through ${describe("/completions")}: the server refused echo + logprobs (${error.message}). Use a server that returns prompt log-probs (vLLM, or llama.cpp's /completions with echo).`);
          }
          throw error;
        }
        const lp = body.choices[0]!.logprobs;
        if (lp === null || lp === undefined || lp.token_logprobs.length !== lp.text_offset.length) {
          throw new Error(`Cannot score through ${describe("/completions")}: the response must carry logprobs.token_logprobs and text_offset for the echoed prompt, got ${lp === null || lp === undefined ? "none" : "mismatched arrays"}`);
        }
        // text_offset counts code points (Python string indices), not UTF-16 units: measure both ends the same way.
        const start = codePointLength(prefix);
        const end = codePointLength(text);
        let logprob = 0;
        let tokens = 0;
        lp.text_offset.forEach((offset, i) => {
          if (offset < start || offset >= end) return;
          const value = lp.token_logprobs[i];
          if (value === null || value === undefined) throw new Error(`Cannot score through ${describe("/completions")}: token ${i} of the completion has no log-prob`);
          logprob += value;
          tokens += 1;
        });
        return { logprob, tokens };
      }),
    );
  }

  return {
    name: options.model,
    generate: (requests) => Promise.all(requests.map(generateOne)),
    score: (items) => (scoring === "chat" ? scoreChat(items) : scoreCompletions(items)),
  };
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
