import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { describe, expect, it } from "vitest";
import { chunkDocuments } from "./chunk-documents.ts";
import { generateQuestions } from "./generate-questions.ts";
import { readJsonl } from "@longpo/io";
import type { GenerateRequest, Generator } from "./model-interfaces.ts";
import { FRAMING_PHRASES } from "./parse-questions.ts";
import { QuestionRecord } from "./stage-records.ts";
import { makeDocument } from "./_testdata/make-documents.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Replies by the passage's first word: "Ahab" → an error, "Pip" → three questions, anything else → four. */
function scripted(): Generator & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    name: "scripted",
    requests,
    async generate(batch) {
      requests.push(...batch);
      return batch.map((r) => {
        const first = r.messages[0]!.content.split(" ")[0];
        if (first === "Ahab") return { text: "", finishReason: "error", promptTokens: 0, completionTokens: 0, error: "400: too long" };
        const n = first === "Pip" ? 3 : 4;
        return { text: Array.from({ length: n }, (_, i) => `${i + 1}: Question ${i + 1} about ${first}?`).join("\n"), finishReason: "stop", promptTokens: 9, completionTokens: 9 };
      });
    },
  };
}

async function chunksFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "prefgen-q-"));
  const documents = ["a", "b", "c", "d"].map((id) => ({ id, text: makeDocument(id, 8, 2) }));
  await chunkDocuments({ documents, output: join(dir, "chunks.jsonl"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 60 }, progress: false });
  return join(dir, "chunks.jsonl");
}

describe("generateQuestions", () => {
  it("keeps a chunk only with exactly four questions, records drops with reasons, and samples at T 0.7, top-p 0.9", async () => {
    const input = await chunksFile();
    const output = join(input, "..", "questions.jsonl");
    const gen = scripted();
    const report = await generateQuestions({ input, output, generator: gen, seed: 1, progress: false });
    const records = await collect(readJsonl(output, QuestionRecord));
    expect(records.length).toBe(gen.requests.length);
    for (const r of records) {
      const first = r.raw === "" ? "Ahab" : /about (\w+)\?/.exec(r.raw)?.[1];
      expect(r.status).toBe(first === "Ahab" || first === "Pip" ? "dropped" : "kept");
      if (r.status === "kept") expect(r.question).toBe(`${r.framing} ${r.questions[r.pick]}`);
      if (r.status === "dropped") expect(r.reason).toMatch(first === "Ahab" ? /^generation-error: 400/ : /^not-four-questions: parsed 3/);
    }
    const dropped = records.filter((r) => r.status === "dropped").length;
    expect(dropped).toBe((report.dropped["generation-error"] ?? 0) + (report.dropped["not-four-questions"] ?? 0));
    // The seeded documents hold chunks of all three kinds.
    expect(report.dropped["generation-error"]).toBeGreaterThan(0);
    expect(report.dropped["not-four-questions"]).toBeGreaterThan(0);
    expect(records.some((r) => r.status === "kept")).toBe(true);
    for (const r of gen.requests) expect([r.sampling.temperature, r.sampling.topP]).toEqual([0.7, 0.9]);
    expect(new Set(gen.requests.map((r) => r.sampling.seed)).size).toBe(gen.requests.length);
  });

  it("picks and frames with the seed: the same seed repeats every choice, another seed changes some", async () => {
    const input = await chunksFile();
    const run = async (seed: number, name: string) => {
      const output = join(input, "..", name);
      await generateQuestions({ input, output, generator: scripted(), seed, progress: false });
      return (await collect(readJsonl(output, QuestionRecord))).flatMap((r) => (r.status === "kept" ? [`${r.pick}|${r.framing}`] : []));
    };
    const [a, b, c] = [await run(5, "q1.jsonl"), await run(5, "q2.jsonl"), await run(6, "q3.jsonl")];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const choice of a) expect(FRAMING_PHRASES).toContain(choice.split("|")[1]);
  });

  it("asks about chunksPerDocument chunks per document, and a second run asks nothing", async () => {
    const input = await chunksFile();
    const output = join(input, "..", "one.jsonl");
    const gen = scripted();
    await generateQuestions({ input, output, generator: gen, seed: 3, chunksPerDocument: 1, progress: false });
    const records = await collect(readJsonl(output, QuestionRecord));
    expect(records.map((r) => r.doc_id)).toEqual(["a", "b", "c", "d"]);
    const again = scripted();
    const report = await generateQuestions({ input, output, generator: again, seed: 3, chunksPerDocument: 1, progress: false });
    expect([report.written, report.skipped, again.requests.length]).toEqual([0, 4, 0]);
  });
});
