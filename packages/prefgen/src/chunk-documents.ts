// Stage 1: documents (JSONL, a folder of .txt/.md files, or one text file) → chunks.jsonl via @longpo/compress.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { chunkDocument, type ChunkOptions, type Tokenizer } from "@longpo/compress";
import { openJsonlAppender, readJsonl, readKeys } from "@longpo/io";
import { checkBatchSize, runBatched, stageLog, stageProgress } from "./_stage.ts";
import { DocumentChunks, SourceDocument, type StageCommon, type StageReport } from "./stage-records.ts";

/** Documents: a path (a `.jsonl` file of `{ id, text }`, a folder of `.txt`/`.md` files, or one text file) or values. */
export type DocumentSource = string | Iterable<SourceDocument> | AsyncIterable<SourceDocument>;

/**
 * Read documents from a path or pass values through. A folder is walked recursively for `.txt` and `.md` files in
 * sorted order, each one document whose id is its path relative to the folder (with `/`); a `.jsonl` file holds
 * one `{ id, text }` per line (validated); any other file is one document whose id is its file name.
 * @throws {JsonlError} (exported as PreferenceDataError too) on a JSONL line that is not `{ id, text }`
 */
export async function* readDocuments(source: DocumentSource): AsyncGenerator<SourceDocument> {
  if (typeof source !== "string") {
    yield* source;
    return;
  }
  const stat = statSync(source);
  if (stat.isDirectory()) {
    for (const file of listTextFiles(source)) {
      yield { id: relative(source, file).split(sep).join("/"), text: readFileSync(file, "utf8") };
    }
  } else if (source.endsWith(".jsonl")) {
    yield* readJsonl(source, SourceDocument, { tornTail: "parse" });
  } else {
    yield { id: basename(source), text: readFileSync(source, "utf8") };
  }
}

function listTextFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTextFiles(path));
    else if (entry.isFile() && /\.(txt|md)$/i.test(entry.name)) out.push(path);
  }
  return out;
}

/** Options of {@link chunkDocuments}. */
export interface ChunkDocumentsOptions extends StageCommon {
  documents: DocumentSource;
  /** The `chunks.jsonl` to append to. */
  output: string;
  /** Counts tokens for chunking (the short model's tokenizer). */
  tokenizer: Tokenizer;
  /** Chunk sizes: `maxTokens` is the short model's window less room for the question and answer. */
  chunk: ChunkOptions;
  /** Drop documents with fewer chunks than this (a one-chunk document has no long context); default 2. */
  minChunks?: number;
}

/**
 * Stage 1: chunk every document (paragraphs packed whole, `@longpo/compress`'s `chunkDocument`) and append one
 * {@link DocumentChunks} line per document. Documents whose id is already in `output` are skipped.
 * @returns the stage report; `dropped` counts documents by reason ("empty", "too-few-chunks")
 * @example
 * ```ts
 * await chunkDocuments({ documents: "docs/", output: "out/chunks.jsonl", tokenizer, chunk: { maxTokens: 4000 } });
 * ```
 */
export async function chunkDocuments(options: ChunkDocumentsOptions): Promise<StageReport> {
  const minChunks = options.minChunks ?? 2;
  if (!Number.isInteger(minChunks) || minChunks < 1) {
    throw new RangeError(`Cannot chunk documents: minChunks must be an integer ≥ 1, got ${minChunks}`);
  }
  const done = await readKeys(options.output, DocumentChunks, (d) => d.id);
  const out = openJsonlAppender(options.output);
  const progress = stageProgress("chunks", options);
  const dropped: Record<string, number> = {};
  try {
    const { written, skipped } = await runBatched({
      items: readDocuments(options.documents),
      keyOf: (d) => d.id,
      done,
      batchSize: checkBatchSize(64, "chunks"),
      out,
      progress,
      handle: async (docs) =>
        docs.map((doc): DocumentChunks => {
          if (doc.text.trim() === "") {
            dropped.empty = (dropped.empty ?? 0) + 1;
            return { status: "dropped", id: doc.id, reason: "empty" };
          }
          const chunks = chunkDocument(doc.text, options.tokenizer, options.chunk);
          if (chunks.length < minChunks) {
            dropped["too-few-chunks"] = (dropped["too-few-chunks"] ?? 0) + 1;
            return { status: "dropped", id: doc.id, reason: `too-few-chunks: ${chunks.length} < ${minChunks}` };
          }
          const spans = chunks.map((c) => ({ index: c.index, start: c.start, end: c.end, tokens: c.tokens }));
          return { status: "kept", id: doc.id, text: doc.text, tokens: spans.reduce((s, c) => s + c.tokens, 0), chunks: spans };
        }),
    });
    progress?.finish();
    stageLog(options)(`chunks: ${written} document(s) written, ${skipped} already done, dropped ${JSON.stringify(dropped)}`);
    return { stage: "chunks", written, skipped, dropped };
  } finally {
    out.close();
  }
}
