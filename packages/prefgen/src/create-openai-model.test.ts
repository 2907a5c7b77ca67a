import { OpenAIClientError } from "@longpo/io";
import { afterEach, describe, expect, it } from "vitest";
import { type BadServer, failureAgainst, json, MISBEHAVIOURS, startBadServer } from "../../io/src/_testdata/bad-server.ts";
import { createOpenAIModel } from "./create-openai-model.ts";
import type { ChatMessage, GenerateRequest } from "./model-interfaces.ts";
import { renderToyChat, toyTokenLogprob, toyTokens } from "./_testdata/toy-model.ts";
import { startToyServer, type ToyServer } from "./_testdata/toy-server.ts";

const servers: ToyServer[] = [];
async function server(...args: Parameters<typeof startToyServer>): Promise<ToyServer> {
  const s = await startToyServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ask = (content: string): GenerateRequest => ({ messages: [{ role: "user", content }], sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64 } });
// Sum of the toy's per-token log-probs of the completion's words and the closing "<|end|>" token of the assistant
// turn: an independent route to the expected score.
const expectedLogprob = (completion: string) => toyTokens(completion).reduce((s, t) => s + toyTokenLogprob(t.token), 0) + toyTokenLogprob("<|end|>");

describe("createOpenAIModel", () => {
  it("never has more requests in flight than its concurrency, across concurrent calls", async () => {
    const s = await server({ delayMs: 15 });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", concurrency: 4 });
    const batches = [0, 1, 2].map((b) => model.generate(Array.from({ length: 10 }, (_, i) => ask(`question ${b}-${i}: why?`))));
    const results = (await Promise.all(batches)).flat();
    expect(results).toHaveLength(30);
    expect(s.stats.maxInFlight).toBe(4);
    expect(s.stats.requests).toBe(30);
  });

  it("returns text, finish reason and token counts from the chat endpoint, and 'length' when cut off", async () => {
    const s = await server();
    const model = createOpenAIModel({ baseURL: s.url, model: "toy" });
    const [full, cut] = await model.generate([ask("Ahab sailed the sea.\n\nWho sailed?"), { ...ask("Ahab sailed the sea.\n\nWho sailed?"), sampling: { temperature: 0, topP: 1, maxTokens: 3 } }]);
    expect(full?.finishReason).toBe("stop");
    expect(full?.text).toMatch(/^Having read 4 words/);
    expect(full?.promptTokens).toBe(toyTokens(renderToyChat([{ role: "user", content: "Ahab sailed the sea.\n\nWho sailed?" }])).length);
    expect(full?.completionTokens).toBe(toyTokens(full!.text).length);
    expect([cut?.finishReason, cut?.completionTokens, cut?.text]).toEqual(["length", 3, "Having read 4"]);
  });

  it("retries 429 and 503 answers with back-off and then succeeds", async () => {
    const s = await server({ fault: (n) => (n === 1 ? { status: 429, headers: { "retry-after-ms": "20" } } : n === 2 ? { status: 503 } : null) });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", maxRetries: 3 });
    const [r] = await model.generate([ask("Hello there.\n\nWhat?")]);
    expect(r?.finishReason).toBe("stop");
    expect(s.stats.requests).toBe(3);
    // A lower bound on an enforced wait, not a speed claim: after the 429 the client waits the 20 ms the server
    // asked for; the 503 carries no retry-after, so it waits its own back-off, 0.5 s × 2^1 × jitter in [0.75, 1].
    const [first, second, third] = s.stats.arrivals;
    expect(second! - first!).toBeGreaterThanOrEqual(19);
    expect(third! - second!).toBeGreaterThanOrEqual(740);
  });

  it("gives up after maxRetries and throws the server's error", async () => {
    const s = await server({ fault: () => ({ status: 500, headers: { "retry-after-ms": "1" } }) });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", maxRetries: 2 });
    await expect(model.generate([ask("x\n\ny?")])).rejects.toThrow(/500/);
    expect(s.stats.requests).toBe(3);
  });

  it("times out a stalled request, retries it, and succeeds when the server answers", async () => {
    const s = await server({ fault: (n) => (n === 1 ? "stall" : null) });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", timeoutMs: 200, maxRetries: 1 });
    const [r] = await model.generate([ask("x y z.\n\nWhy?")]);
    expect(r?.finishReason).toBe("stop");
    expect(s.stats.requests).toBe(2);
  });

  it("throws a timeout error when every attempt stalls", async () => {
    const s = await server({ fault: () => "stall" });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", timeoutMs: 150, maxRetries: 0 });
    await expect(model.generate([ask("x\n\ny?")])).rejects.toThrow(/timed out/i);
    expect(s.stats.requests).toBe(1);
  });

  it("reports a prompt the server rejects as too long as finishReason 'error' instead of throwing", async () => {
    const s = await server({ maxContextTokens: 10 });
    const model = createOpenAIModel({ baseURL: s.url, model: "toy" });
    const [long, short] = await model.generate([ask("word ".repeat(50)), ask("hi\n\nok?")]);
    expect(long?.finishReason).toBe("error");
    expect(long?.error).toMatch(/400.*more than the context of 10/);
    expect(short?.finishReason).toBe("stop");
  });

  it("scores a completion through vLLM's prompt_logprobs as the sum over the assistant turn's tokens, end-of-turn included", async () => {
    const s = await server();
    const model = createOpenAIModel({ baseURL: s.url, model: "toy" });
    const messages: ChatMessage[] = [{ role: "system", content: "Be brief." }, { role: "user", content: "The whale won.\n\nWho won?" }];
    const items = [{ messages, completion: "The whale won, clearly." }, { messages, completion: "Ahab." }];
    const scores = await model.score(items);
    expect(scores.map((x) => x.tokens)).toEqual([5, 2]); // words + "<|end|>"
    expect(scores[0]!.logprob).toBeCloseTo(expectedLogprob("The whale won, clearly."), 10);
    expect(scores[1]!.logprob).toBeCloseTo(toyTokenLogprob("Ahab.") + toyTokenLogprob("<|end|>"), 10);
    // Two scoring requests plus one prompt-length request shared by both items.
    expect(s.stats.byPath["/chat/completions"]).toBe(3);
  });

  it("scores through /completions with echo + logprobs when given the chat template, with the same numbers", async () => {
    const s = await server();
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", renderChat: renderToyChat });
    const [score] = await model.score([{ messages: [{ role: "user", content: "Sea.\n\nWhat?" }], completion: "A calm sea today." }]);
    expect(score?.tokens).toBe(5);
    expect(score?.logprob).toBeCloseTo(expectedLogprob("A calm sea today."), 10);
    expect(s.stats.byPath["/completions"]).toBe(1);
  });

  it("finds the completion by code points in echo scoring, so characters outside the BMP before it do not shift it", async () => {
    const s = await server();
    const model = createOpenAIModel({ baseURL: s.url, model: "toy", renderChat: renderToyChat });
    const [score] = await model.score([{ messages: [{ role: "user", content: "The 🐳 and the 🦑 fought.\n\nWho won?" }], completion: "The 🐳 won." }]);
    expect(score?.tokens).toBe(4);
    expect(score?.logprob).toBeCloseTo(expectedLogprob("The 🐳 won."), 10);
  });

  it("says which option to use when the server offers no prompt log-probs", async () => {
    const s = await server({ promptLogprobs: false, echo: false });
    const chat = createOpenAIModel({ baseURL: s.url, model: "toy" });
    await expect(chat.score([{ messages: [{ role: "user", content: "a" }], completion: "b c" }])).rejects.toThrow(/no prompt_logprobs.*Pass renderChat/);
    const echo = createOpenAIModel({ baseURL: s.url, model: "toy", renderChat: renderToyChat, maxRetries: 0 });
    await expect(echo.score([{ messages: [{ role: "user", content: "a" }], completion: "b c" }])).rejects.toThrow(/refused echo \+ logprobs/);
  });

  it("rejects a bad concurrency and completions scoring without a template", () => {
    expect(() => createOpenAIModel({ baseURL: "http://127.0.0.1:1/v1", model: "m", concurrency: 0 })).toThrow(RangeError);
    expect(() => createOpenAIModel({ baseURL: "http://127.0.0.1:1/v1", model: "m", scoring: "completions" })).toThrow(/renderChat/);
  });
});

