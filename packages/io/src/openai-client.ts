// The one OpenAI-compatible HTTP client: a deadline over headers and body, bounded retries, validated JSON bodies.
import pLimit from "p-limit";
import type { z } from "zod";

/** Options of {@link createOpenAIClient}. */
export interface OpenAIClientOptions {
  /** The API root, e.g. `http://localhost:8000/v1`. */
  baseURL: string;
  /** Sent as a bearer token; default `"EMPTY"` (vLLM's convention for an open server). */
  apiKey?: string;
  /** Deadline of one attempt in ms, from sending the request to the last byte of the body; default 600 000. */
  timeoutMs?: number;
  /**
   * Retries of an attempt that timed out, failed to connect, was cut short, returned a body that is not JSON, or
   * was answered 408/409/429/5xx; default 4. Back-off 0.5 s doubling to 8 s (× a jitter in [0.75, 1]), or the
   * server's `retry-after-ms` / `retry-after`, capped at `maxRetryAfterMs`.
   */
  maxRetries?: number;
  /** Longest wait a `retry-after` header can impose, in ms; default 60 000. */
  maxRetryAfterMs?: number;
  /** Most requests in flight at once through this client (retries and their waits included); default 16. */
  concurrency?: number;
  /** Custom fetch, e.g. for a proxy. */
  fetch?: typeof fetch;
}

/** How a request failed: no answer in time, no connection, an error status, a body that is not JSON, or one that fails its schema. */
export type OpenAIClientErrorKind = "timeout" | "connection" | "status" | "body" | "schema";

/** A request that failed for good (after its retries, where the failure is retryable). Names the URL. */
export class OpenAIClientError extends Error {
  override readonly name = "OpenAIClientError";
  /** What went wrong. */
  readonly kind: OpenAIClientErrorKind;
  /** The full URL of the request. */
  readonly url: string;
  /** The HTTP status, for `kind: "status"`. */
  readonly status: number | undefined;
  /** Attempts made. */
  readonly attempts: number;

  constructor(kind: OpenAIClientErrorKind, url: string, message: string, options: { status?: number; attempts: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.url = url;
    this.status = options.status;
    this.attempts = options.attempts;
  }
}

/** Options of one {@link OpenAIClient.post}. */
export interface PostOptions {
  /** Aborts the request (not retried). */
  signal?: AbortSignal;
}

/** A client bound to one server. */
export interface OpenAIClient {
  /** The API root, without a trailing slash. */
  readonly baseURL: string;
  /**
   * POST `body` as JSON to `baseURL + path` and return the response body validated by `schema`.
   * @throws {OpenAIClientError} when the request fails for good, or the body fails `schema` (kind "schema", naming the field)
   */
  post<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: PostOptions): Promise<z.output<S>>;
}

const RETRY_STATUSES = new Set([408, 409, 429]);

/** Why an attempt failed, and whether to try again. */
interface Failure {
  kind: OpenAIClientErrorKind;
  detail: string;
  retry: boolean;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A client for an OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, Ollama). Each attempt runs under
 * one deadline (an `AbortSignal`) that covers the response headers and the whole body, so a server that stalls
 * or drips its body is abandoned after `timeoutMs` and retried like a lost connection.
 * @throws {RangeError} for a `concurrency` or `maxRetries` that is not a non-negative integer (concurrency ≥ 1)
 * @example
 * const client = createOpenAIClient({ baseURL: "http://localhost:8000/v1", timeoutMs: 60_000 });
 * const body = await client.post("/chat/completions", { model: "m", messages }, z.object({ choices: z.array(z.unknown()) }));
 */
export function createOpenAIClient(options: OpenAIClientOptions): OpenAIClient {
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Cannot create the HTTP client: concurrency must be an integer ≥ 1, got ${concurrency}`);
  const maxRetries = options.maxRetries ?? 4;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`Cannot create the HTTP client: maxRetries must be an integer ≥ 0, got ${maxRetries}`);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const baseURL = options.baseURL.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const limit = pLimit(concurrency);
  const headers = { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${options.apiKey ?? "EMPTY"}` };

  async function attempt(url: string, payload: string, signal: AbortSignal | undefined): Promise<{ ok: true; value: unknown } | { ok: false; failure: Failure }> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const both = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    try {
      const response = await doFetch(url, { method: "POST", headers, body: payload, signal: both });
      let text: string;
      try {
        text = await untilAborted(response.text(), both);
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        if (deadline.signal.aborted) return { ok: false, failure: { kind: "timeout", detail: `the body did not arrive within ${timeoutMs} ms (timed out)`, retry: true } };
        return { ok: false, failure: { kind: "body", detail: `the body was cut short (${message(error)})`, retry: true, cause: error } };
      }
      if (!response.ok) {
        const status = response.status;
        const retryAfterMs = retryAfter(response.headers);
        return {
          ok: false,
          failure: { kind: "status", status, detail: `the server answered ${status}: ${errorText(text)}`, retry: RETRY_STATUSES.has(status) || status >= 500, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
        };
      }
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (error) {
        return { ok: false, failure: { kind: "body", detail: `the body is not valid JSON (${message(error)}): ${JSON.stringify(text.slice(0, 80))}`, retry: true, cause: error } };
      }
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (deadline.signal.aborted) return { ok: false, failure: { kind: "timeout", detail: `no answer within ${timeoutMs} ms (timed out)`, retry: true } };
      return { ok: false, failure: { kind: "connection", detail: `the connection failed (${message(error)})`, retry: true, cause: error } };
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = `${baseURL}${path}`;
    const payload = JSON.stringify(body);
    for (let attempts = 1; ; attempts++) {
      const result = await attempt(url, payload, signal);
      if (result.ok) return result.value;
      const f = result.failure;
      if (!f.retry || attempts > maxRetries) {
        const tail = f.retry ? ` (after ${attempts} attempt${attempts === 1 ? "" : "s"})` : "";
        throw new OpenAIClientError(f.kind, url, `Cannot POST ${url}: ${f.detail}${tail}`, { attempts, ...(f.status === undefined ? {} : { status: f.status }), cause: f.cause });
      }
      const backoff = Math.min(500 * 2 ** (attempts - 1), 8000) * (1 - 0.25 * Math.random());
      await sleep(f.retryAfterMs === undefined ? backoff : Math.min(f.retryAfterMs, maxRetryAfterMs), signal);
    }
  }

  return {
    baseURL,
    async post(path, body, schema, postOptions = {}) {
      const value = await limit(() => send(path, body, postOptions.signal));
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const url = `${baseURL}${path}`;
        const issue = parsed.error.issues[0];
        const where = issue === undefined ? "(root)" : issue.path.length === 0 ? "(root)" : issue.path.join(".");
        throw new OpenAIClientError("schema", url, `Cannot read the response of ${url}: ${where}: ${issue?.message ?? "invalid body"}`, { attempts: 1 });
      }
      return parsed.data;
    },
  };
}

/**
 * The wait a response asks for, in ms: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date.
 * @returns undefined when neither header is present or readable
 */
export function retryAfter(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** `promise`, or a rejection as soon as `signal` aborts (whatever the runtime does with the pending read). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {}); // a read abandoned at the deadline may reject later: not an unhandled rejection
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The server's error message from an OpenAI-style error body, else the start of the text. */
function errorText(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof v.error === "string" ? v.error : (v.error?.message ?? v.message);
    if (typeof m === "string") return m;
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || "(empty body)";
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
