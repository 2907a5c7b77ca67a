import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIModel } from "./create-openai-model.ts";
import type { Generator } from "./model-interfaces.ts";
import { exportTrl, type TrlConversationalRow } from "./export-trl.ts";
import { applyFilters, defaultFilters } from "./filters.ts";
import { readJsonl } from "@longpo/io";
import { parseNumberedQuestions } from "./parse-questions.ts";
import { PreferencePair, pairId } from "./preference-pair.ts";
import { runPipeline } from "./run-pipeline.ts";
import { QuestionRecord } from "./stage-records.ts";
import { writeDocumentFolder } from "./_testdata/make-documents.ts";
import { toyTokenLogprob, toyTokens } from "./_testdata/toy-model.ts";
import { startToyServer, type ToyServer } from "./_testdata/toy-server.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
// The toy server's log-prob of an assistant turn (its words and the closing "<|end|>"), recomputed from the toy's
// per-token rule (independent of the adapter).
const toyLogprob = (text: string) => toyTokens(text).reduce((s, t) => s + toyTokenLogprob(t.token), 0) + toyTokenLogprob("<|end|>");

let server: ToyServer;
beforeAll(async () => {
  server = await startToyServer();
});
afterAll(async () => {
  await server.close();
});

describe("runPipeline against an OpenAI-compatible server on 127.0.0.1", () => {
  const root = mkdtempSync(join(tmpdir(), "prefgen-e2e-"));
  const docs = join(root, "docs");
  const ids = writeDocumentFolder(docs, 6);
  const outDir = join(root, "out");
  const run = () =>
    runPipeline({
      documents: docs, outDir, tokenizer: createWordTokenizer(), chunk: { maxTokens: 120 },
      generator: createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: 8 }),
      scorer: createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: 8 }),
      seed: 3, batchSize: 8, progress: false,
    });

  it("turns documents into scored pairs whose reference log-probs match the toy model's, and exports them for TRL", async () => {
    const { files, filter, reports } = await run();
    const questions = await collect(readJsonl(files.questions, QuestionRecord));
    const responses = await collect(readJsonl(files.responses, PreferencePair));
    const pairs = await collect(readJsonl(files.pairs, PreferencePair));

    // Every document was chunked, every chunk was asked about; kept exactly when four questions parse.
    expect(new Set(questions.map((q) => q.doc_id))).toEqual(new Set(ids));
    for (const q of questions) expect(parseNumberedQuestions(q.raw).length === 4).toBe(q.status === "kept");
    const kept = questions.filter((q) => q.status === "kept");
    expect(kept.length).toBeGreaterThan(0);
    expect(questions.length - kept.length).toBe(reports[1]!.dropped["not-four-questions"]);
    for (const q of kept) expect(q.question.endsWith(q.questions[q.pick]!)).toBe(true);

    // One response pair per kept question; the filter keeps exactly the pairs its functions accept.
    expect(responses.length).toBe(kept.length);
    expect(filter.total).toBe(responses.length);
    expect(pairs.map((p) => p.id)).toEqual(responses.filter((p) => applyFilters(p, defaultFilters()).kept).map((p) => p.id));
    expect(filter.kept).toBe(pairs.length);

    const texts = new Map(ids.map((id) => [id, readFileSync(join(docs, id), "utf8")]));
    for (const pair of pairs) {
      const turn = pair.turns[0]!;
      const doc = texts.get(pair.doc_id)!;
      expect(pair.id).toBe(pairId(pair.doc_id, [turn.chunk], [turn.question]));
      expect(pair.prompt_short[0]!.content).toBe(`${doc.slice(turn.chunk.start, turn.chunk.end)}\n\n${turn.question}`);
      expect(pair.prompt_long[0]!.content).toBe(`${doc}\n\n${turn.question}`);
      expect(pair.ref_chosen_logps).toBeCloseTo(toyLogprob(pair.chosen), 9);
      expect(pair.ref_rejected_logps).toBeCloseTo(toyLogprob(pair.rejected), 9);
      expect(pair.provenance).toMatchObject({ model: "toy", reference_model: "toy", seed: 3, stage: 1 });
      expect(pair.tokens.prompt_long).toBeGreaterThan(pair.tokens.prompt_short);
    }
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);

    const trlFile = join(root, "trl.jsonl");
    const summary = await exportTrl(readJsonl(files.pairs, PreferencePair), trlFile);
    const rows = readFileSync(trlFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as TrlConversationalRow);
    expect(summary).toEqual({ written: pairs.length, skippedMultiTurn: 0 });
    expect(Object.keys(rows[0]!).sort()).toEqual(["chosen", "prompt", "ref_chosen_logps", "ref_rejected_logps", "rejected"]);
    rows.forEach((row, i) => {
      expect(row.prompt).toEqual(pairs[i]!.prompt_long);
      expect(row.chosen).toEqual([{ role: "assistant", content: pairs[i]!.chosen }]);
      expect(row.rejected).toEqual([{ role: "assistant", content: pairs[i]!.rejected }]);
      expect([row.ref_chosen_logps, row.ref_rejected_logps]).toEqual([pairs[i]!.ref_chosen_logps, pairs[i]!.ref_rejected_logps]);
    });
  });

  it("a second run over the same folder writes nothing and leaves the files as they were", async () => {
    const before = readFileSync(join(outDir, "pairs.jsonl"), "utf8");
    const requests = server.stats.requests;
    const { reports } = await run();
    expect(reports.map((r) => r.written)).toEqual([0, 0, 0, 0, 0]);
    expect(server.stats.requests).toBe(requests);
    expect(readFileSync(join(outDir, "pairs.jsonl"), "utf8")).toBe(before);
  });
});

