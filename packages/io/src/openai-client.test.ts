import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { type BadServer, json, type Misbehaviour, startBadServer } from "./_testdata/bad-server.ts";
import { createOpenAIClient, OpenAIClientError, retryAfter } from "./openai-client.ts";

const servers: BadServer[] = [];
async function server(plan: (n: number, path: string) => Misbehaviour): Promise<BadServer> {
  const s = await startBadServer(plan);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const Body = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });
const ok = json({ choices: [{ message: { content: "fine" } }] });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as OpenAIClientError);

describe("createOpenAIClient: every failure ends, typed and naming the URL", () => {
  for (const [label, bad, kind] of [
    ["headers then a stalled body", { kind: "stall" }, "timeout"],
    ["a body that drips one byte every 50 ms", { kind: "drip", everyMs: 50 }, "timeout"],
    ["a body cut short by a dropped connection", { kind: "cut" }, "body"],
    ["a 200 whose body is HTML", { kind: "reply", text: "<html>oops</html>" }, "body"],
  ] as const) {
    it(`retries ${label} like a connection error, then throws kind "${kind}" with the URL`, async () => {
      const s = await server(() => bad);
      const client = createOpenAIClient({ baseURL: s.baseURL, timeoutMs: 300, maxRetries: 1, maxRetryAfterMs: 0 });
      const e = await failure(client.post("/chat/completions", { q: 1 }, Body));
      expect(e).toBeInstanceOf(OpenAIClientError);
      expect([e!.kind, e!.url, e!.attempts]).toEqual([kind, `${s.baseURL}/chat/completions`, 2]);
      expect(e!.message).toContain(`${s.baseURL}/chat/completions`);
      expect(s.requests).toHaveLength(2);
    });
  }

  it("succeeds when the retry after a stalled body gets an answer", async () => {
    const s = await server((n) => (n === 1 ? { kind: "stall" } : ok));
    const client = createOpenAIClient({ baseURL: s.baseURL, timeoutMs: 300, maxRetries: 1 });
    expect(await client.post("/chat/completions", {}, Body)).toEqual({ choices: [{ message: { content: "fine" } }] });
  });

  it("names the URL and the field when the body fails its schema, without retrying", async () => {
    for (const [body, field] of [[{}, "choices"], [{ choices: [{ message: { content: 5 } }] }, "choices.0.message.content"], [{ choices: [{ message: null }] }, "choices.0.message"]] as const) {
      const s = await server(() => json(body));
      const client = createOpenAIClient({ baseURL: s.baseURL, maxRetries: 2 });
      const e = await failure(client.post("/chat/completions", {}, Body));
      expect(e?.kind).toBe("schema");
      expect(e?.message).toContain(`${s.baseURL}/chat/completions: ${field}:`);
      expect(s.requests).toHaveLength(1);
    }
  });

  it("waits at most maxRetryAfterMs when the server asks for an hour", async () => {
    const s = await server((n) => (n === 1 ? json({ error: { message: "busy" } }, 429, { "retry-after": "3600" }) : ok));
    const client = createOpenAIClient({ baseURL: s.baseURL, maxRetries: 1, maxRetryAfterMs: 20 });
    expect((await client.post("/chat/completions", {}, Body)).choices).toHaveLength(1);
    expect(s.requests).toHaveLength(2);
  });

  it("reads retry-after in seconds, as an HTTP date and as retry-after-ms", () => {
    expect(retryAfter(new Headers({ "retry-after": "3600" }))).toBe(3_600_000);
    expect(retryAfter(new Headers({ "retry-after-ms": "25" }))).toBe(25);
    const at = retryAfter(new Headers({ "retry-after": new Date(Date.now() + 10_000).toUTCString() }))!;
    expect(at > 8_000 && at <= 10_000).toBe(true);
    expect(retryAfter(new Headers({}))).toBeUndefined();
  });

  it("does not retry a 400 and reports its status and the server's message", async () => {
    const s = await server(() => json({ error: { message: "prompt too long" } }, 400));
    const e = await failure(createOpenAIClient({ baseURL: s.baseURL, maxRetries: 3 }).post("/completions", {}, Body));
    expect([e?.kind, e?.status, s.requests.length]).toEqual(["status", 400, 1]);
    expect(e?.message).toMatch(/answered 400: prompt too long/);
  });

  it("stops at once, without retrying, when the caller's signal aborts", async () => {
    const s = await server(() => ({ kind: "stall" }));
    const controller = new AbortController();
    const pending = failure(createOpenAIClient({ baseURL: s.baseURL, timeoutMs: 60_000, maxRetries: 3 }).post("/completions", {}, Body, { signal: controller.signal }));
    while (s.requests.length === 0) await new Promise((done) => setTimeout(done, 5)); // the request is in flight
    controller.abort(new Error("user stop"));
    expect(((await pending) as unknown as Error).message).toBe("user stop");
    expect(s.requests).toHaveLength(1);
  });

  it("sends the body as JSON with the bearer key", async () => {
    const s = await server(() => ok);
    await createOpenAIClient({ baseURL: `${s.baseURL}/`, apiKey: "k" }).post("/chat/completions", { model: "m", n: 1 }, Body);
    expect(s.requests[0]).toEqual({ path: "/chat/completions", body: { model: "m", n: 1 } });
  });
});
