// compress with a real tokenizer: phi-3-mini (Llama-2 SentencePiece, byte fallback) through transformers.js, offline.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { beforeAll, describe, expect, it } from "vitest";
import { adaptTransformersTokenizer } from "./adapt-transformers-tokenizer.ts";
import { chunkTokenized } from "./chunk-document.ts";
import { joinChunks } from "./join-chunks.ts";
import { keepHeadAndTail } from "./keep-head-and-tail.ts";
import { selectByBm25 } from "./select-by-bm25.ts";
import { selectRandom } from "./select-random.ts";
import { type TokenizedDocument, tokenizeDocument, type Tokenizer } from "./tokenize-document.ts";

const ASSETS = join(import.meta.dirname, "..", "..", "..", "..", "shared", "assets");
const PHI3 = join(ASSETS, "tokenizers", "phi-3-mini");
const SHAKESPEARE = join(ASSETS, "haystack", "tinyshakespeare.txt");
const present = existsSync(join(PHI3, "tokenizer.json")) && existsSync(SHAKESPEARE);
if (!present) console.warn(`skipping real-tokenizer tests: ${PHI3} or ${SHAKESPEARE} is missing`);

describe.runIf(present)("compress with the phi-3-mini tokenizer on tinyshakespeare", () => {
  let tokenizer: Tokenizer;
  let doc: TokenizedDocument;
  beforeAll(async () => {
    env.allowRemoteModels = false;
    tokenizer = adaptTransformersTokenizer(await AutoTokenizer.from_pretrained(PHI3));
    // The first 40,000 characters (about 12K tokens) keep the test fast on two cores.
    doc = tokenizeDocument(readFileSync(SHAKESPEARE, "utf8").slice(0, 40_000), tokenizer);
  });

  it("maps tokens to offsets that decoding the token prefix reproduces", () => {
    expect(tokenizer.decode([...doc.ids])).toBe(doc.text);
    // Independent of the piece matching: decoding ids[0..i) gives the text up to token i's start.
    for (let i = 1; i < 3000; i += 29) {
      expect(tokenizer.decode(doc.ids.slice(0, i) as number[])).toBe(doc.text.slice(0, doc.starts[i]));
    }
  });

  it("chunks within maxTokens, covering the text once with counts that add up", () => {
    const chunks = chunkTokenized(doc, { maxTokens: 1024, minTokens: 256 });
    expect(chunks.map((c) => c.text).join("")).toBe(doc.text);
    expect(chunks.reduce((sum, c) => sum + c.tokens, 0)).toBe(doc.ids.length);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(1024);
      expect(c.tokens).toBeGreaterThanOrEqual(256);
      // Paragraphs are speeches: each chunk ends at a blank line (or the end of the text).
      expect(c.end === doc.text.length || c.text.endsWith("\n\n")).toBe(true);
      // Tokenised alone, a chunk's first word takes SentencePiece's "▁" prefix ("\nMENENIUS" is cut as
      // "MEN" "EN" "IUS" in context, as "▁MEN" "EN" "IUS" alone, or differently): within a token.
      expect(Math.abs(tokenizer.encode(c.text).length - c.tokens)).toBeLessThanOrEqual(1);
    }
    expect(joinChunks(chunks).tokens).toBe(doc.ids.length);
  });

  it("finds the speeches about a name with BM25 and picks chunks reproducibly", () => {
    const chunks = chunkTokenized(doc, { maxTokens: 512 });
    const picked = selectByBm25(chunks, "Menenius Agrippa", { budget: 1024 });
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.reduce((sum, c) => sum + c.tokens, 0)).toBeLessThanOrEqual(1024);
    for (const c of picked) expect(c.text).toMatch(/Menenius|Agrippa/i);
    expect(selectRandom(chunks, { seed: 3, count: 2 })).toEqual(selectRandom(chunks, { seed: 3, count: 2 }));
  });

  it("cuts the middle out within the budget", () => {
    const context = keepHeadAndTail(tokenizer)(doc.text, { budget: 2000 });
    expect(context.tokens).toBe(2000);
    expect(context.text.startsWith("First Citizen:")).toBe(true);
    expect(context.text.endsWith(doc.text.slice(-200))).toBe(true);
    // Re-tokenising the joined halves may merge at the seam: within a token or two of the count.
    expect(Math.abs(tokenizer.encode(context.text).length - 2000)).toBeLessThanOrEqual(2);
  });
});
