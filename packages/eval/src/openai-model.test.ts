import { OpenAIClientError } from "@longpo/io";
import { afterEach, describe, expect, it } from "vitest";
import { type BadServer, failureAgainst, json, MISBEHAVIOURS, startBadServer } from "../../io/src/_testdata/bad-server.ts";
import { chatCompletion, completion, startFakeServer, type FakeServer } from "./_testdata/fake-server.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { LogprobsUnavailableError, openAIModel } from "./openai-model.ts";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("openAIModel over a real HTTP server on 127.0.0.1", () => {
  it("sends raw prompts to /completions and chat messages to /chat/completions with the sampling options", async () => {
    server = await startFakeServer((path, body) =>
      path === "/completions" ? { body: completion(`raw:${String(body.prompt)}`) } : { body: chatCompletion(`chat:${(body.messages as { content: string }[])[0]?.content}`) },
    );
    const model = openAIModel({ baseURL: server.baseURL, model: "m" });
    const out = await model.generate(["hello", [{ role: "user", content: "hi" }]], { maxTokens: 7, temperature: 0.5, topP: 0.9, seed: 3, stop: ["\n"] });
    expect(out).toEqual(["raw:hello", "chat:hi"]);
    const sent = server.requests.find((r) => r.path === "/completions")?.body;
    expect(sent).toMatchObject({ model: "m", prompt: "hello", max_tokens: 7, temperature: 0.5, top_p: 0.9, seed: 3, stop: ["\n"] });
  });

  it("retries on 429 and 503 and then succeeds", async () => {
    server = await startFakeServer((_p, _b, n) =>
      n === 1 ? { status: 429, headers: { "retry-after-ms": "5" }, body: { error: { message: "slow down" } } }
      : n === 2 ? { status: 503, headers: { "retry-after-ms": "5" }, body: { error: { message: "busy" } } }
      : { body: completion("ok") },
    );
    const model = openAIModel({ baseURL: server.baseURL, model: "m", maxRetries: 2 });
    expect(await model.generate(["x"])).toEqual(["ok"]);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after maxRetries and does not retry a 400", async () => {
    server = await startFakeServer((path) =>
      path === "/completions" ? { status: 500, headers: { "retry-after-ms": "1" }, body: { error: { message: "boom" } } } : { status: 400, body: { error: { message: "bad request" } } },
    );
    const model = openAIModel({ baseURL: server.baseURL, model: "m", maxRetries: 1 });
    await expect(model.generate(["x"])).rejects.toThrow(/500/);
    expect(server.requests).toHaveLength(2);
    await expect(model.generate([[{ role: "user", content: "x" }]])).rejects.toThrow(/400/);
    expect(server.requests).toHaveLength(3);
  });

  it("times out a request that never answers, and retries it", async () => {
    server = await startFakeServer((_p, _b, n) => (n === 1 ? { hang: true } : { body: completion("late but fine") }));
    const oneShot = openAIModel({ baseURL: server.baseURL, model: "m", timeoutMs: 150, maxRetries: 0 });
    await expect(oneShot.generate(["x"])).rejects.toThrow(/timed out/i);
    server.requests.length = 0;
    const retrying = openAIModel({ baseURL: server.baseURL, model: "m", timeoutMs: 150, maxRetries: 1 });
    expect(await retrying.generate(["y"])).toEqual(["late but fine"]);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    server = await startFakeServer(() => ({ delayMs: 40, body: completion("z") }));
    const model = openAIModel({ baseURL: server.baseURL, model: "m", concurrency: 3 });
    await model.generate(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(server.maxInFlight).toBe(3);
  });
});

