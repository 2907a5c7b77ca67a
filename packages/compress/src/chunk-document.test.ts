import { describe, expect, it } from "vitest";
import { type Chunk, chunkDocument, type ChunkOptions, chunkTokenized } from "./chunk-document.ts";
import { mulberry32 } from "@longpo/io";
import { tokenizeDocument, type Tokenizer } from "./tokenize-document.ts";
import { createWordTokenizer } from "./word-tokenizer.ts";

const texts = (chunks: Chunk[]): string[] => chunks.map((c) => c.text);

describe("chunkDocument on hand-built documents", () => {
  it("packs whole paragraphs greedily up to maxTokens", () => {
    // Tokens: "One" "." "\n" "\n" | "Two" "." "\n" "\n" | "Three" "." : paragraphs of 4, 4 and 2 tokens.
    const chunks = chunkDocument("One.\n\nTwo.\n\nThree.", createWordTokenizer(), { maxTokens: 8 });
    expect(chunks).toEqual([
      { index: 0, text: "One.\n\nTwo.\n\n", start: 0, end: 12, tokens: 8 },
      { index: 1, text: "Three.", start: 12, end: 18, tokens: 2 },
    ]);
  });

  it("keeps a paragraph whole rather than filling a chunk to the limit", () => {
    // Paragraphs of 4, 4, 2 tokens with maxTokens 7: 4 + 4 > 7, so each 4 stands alone and 4 + 2 = 6 fits.
    const chunks = chunkDocument("One.\n\nTwo.\n\nThree.", createWordTokenizer(), { maxTokens: 7 });
    expect(texts(chunks)).toEqual(["One.\n\n", "Two.\n\nThree."]);
    expect(chunks.map((c) => c.tokens)).toEqual([4, 6]);
  });

  it("splits an oversized paragraph at sentences, then at tokens", () => {
    // Sentences "A b c. " (6 tokens: "A" " b" " c" "." " " ... the space goes with the next word) and so on.
    const text = "A b c. D e f. G h i j k l m n o p.";
    const chunks = chunkDocument(text, createWordTokenizer(), { maxTokens: 5 });
    // Tokens: A| b| c|.| D| e| f|.| G| h| i| j| k| l| m| n| o| p|. (19). Sentence cuts snap to " D" (6) and
    // " G" (13): sentences of 4, 4 and 11 tokens; the last is cut every 5 tokens: 5, 5, 1.
    expect(texts(chunks)).toEqual(["A b c.", " D e f.", " G h i j k", " l m n o p", "."]);
    expect(chunks.map((c) => c.tokens)).toEqual([4, 4, 5, 5, 1]);
  });

  it("cuts Markdown at headings but not inside code fences", () => {
    const text = "# A\nx y\n\n## B\n```\n# not a heading\n```\n# C\nz";
    // Sections: "# A\nx y\n\n" (7 tokens: "#" " A" "\n" "x" " y" "\n" "\n"), "## B … ```\n" (17: the "#" inside
    // the fence does not cut), "# C\nz" (4). 7 + 17 and 17 + 4 both exceed 20, so each section is a chunk.
    const chunks = chunkDocument(text, createWordTokenizer(), { maxTokens: 20, units: "markdown" });
    expect(texts(chunks)).toEqual(["# A\nx y\n\n", "## B\n```\n# not a heading\n```\n", "# C\nz"]);
    expect(chunks.map((c) => c.tokens)).toEqual([7, 17, 4]);
  });

  it("cuts LaTeX at sectioning commands and ignores commented ones", () => {
    const text = "Intro text.\n\\section{One}\nAlpha beta.\n% \\section{Hidden}\n\\subsection*{Two}\nGamma.";
    // Sections of 4, 17 and 9 tokens (the commented command does not cut); no two fit in 20.
    const chunks = chunkDocument(text, createWordTokenizer(), { maxTokens: 20, units: "latex" });
    expect(texts(chunks)).toEqual([
      "Intro text.\n",
      "\\section{One}\nAlpha beta.\n% \\section{Hidden}\n",
      "\\subsection*{Two}\nGamma.",
    ]);
  });

  it("uses sentences as units when asked", () => {
    const chunks = chunkDocument("Hi there. How are you? Fine!", createWordTokenizer(), {
      maxTokens: 4,
      units: "sentence",
    });
    expect(texts(chunks)).toEqual(["Hi there.", " How are you?", " Fine!"]);
  });

  it("moves whole units into a chunk below minTokens", () => {
    // Paragraphs of 4, 4, 4, 2 tokens; maxTokens 12 packs [4 4 4] [2]; minTokens 4 moves one 4 over: [4 4] [4 2].
    const text = "One.\n\nTwo.\n\nSix.\n\nTen.";
    expect(chunkDocument(text, createWordTokenizer(), { maxTokens: 12 }).map((c) => c.tokens)).toEqual([12, 2]);
    const chunks = chunkDocument(text, createWordTokenizer(), { maxTokens: 12, minTokens: 4 });
    expect(texts(chunks)).toEqual(["One.\n\nTwo.\n\n", "Six.\n\nTen."]);
    expect(chunks.map((c) => c.tokens)).toEqual([8, 6]);
  });

  it("repeats the last overlap tokens of the previous chunk", () => {
    // Paragraphs of 4, 4, 2 tokens; capacity for own text is 6 - 2 = 4.
    const chunks = chunkDocument("One.\n\nTwo.\n\nThree.", createWordTokenizer(), { maxTokens: 6, overlap: 2 });
    expect(texts(chunks)).toEqual(["One.\n\n", "\n\nTwo.\n\n", "\n\nThree."]);
    expect(chunks.map((c) => c.tokens)).toEqual([4, 6, 4]);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 6], [4, 12], [10, 18]]);
  });

  it("returns one chunk for a document that fits", () => {
    expect(chunkDocument("Short.", createWordTokenizer(), { maxTokens: 100 })).toEqual([
      { index: 0, text: "Short.", start: 0, end: 6, tokens: 2 },
    ]);
  });
});

