import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { describe, expect, it } from "vitest";
import { chunkDocuments, readDocuments } from "./chunk-documents.ts";
import { readJsonl } from "@longpo/io";
import { JsonlError as PreferenceDataError } from "@longpo/io";
import { DocumentChunks } from "./stage-records.ts";
import { writeDocumentFolder } from "./_testdata/make-documents.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("document sources", () => {
  it("reads documents from JSONL, a single file and a folder of .txt/.md files (recursively, sorted)", async () => {
    const root = mkdtempSync(join(tmpdir(), "prefgen-docs-"));
    writeFileSync(join(root, "docs.jsonl"), '{"id":"a","text":"One."}\n{"id":"b","text":"Two."}');
    writeFileSync(join(root, "single.txt"), "Alone.");
    writeDocumentFolder(join(root, "folder", "sub"), 2);
    writeFileSync(join(root, "folder", "z.md"), "Zed.");
    writeFileSync(join(root, "folder", "skip.json"), "{}");
    expect(await collect(readDocuments(join(root, "docs.jsonl")))).toEqual([{ id: "a", text: "One." }, { id: "b", text: "Two." }]);
    expect(await collect(readDocuments(join(root, "single.txt")))).toEqual([{ id: "single.txt", text: "Alone." }]);
    expect((await collect(readDocuments(join(root, "folder")))).map((d) => d.id)).toEqual(["sub/doc-00.txt", "sub/doc-01.md", "z.md"]);
  });

  it("drops empty and one-chunk documents, and stops with file and line on a malformed JSONL document", async () => {
    const root = mkdtempSync(join(tmpdir(), "prefgen-chunks-"));
    const report = await chunkDocuments({
      documents: [{ id: "empty", text: "  " }, { id: "short", text: "Tiny." }, { id: "long", text: "word ".repeat(300) }],
      output: join(root, "chunks.jsonl"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 100 }, progress: false,
    });
    expect(report.dropped).toEqual({ empty: 1, "too-few-chunks": 1 });
    expect(report.written).toBe(3);
    const [empty, short, long] = await collect(readJsonl(join(root, "chunks.jsonl"), DocumentChunks));
    expect([empty?.status, short?.status, long?.status]).toEqual(["dropped", "dropped", "kept"]);
    // Chunks cover the document exactly once, so the long context is the document itself.
    if (long?.status === "kept") expect(long.chunks.map((c) => long.text.slice(c.start, c.end)).join("")).toBe(long.text);
    writeFileSync(join(root, "bad.jsonl"), '{"id":"a","text":"ok"}\n{"id":"b"}\n');
    const error = await chunkDocuments({ documents: join(root, "bad.jsonl"), output: join(root, "c2.jsonl"), tokenizer: createWordTokenizer(), chunk: { maxTokens: 100 }, progress: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreferenceDataError);
    expect((error as PreferenceDataError).line).toBe(2);
    expect((error as PreferenceDataError).issues[0]?.path).toEqual(["text"]);
  });
});