describe("openAIModel log-likelihood", () => {
  it("sums the echoed log-probs of the continuation, located by text offsets", async () => {
    // prompt "The cat sat" = tokens "The"(0) " cat"(3) " sat"(7), then the generated token at offset 11
    server = await startFakeServer(() => ({
      body: completion("", {
        tokens: ["The", " cat", " sat", "."],
        token_logprobs: [null, -1.5, -0.25, -3],
        top_logprobs: [null, { " cat": -1.5, " dog": -2 }, { " sat": -0.25 }, { ".": -3 }],
        text_offset: [0, 3, 7, 11],
      }),
    }));
    const model = openAIModel({ baseURL: server.baseURL, model: "m" });
    const [r] = await model.logLikelihood!([{ context: "The", continuation: " cat sat" }]);
    // -1.5 + -0.25; both tokens are the top choice at their position
    expect(r).toEqual({ logprob: -1.75, isGreedy: true });
    expect(server.requests[0]?.body).toMatchObject({ echo: true, logprobs: 1, max_tokens: 1, prompt: "The cat sat" });
  });

  it("sends token ids and splits at the context's token count when given a tokenizer", async () => {
    const tokenizer = toyTokenizer();
    server = await startFakeServer((_p, body) => {
      const n = (body.prompt as number[]).length; // 3 prompt tokens + 1 generated
      return { body: completion("", { token_logprobs: [null, -1, -2, -4], top_logprobs: [null, { a: -0.5 }, { b: -2 }, { c: -4 }].slice(0, n + 1) }) };
    });
    const model = openAIModel({ baseURL: server.baseURL, model: "m", tokenizer });
    const [r] = await model.logLikelihood!([{ context: "Hi", continuation: " you two" }]);
    expect(server.requests[0]?.body.prompt).toEqual([...tokenizer.encode("Hi"), ...tokenizer.encode(" you two")]);
    // positions 1 and 2: -1 + -2; position 1 is not the top choice (-1 < -0.5)
    expect(r).toEqual({ logprob: -3, isGreedy: false });
  });

  it("reads vLLM's prompt_logprobs by token id and rank", async () => {
    const tokenizer = toyTokenizer();
    const ids = [...tokenizer.encode("Q:"), ...tokenizer.encode(" yes")];
    server = await startFakeServer(() => ({
      body: {
        choices: [
          {
            index: 0,
            text: "",
            logprobs: null,
            prompt_logprobs: ids.map((id, i) => (i === 0 ? null : { [String(id)]: { logprob: -0.5 * i, rank: 1 } })),
          },
        ],
      },
    }));
    const model = openAIModel({ baseURL: server.baseURL, model: "m", tokenizer, logprobs: "prompt_logprobs" });
    const [r] = await model.logLikelihood!([{ context: "Q:", continuation: " yes" }]);
    // "Q:" is two toy tokens, " yes" one: only position 2 counts, -0.5 * 2
    expect(r).toEqual({ logprob: -1, isGreedy: true });
    expect(server.requests[0]?.body.prompt_logprobs).toBe(1);
  });

  it("explains clearly when the server returns no log-probs", async () => {
    server = await startFakeServer(() => ({ body: completion(" x") }));
    const model = openAIModel({ baseURL: server.baseURL, model: "m" });
    const err = await model.logLikelihood!([{ context: "a", continuation: " b" }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogprobsUnavailableError);
    expect((err as Error).message).toMatch(/returned no prompt log-probs.*echo=true and logprobs=1/);
  });

  it("requires a tokenizer for prompt_logprobs", () => {
    expect(() => openAIModel({ baseURL: "http://127.0.0.1:1/v1", model: "m", logprobs: "prompt_logprobs" })).toThrow(TypeError);
  });
});

describe("openAIModel against a misbehaving server (issue 14, defects 1 and 2)", () => {
  const bad: BadServer[] = [];
  afterEach(async () => {
    await Promise.all(bad.splice(0).map((s) => s.close()));
  });
  for (const [label, plan, says] of MISBEHAVIOURS) {
    it(`ends ${label} with OpenAIClientError naming the URL, never a wrong value`, async () => {
      const { error, url } = await failureAgainst(plan, (baseURL) => openAIModel({ baseURL, model: "m", timeoutMs: 300, maxRetries: 1 }).generate([[{ role: "user", content: "hi" }]]));
      expect(error).toBeInstanceOf(OpenAIClientError);
      expect((error as Error).message).toContain(`${url}/chat/completions`);
      expect((error as Error).message).toMatch(says);
    });
  }

  it("rejects a raw completion whose text is not a string", async () => {
    const s = await startBadServer(() => json({ choices: [{ text: 7 }] }));
    bad.push(s);
    await expect(openAIModel({ baseURL: s.baseURL, model: "m" }).generate(["x"])).rejects.toThrow(/\/completions: choices\.0\.text: /);
  });

  it("waits no more than maxRetryAfterMs when a 429 says retry-after: 3600", async () => {
    const s = await startBadServer((n) => (n === 1 ? json({ error: { message: "busy" } }, 429, { "retry-after": "3600" }) : json({ choices: [{ message: { content: "fine" } }] })));
    bad.push(s);
    expect(await openAIModel({ baseURL: s.baseURL, model: "m", maxRetryAfterMs: 20 }).generate([[{ role: "user", content: "x" }]])).toEqual(["fine"]);
  });
});