describe("multi-turn dialogues", () => {
  it("puts two chunks of a document in one dialogue; the rejected answer of turn 2 saw the first exchange", async () => {
    const root = mkdtempSync(join(tmpdir(), "prefgen-multi-"));
    writeDocumentFolder(join(root, "docs"), 4);
    const model = createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: 8 });
    const { files } = await runPipeline({
      documents: join(root, "docs"), outDir: join(root, "out"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 120 },
      generator: model, scorer: model, seed: 5, turns: 2, progress: false,
    });
    const pairs = await collect(readJsonl(files.responses, PreferencePair));
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) {
      expect(pair.turns).toHaveLength(2);
      expect(pair.turns[0]!.chunk.index).toBeLessThan(pair.turns[1]!.chunk.index);
      expect(pair.id).toBe(pairId(pair.doc_id, pair.turns.map((t) => t.chunk), pair.turns.map((t) => t.question)));
      // The toy ends each answer with the number of user turns it saw.
      expect(pair.turns.map((t) => t.chosen.endsWith("turn 1.") || !t.chosen.startsWith("Having"))).toEqual([true, true]);
      if (pair.turns[1]!.rejected.startsWith("Having")) expect(pair.turns[1]!.rejected.endsWith("turn 2.")).toBe(true);
    }
    for (const pair of await collect(readJsonl(files.pairs, PreferencePair))) {
      expect(pair.ref_chosen_logps).toBeCloseTo(toyLogprob(pair.turns[0]!.chosen) + toyLogprob(pair.turns[1]!.chosen), 9);
      expect(pair.ref_rejected_logps).toBeCloseTo(pair.turns[0]!.ref_rejected_logps! + pair.turns[1]!.ref_rejected_logps!, 12);
      expect(pair.turns[1]!.ref_rejected_logps).toBeCloseTo(toyLogprob(pair.turns[1]!.rejected), 9);
    }
  });
});

describe("a separate long-context generator", () => {
  it("receives exactly the rejected requests (whole document), while the short generator gets questions and chosen", async () => {
    const root = mkdtempSync(join(tmpdir(), "prefgen-long-"));
    writeDocumentFolder(join(root, "docs"), 3);
    const http = createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: 4 });
    const seen = { short: [] as string[], long: [] as string[] };
    const spy = (name: "short" | "long"): Generator => ({
      name: `toy-${name}`,
      generate: (requests) => {
        seen[name].push(...requests.map((r) => r.messages[0]!.content));
        return http.generate(requests);
      },
    });
    const { files } = await runPipeline({
      documents: join(root, "docs"), outDir: join(root, "out"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 120 },
      generator: spy("short"), longGenerator: spy("long"), scorer: http, seed: 2, progress: false,
    });
    const responses = await collect(readJsonl(files.responses, PreferencePair));
    expect(seen.long.sort()).toEqual(responses.map((p) => p.prompt_long[0]!.content).sort());
    const chosenPrompts = new Set(responses.map((p) => p.prompt_short[0]!.content));
    expect(seen.short.filter((c) => !c.includes("Write four questions")).sort()).toEqual([...chosenPrompts].sort());
    expect(responses[0]?.provenance.model).toBe("toy-short");
  });
});

describe("progress and summaries", () => {
  it("off a terminal, each stage logs progress lines and a summary with its drops by reason", async () => {
    const root = mkdtempSync(join(tmpdir(), "prefgen-log-"));
    writeDocumentFolder(join(root, "docs"), 3);
    const model = createOpenAIModel({ baseURL: server.url, model: "toy" });
    const progressLines: string[] = [];
    const summaries: string[] = [];
    const { filter } = await runPipeline({
      documents: join(root, "docs"), outDir: join(root, "out"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 120 },
      generator: model, scorer: model, seed: 4,
      progress: { sink: { isTTY: false, write: (t) => void progressLines.push(t) }, intervalMs: 0 },
      log: (line) => summaries.push(line),
    });
    expect(summaries.map((l) => l.split(":")[0])).toEqual(["chunks", "questions", "responses", "filter", "score"]);
    expect(summaries[3]).toBe(`filter: ${filter.kept} of ${filter.total} pair(s) kept (${filter.kept} written now, 0 already there); dropped ${JSON.stringify(filter.dropped)}`);
    expect(progressLines.some((l) => /^questions: \d+% \d+\/\d+ [\d.]+(\/s|s\/it) elapsed \d+:\d\d eta/.test(l))).toBe(true);
    expect(progressLines.every((l) => l.endsWith("\n"))).toBe(true);
  });
});
