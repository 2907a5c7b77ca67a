import { describe, expect, it } from "vitest";
import { chunkDocument } from "./chunk-document.ts";
import { joinChunks } from "./join-chunks.ts";
import { createWordTokenizer } from "./word-tokenizer.ts";

describe("joinChunks", () => {
  const tok = createWordTokenizer();
  const text = "One.\n\nTwo.\n\nThree.";
  const chunks = chunkDocument(text, tok, { maxTokens: 4 });

  it("joins consecutive chunks back into the document with its token count", () => {
    expect(chunks.length).toBe(3);
    expect(joinChunks(chunks)).toEqual({ text, tokens: tok.encode(text).length });
  });

  it("adds the separator's tokens once per gap", () => {
    // Chunks of 4, 4 and 2 tokens; "\n---\n" is "\n" "-" "-" "-" "\n" = 5 tokens, two gaps: 10 + 10 = 20.
    const joined = joinChunks(chunks, "\n---\n", tok);
    expect(joined.text).toBe("One.\n\n\n---\nTwo.\n\n\n---\nThree.");
    expect(joined.tokens).toBe(20);
    expect(tok.encode(joined.text).length).toBe(20);
  });

  it("counts the separator alone, which can differ where a tokenizer merges across the seam", () => {
    // " --- " alone is " -" "-" "-" " " (4 tokens), but before "Two" its last space joins " Two": the count
    // from the parts is 10 + 2·4 = 18, re-tokenising gives 16.
    const joined = joinChunks(chunks, " --- ", tok);
    expect(joined.tokens).toBe(18);
    expect(tok.encode(joined.text).length).toBe(16);
  });

  it("rejects an empty list and an uncounted separator", () => {
    expect(() => joinChunks([])).toThrow(
      new RangeError("Cannot join chunks: chunks must be non-empty, got an empty list"),
    );
    expect(() => joinChunks(chunks, "\n")).toThrow(TypeError);
  });
});