describe("createOpenAIModel against a misbehaving server (issue 14, defect 1)", () => {
  const bad: BadServer[] = [];
  afterEach(async () => {
    await Promise.all(bad.splice(0).map((s) => s.close()));
  });
  const reply = { choices: [{ message: { content: "fine" }, finish_reason: "stop" }] };
  for (const [label, plan, says] of MISBEHAVIOURS) {
    it(`throws OpenAIClientError naming the URL on ${label}`, async () => {
      const generate = (baseURL: string) => createOpenAIModel({ baseURL, model: "toy", timeoutMs: 300, maxRetries: 1 }).generate([ask("x\n\ny?")]);
      const { error, url } = await failureAgainst(plan, generate);
      expect([error instanceof OpenAIClientError, (error as Error).message.includes(`${url}/chat/completions`)]).toEqual([true, true]);
      expect((error as Error).message).toMatch(says);
    });
  }

  it("waits no more than maxRetryAfterMs when a 429 says retry-after: 3600", async () => {
    const s = await startBadServer((n) => (n === 1 ? json({ error: { message: "busy" } }, 429, { "retry-after": "3600" }) : json(reply)));
    bad.push(s);
    const model = createOpenAIModel({ baseURL: s.baseURL, model: "toy", maxRetryAfterMs: 20 });
    expect((await model.generate([ask("x\n\ny?")]))[0]?.text).toBe("fine");
  });
});
