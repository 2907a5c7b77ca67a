// An HTTP server on 127.0.0.1 that misbehaves on purpose (stalled, dripping or cut bodies, bad JSON), for the
// OpenAI-compatible client's tests and the adapters built on it (prefgen's and eval's tests import it too).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the n-th request gets. */
export type Misbehaviour =
  | { kind: "stall" } // headers and the first bytes of a body, then nothing
  | { kind: "drip"; everyMs?: number } // headers, then one byte every `everyMs` (default 100), never the end
  | { kind: "cut" } // headers announcing 1000 bytes, a few of them, then the socket is destroyed
  | { kind: "reply"; status?: number; headers?: Record<string, string>; text: string };

export interface BadServer {
  /** The API root, e.g. `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  /** Requests received, with path and parsed body. */
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** A reply with a JSON body. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Misbehaviour => ({ kind: "reply", status, headers, text: JSON.stringify(body) });

/** Start a server answering request n (1-based) with `plan(n, path)`. */
export async function startBadServer(plan: (n: number, path: string) => Misbehaviour): Promise<BadServer> {
  const timers = new Set<ReturnType<typeof setInterval>>();
  const state: BadServer = { baseURL: "", requests: [], close: async () => {} };
  const server = createServer((req, res: ServerResponse) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString("utf8")));
    req.on("end", () => {
      const path = (req.url ?? "").replace(/^\/v1/, "");
      state.requests.push({ path, body: JSON.parse(data || "{}") as Record<string, unknown> });
      const m = plan(state.requests.length, path);
      if (m.kind === "reply") {
        res.writeHead(m.status ?? 200, { "content-type": "application/json", ...m.headers });
        res.end(m.text);
      } else if (m.kind === "stall") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"choices":');
      } else if (m.kind === "drip") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        const t = setInterval(() => res.write(" "), m.everyMs ?? 100);
        timers.add(t);
        res.on("close", () => clearInterval(t));
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"choices":[{"message":');
        setTimeout(() => res.socket?.destroy(), 10);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** What every adapter built on the client must survive, and what its error must then say (besides the URL). */
export const MISBEHAVIOURS: readonly (readonly [label: string, plan: Misbehaviour, says: RegExp])[] = [
  ["a stalled body", { kind: "stall" }, /timed out/],
  ["a body dripping one byte every 50 ms", { kind: "drip", everyMs: 50 }, /timed out/],
  ["a body cut short", { kind: "cut" }, /cut short/],
  ["a 200 whose body is HTML", { kind: "reply", text: "<html><body>gateway</body></html>" }, /not valid JSON/],
  ["a body of {}", json({}), /: choices: /],
  ["a null message", json({ choices: [{ message: null }] }), /: choices\.0\.message: /],
  ["a numeric content", json({ choices: [{ message: { content: 5 } }] }), /: choices\.0\.message\.content: /],
];

/** Call `call` against a server answering every request with `plan`; resolves what it threw (undefined if nothing). */
export async function failureAgainst(plan: Misbehaviour, call: (baseURL: string) => Promise<unknown>): Promise<{ error: unknown; url: string }> {
  const s = await startBadServer(() => plan);
  try {
    await call(s.baseURL);
    return { error: undefined, url: s.baseURL };
  } catch (error) {
    return { error, url: s.baseURL };
  } finally {
    await s.close();
  }
}