describe("chunkDocument on bad input", () => {
  const tok = createWordTokenizer();
  it("names the value and the rule it breaks", () => {
    expect(() => chunkDocument("", tok, { maxTokens: 4 })).toThrow(
      new RangeError("Cannot chunk document: text must be non-empty, got an empty string"),
    );
    expect(() => chunkDocument(null as unknown as string, tok, { maxTokens: 4 })).toThrow(
      new TypeError("Cannot chunk document: text must be a string, got null"),
    );
    expect(() => chunkDocument("a", tok, { maxTokens: 0 })).toThrow(
      new RangeError("Cannot chunk document: maxTokens must be an integer ≥ 1, got 0"),
    );
    expect(() => chunkDocument("a", tok, { maxTokens: 4, minTokens: 5 })).toThrow(
      new RangeError("Cannot chunk document: minTokens must be at most maxTokens (4), got 5"),
    );
    expect(() => chunkDocument("a", tok, { maxTokens: 4, overlap: 4 })).toThrow(
      new RangeError("Cannot chunk document: overlap must be less than maxTokens (4), got 4"),
    );
    expect(() => chunkDocument("a", tok, { maxTokens: "4" } as unknown as ChunkOptions)).toThrow(TypeError);
    expect(() => chunkDocument("a", tok, { maxTokens: 4, units: "word" } as unknown as ChunkOptions)).toThrow(
      /units must be one of paragraph, markdown, latex, sentence, got "word"/,
    );
  });
});

/** A random document of words, sentence ends, newlines, blank lines, headings and the odd emoji. */
function randomDocument(random: () => number): string {
  const words = ["the", "cat", "sat", "on", "a", "mat", "Hamlet", "é", "🙂", "x1", "—", "don't"];
  let text = "";
  const n = 1 + Math.floor(random() * 300);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.05) text += "\n\n";
    else if (r < 0.08) text += "\n# ";
    else if (r < 0.15) text += ". ";
    else if (r < 0.17) text += "\n";
    else text += (random() < 0.9 ? " " : "") + words[Math.floor(random() * words.length)];
  }
  return text;
}

