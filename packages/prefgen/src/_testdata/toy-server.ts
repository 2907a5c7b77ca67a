// An OpenAI-compatible HTTP server on 127.0.0.1 in front of the toy model: chat completions (with vLLM's
// prompt_logprobs extension), completions with echo + logprobs, injectable failures, stalls and delays.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage } from "../model-interfaces.ts";
import { renderToyChat, toyReply, toyTokenLogprob, toyTokens } from "./toy-model.ts";

/** What to do with the n-th request (1-based): answer normally (null), fail with a status, or never answer. */
export type ToyFault = null | "stall" | { status: number; headers?: Record<string, string> };

export interface ToyServerOptions {
  /** Milliseconds before each answer; default 0. */
  delayMs?: number;
  /** Whether /chat/completions honours `prompt_logprobs`; default true. */
  promptLogprobs?: boolean;
  /** Whether /completions honours `echo` with `logprobs`; default true. */
  echo?: boolean;
  /** Prompts longer than this many tokens get a 400, like a model's context limit; default none. */
  maxContextTokens?: number;
  fault?: (n: number, path: string) => ToyFault;
}

export interface ToyServer {
  url: string;
  /** Request counts, in-flight high-water mark, and each request's arrival time (ms, `performance.now`). */
  stats: { requests: number; inFlight: number; maxInFlight: number; byPath: Record<string, number>; arrivals: number[] };
  close(): Promise<void>;
}

const tokenId = (token: string): string => String([...token.trimEnd()].reduce((h, c) => (h * 31 + c.codePointAt(0)!) % 50_000, 7));

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      try {
        resolve(JSON.parse(body) as Record<string, unknown>);
      } catch (error) {
        reject(error as Error);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function limit(text: string, maxTokens: number): { text: string; finish: "stop" | "length"; tokens: number } {
  const toks = toyTokens(text);
  if (toks.length <= maxTokens) return { text, finish: "stop", tokens: toks.length };
  return { text: toks.slice(0, maxTokens).map((t) => t.token).join("").trimEnd(), finish: "length", tokens: maxTokens };
}

/** Start the toy server on a free port of 127.0.0.1. */
export async function startToyServer(options: ToyServerOptions = {}): Promise<ToyServer> {
  const stats = { requests: 0, inFlight: 0, maxInFlight: 0, byPath: {} as Record<string, number>, arrivals: [] as number[] };
  const server = createServer((req, res) => {
    const path = (req.url ?? "").replace(/^\/v1/, "");
    stats.requests += 1;
    stats.arrivals.push(performance.now());
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        stats.inFlight -= 1;
      }
    };
    res.on("close", done);
    const fault = options.fault?.(stats.requests, path) ?? null;
    if (fault === "stall") return;
    void readBody(req)
      .then(async (body) => {
        if ((options.delayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, options.delayMs));
        if (fault !== null) return send(res, fault.status, { error: { message: `injected ${fault.status}` } }, fault.headers);
        if (path === "/chat/completions") return chat(body, res);
        if (path === "/completions") return completions(body, res);
        return send(res, 404, { error: { message: `no route ${path}` } });
      })
      .catch((error: Error) => send(res, 400, { error: { message: error.message } }));
  });

  const tooLong = (res: ServerResponse, n: number): boolean => {
    if (options.maxContextTokens === undefined || n <= options.maxContextTokens) return false;
    send(res, 400, { error: { message: `prompt has ${n} tokens, more than the context of ${options.maxContextTokens}` } });
    return true;
  };

  function chat(body: Record<string, unknown>, res: ServerResponse): void {
    const messages = body.messages as ChatMessage[];
    const continueFinal = body.continue_final_message === true;
    const prompt = renderToyChat(messages, { continueFinal, addGenerationPrompt: !continueFinal && body.add_generation_prompt !== false });
    const promptToks = toyTokens(prompt);
    if (tooLong(res, promptToks.length)) return;
    const out = limit(toyReply(messages, Number(body.seed ?? 0)), Number(body.max_tokens ?? 1024));
    const extra: Record<string, unknown> = {};
    if (body.prompt_logprobs !== undefined && body.prompt_logprobs !== null && options.promptLogprobs !== false) {
      extra.prompt_logprobs = promptToks.map((t, i) => (i === 0 ? null : { [tokenId(t.token)]: { logprob: toyTokenLogprob(t.token), rank: 1, decoded_token: t.token } }));
    }
    send(res, 200, {
      id: "chatcmpl-toy", object: "chat.completion", created: 0, model: String(body.model),
      choices: [{ index: 0, message: { role: "assistant", content: out.text }, finish_reason: out.finish, logprobs: null }],
      usage: { prompt_tokens: promptToks.length, completion_tokens: out.tokens, total_tokens: promptToks.length + out.tokens },
      ...extra,
    });
  }

  function completions(body: Record<string, unknown>, res: ServerResponse): void {
    const prompt = String(body.prompt);
    const promptToks = toyTokens(prompt);
    if (tooLong(res, promptToks.length)) return;
    const echo = body.echo === true;
    if (echo && options.echo === false) return send(res, 400, { error: { message: "echo is not supported" } });
    const gen = " ok";
    // Offsets in code points, as Python servers (vLLM) count them.
    const cp = (utf16: number) => [...prompt.slice(0, utf16)].length;
    const end = cp(prompt.length);
    const all = echo ? [...promptToks.map((t) => ({ token: t.token, offset: cp(t.offset) })), { token: gen, offset: end }] : [{ token: gen, offset: end }];
    const logprobs = body.logprobs === undefined || body.logprobs === null ? null : {
      tokens: all.map((t) => t.token),
      token_logprobs: all.map((t, i) => (echo && i === 0 ? null : toyTokenLogprob(t.token))),
      text_offset: all.map((t) => t.offset),
      top_logprobs: null,
    };
    send(res, 200, {
      id: "cmpl-toy", object: "text_completion", created: 0, model: String(body.model),
      choices: [{ index: 0, text: (echo ? prompt : "") + gen, logprobs, finish_reason: "length" }],
      usage: { prompt_tokens: promptToks.length, completion_tokens: 1, total_tokens: promptToks.length + 1 },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
