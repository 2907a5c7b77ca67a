// A real HTTP server on 127.0.0.1 for adapter tests: each request goes to a handler that decides the answer.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface FakeServer {
  baseURL: string;
  /** Request bodies in arrival order, with their paths. */
  requests: { path: string; body: Record<string, unknown> }[];
  /** Most requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startFakeServer(
  handler: (path: string, body: Record<string, unknown>, n: number) => FakeReply | Promise<FakeReply>,
): Promise<FakeServer> {
  let inFlight = 0;
  const state: FakeServer = { baseURL: "", requests: [], maxInFlight: 0, close: async () => {} };
  const read = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString("utf8")));
      req.on("end", () => resolve(data));
    });
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const body = JSON.parse((await read(req)) || "{}") as Record<string, unknown>;
    const path = (req.url ?? "").replace(/^\/v1/, "");
    state.requests.push({ path, body });
    const reply = await handler(path, body, state.requests.length);
    if (reply.hang) {
      req.on("close", () => inFlight--);
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    inFlight--;
    res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.baseURL = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A /v1/completions answer with one choice. */
export function completion(text: string, logprobs?: unknown): unknown {
  return { id: "c", object: "text_completion", created: 0, model: "m", choices: [{ index: 0, text, finish_reason: "stop", logprobs: logprobs ?? null }] };
}

/** A /v1/chat/completions answer with one choice. */
export function chatCompletion(content: string): unknown {
  return {
    id: "c",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
  };
}
