import { describe, expect, it } from "vitest";
import type { EvalModel } from "./model.ts";
import { stringMatchAll } from "./metrics.ts";
import { runSuite, type ProgressEvent } from "./run-suite.ts";
import type { GenerateTask, LoglikelihoodTask } from "./task.ts";

const echoTask: GenerateTask = {
  kind: "generate",
  name: "echo",
  metrics: { string_match_all: stringMatchAll },
  examples: () =>
    Array.from({ length: 5 }, (_, i) => ({ id: String(i), prompt: `answer ${i}`, references: [String(i)], metadata: { i } })),
};

const choiceTask: LoglikelihoodTask = {
  kind: "loglikelihood",
  name: "choice",
  examples: () => [{ id: "0", context: "Q:", choices: [" a", " bbbb"], gold: 1, metadata: {} }],
};

describe("runSuite", () => {
  it("scores a generation task and reports progress", async () => {
    const model: EvalModel = { name: "echo", generate: async (ps) => ps.map((p) => String(p)) };
    const events: ProgressEvent[] = [];
    const r = await runSuite(model, { name: "s", tasks: [echoTask] }, { batchSize: 2, onProgress: (e) => events.push(e) });
    const t = r.tasks[0];
    expect(t?.status).toBe("completed");
    if (t?.status !== "completed") return;
    expect(t.metrics.string_match_all?.mean).toBe(1);
    expect(t.samples).toHaveLength(5);
    // batches of 2 over 5 examples: 0, 2, 4, 5 while running, then the final "completed"
    expect(events.map((e) => e.done)).toEqual([0, 2, 4, 5, 5]);
    expect(events.at(-1)?.status).toBe("completed");
  });

  it("keeps other tasks when one throws, and skips log-likelihood tasks for a model without it", async () => {
    let calls = 0;
    const model: EvalModel = {
      name: "flaky",
      generate: async (ps) => {
        calls++;
        if (calls === 1) throw new Error("server exploded");
        return ps.map((p) => String(p));
      },
    };
    const r = await runSuite(model, { name: "s", tasks: [echoTask, choiceTask, echoTask] }, { batchSize: 5 });
    expect(r.tasks.map((t) => t.status)).toEqual(["errored", "skipped", "completed"]);
    const first = r.tasks[0];
    if (first?.status === "errored") expect(first.error.message).toBe("server exploded");
  });

  it("computes acc from summed log-probs and acc_norm per byte of the choice", async () => {
    // " a" (2 bytes): -2 ; " bbbb" (5 bytes): -3. acc picks 0 (-2 > -3), wrong; acc_norm: -1 vs -0.6, picks 1, right
    const model: EvalModel = {
      name: "fixed",
      generate: async () => [],
      logLikelihood: async (reqs) => reqs.map((r) => ({ logprob: r.continuation === " a" ? -2 : -3, isGreedy: false })),
    };
    const r = await runSuite(model, { name: "s", tasks: [choiceTask] });
    const t = r.tasks[0];
    if (t?.status !== "completed") throw new Error("expected completed");
    expect(t.metrics.acc?.mean).toBe(0);
    expect(t.metrics.acc_norm?.mean).toBe(1);
  });

  it("errors a task whose model returns the wrong number of outputs", async () => {
    const model: EvalModel = { name: "short", generate: async () => ["x"] };
    const r = await runSuite(model, { name: "s", tasks: [echoTask] }, { batchSize: 3 });
    expect(r.tasks[0]?.status).toBe("errored");
  });

  it("ends the task in progress as errored and skips the rest when the run is aborted", async () => {
    const controller = new AbortController();
    const model: EvalModel = {
      name: "aborting",
      generate: async (ps) => {
        controller.abort();
        return ps.map((p) => String(p));
      },
    };
    const r = await runSuite(model, { name: "s", tasks: [echoTask, echoTask] }, { batchSize: 2, signal: controller.signal });
    expect(r.tasks.map((t) => t.status)).toEqual(["errored", "skipped"]);
  });
});