describe("chunkDocument on random documents", () => {
  it("keeps every chunk within maxTokens, covers the text once and maps offsets back", () => {
    const random = mulberry32(2025).next;
    for (let trial = 0; trial < 300; trial++) {
      const text = randomDocument(random);
      const tok = createWordTokenizer();
      const doc = tokenizeDocument(text, tok);
      const maxTokens = 1 + Math.floor(random() * 40);
      const minTokens = Math.floor(random() * maxTokens);
      const units = (["paragraph", "markdown", "latex", "sentence"] as const)[trial % 4]!;
      const chunks = chunkTokenized(doc, { maxTokens, minTokens, units });
      let covered = 0;
      for (const [i, c] of chunks.entries()) {
        expect(c.index).toBe(i);
        expect(c.tokens).toBeLessThanOrEqual(maxTokens);
        expect(c.tokens).toBeGreaterThan(0);
        expect(c.start).toBe(covered);
        expect(text.slice(c.start, c.end)).toBe(c.text);
        // Counted independently: re-tokenising the chunk alone gives the same count for this tokenizer,
        // because every chunk starts at a token boundary.
        expect(tok.encode(c.text).length).toBe(c.tokens);
        covered = c.end;
      }
      expect(covered).toBe(text.length);
      expect(chunks.reduce((s, c) => s + c.tokens, 0)).toBe(doc.ids.length);
    }
  });

  it("covers text twice exactly where overlap asks for it", () => {
    const random = mulberry32(99).next;
    for (let trial = 0; trial < 200; trial++) {
      const text = randomDocument(random);
      const tok = createWordTokenizer();
      const maxTokens = 2 + Math.floor(random() * 40);
      const overlap = Math.floor(random() * maxTokens);
      const chunks = chunkDocument(text, tok, { maxTokens, overlap });
      const times = new Uint8Array(text.length);
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(maxTokens);
        expect(text.slice(c.start, c.end)).toBe(c.text);
        for (let i = c.start; i < c.end; i++) times[i]! += 1;
      }
      expect(times.every((t) => t === 1 || t === 2)).toBe(true);
      for (const [i, c] of chunks.entries()) {
        if (i === 0) continue;
        const previous = chunks[i - 1]!;
        // The repeated part is the tail of the previous chunk, at most `overlap` tokens long.
        expect(c.start).toBeGreaterThanOrEqual(previous.start);
        expect(c.start).toBeLessThanOrEqual(previous.end);
        expect(tok.encode(text.slice(c.start, previous.end)).length).toBeLessThanOrEqual(overlap);
      }
    }
  });
});

/** A byte tokenizer: one token per UTF-8 byte, so "é" is 2 tokens and "🙂" 4 that share one character. */
const byteTokenizer: Tokenizer = {
  encode: (text) => Array.from(new TextEncoder().encode(text)),
  decode: (ids) => new TextDecoder().decode(new Uint8Array(ids)),
};

describe("chunkDocument with multi-token characters", () => {
  it("never cuts inside a character's byte tokens and still counts every token once", () => {
    const random = mulberry32(7).next;
    for (let trial = 0; trial < 100; trial++) {
      const text = randomDocument(random);
      const maxTokens = 4 + Math.floor(random() * 30);
      const overlap = trial % 2 === 0 ? 0 : Math.floor(random() * (maxTokens - 3));
      const chunks = chunkDocument(text, byteTokenizer, { maxTokens, overlap, units: "sentence" });
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(maxTokens);
        // A cut inside a surrogate pair would leave a lone surrogate; the byte count is the token count.
        expect(c.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        expect(new TextEncoder().encode(c.text).length).toBe(c.tokens);
      }
      if (overlap === 0) expect(chunks.reduce((s, c) => s + c.tokens, 0)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
