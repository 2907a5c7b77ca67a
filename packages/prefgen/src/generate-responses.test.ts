import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { describe, expect, it } from "vitest";
import { chunkDocuments } from "./chunk-documents.ts";
import { generateQuestions } from "./generate-questions.ts";
import { generateResponses } from "./generate-responses.ts";
import { readJsonl } from "@longpo/io";
import type { Generator } from "./model-interfaces.ts";
import { PreferencePair } from "./preference-pair.ts";
import { QuestionRecord } from "./stage-records.ts";
import { makeDocument } from "./_testdata/make-documents.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

// Four questions for every question prompt; an answer naming how many messages it saw otherwise.
const fake: Generator = {
  name: "fake",
  async generate(batch) {
    return batch.map((r) => {
      const last = r.messages.at(-1)!.content;
      const text = last.includes("Write four questions") ? "1: a?\n2: b?\n3: c?\n4: d?" : `answer after ${r.messages.length} message(s) of ${last.length} chars`;
      return { text, finishReason: "stop", promptTokens: last.length, completionTokens: 5 };
    });
  },
};

async function questionsFor(docs: { id: string; paragraphs: number }[]): Promise<{ dir: string; kept: number }> {
  const dir = mkdtempSync(join(tmpdir(), "prefgen-r-"));
  const documents = docs.map((d) => ({ id: d.id, text: makeDocument(d.id, d.paragraphs, 3) }));
  await chunkDocuments({ documents, output: join(dir, "chunks.jsonl"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 60 }, progress: false });
  await generateQuestions({ input: join(dir, "chunks.jsonl"), output: join(dir, "questions.jsonl"), generator: fake, seed: 1, progress: false });
  const kept = (await collect(readJsonl(join(dir, "questions.jsonl"), QuestionRecord))).filter((q) => q.status === "kept").length;
  return { dir, kept };
}

describe("generateResponses", () => {
  it("groups n chunks of a document per dialogue in document order and drops the leftovers", async () => {
    const { dir, kept } = await questionsFor([{ id: "x", paragraphs: 7 }, { id: "y", paragraphs: 5 }]);
    const report = await generateResponses({ chunks: join(dir, "chunks.jsonl"), questions: join(dir, "questions.jsonl"), output: join(dir, "r.jsonl"), generator: fake, seed: 1, turns: 3, progress: false });
    const pairs = await collect(readJsonl(join(dir, "r.jsonl"), PreferencePair));
    expect(pairs.length * 3 + (report.dropped["incomplete-dialogue"] ?? 0)).toBe(kept);
    for (const p of pairs) {
      expect(p.turns.map((t) => t.chunk.index)).toEqual([...p.turns.map((t) => t.chunk.index)].sort((a, b) => a - b));
      // Chosen answers saw one message (chunk + question); rejected turn i saw the long dialogue of 2i + 1 messages.
      expect(p.turns.map((t) => t.chosen.split(" ")[2])).toEqual(["1", "1", "1"]);
      expect(p.turns.map((t) => t.rejected.split(" ")[2])).toEqual(["1", "3", "5"]);
      expect(p.tokens.chosen).toBe(15); // 3 turns × 5 tokens
    }
  });

  it("rejects a generator that returns fewer results than requests", async () => {
    const { dir } = await questionsFor([{ id: "z", paragraphs: 4 }]);
    const lossy: Generator = { name: "lossy", generate: async (batch) => (await fake.generate(batch)).slice(1) };
    await expect(generateResponses({ chunks: join(dir, "chunks.jsonl"), questions: join(dir, "questions.jsonl"), output: join(dir, "r.jsonl"), generator: lossy, seed: 1, progress: false }))
      .rejects.toThrow(/one result per request/);
  });

  it("rejects turns below 1", async () => {
    await expect(generateResponses({ chunks: "c", questions: "q", output: "o", generator: fake, seed: 1, turns: 0 })).rejects.toThrow(RangeError);
  });
});
