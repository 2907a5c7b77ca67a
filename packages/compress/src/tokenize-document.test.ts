import { describe, expect, it } from "vitest";
import { tokenIndexAt, tokenizeDocument, type Tokenizer, tokenStarts } from "./tokenize-document.ts";
import { createWordTokenizer } from "./word-tokenizer.ts";

// A SentencePiece-like tokenizer: "▁word" pieces whose lone decode drops the leading space (as Llama's Strip
// decoder does), and byte-fallback pieces for "é" that decode to U+FFFD alone.
function sentencePieceLike(): Tokenizer {
  const vocab = ["▁the", "▁cat", "▁caf", "<C3>", "<A9>", ".", "\n", "▁"];
  const bytes: Record<string, number> = { "<C3>": 0xc3, "<A9>": 0xa9 };
  return {
    encode(text) {
      const table: Record<string, number[]> = {
        "the cat.\n\n the café.": [0, 1, 5, 6, 6, 7, 0, 2, 3, 4, 5],
      };
      const ids = table[text];
      if (ids === undefined) throw new Error(`test tokenizer cannot encode ${text}`);
      return ids;
    },
    decode(ids) {
      const out: number[] = [];
      for (const id of ids) {
        const piece = vocab[id]!;
        if (piece in bytes) out.push(bytes[piece]!);
        else out.push(...new TextEncoder().encode(piece.replaceAll("▁", " ")));
      }
      return new TextDecoder().decode(new Uint8Array(out)).replace(/^ /, "");
    },
  };
}

describe("tokenizeDocument", () => {
  it("maps word tokens to where they start in the text", () => {
    const doc = tokenizeDocument("Hello, world.\nBye", createWordTokenizer());
    // "Hello"@0 ","@5 " world"@6 "."@12 "\n"@13 "Bye"@14
    expect(Array.from(doc.starts)).toEqual([0, 5, 6, 12, 13, 14]);
  });

  it("gives stripped leading spaces to the next token and groups byte-fallback pieces", () => {
    const text = "the cat.\n\n the café.";
    const starts = tokenStarts(text, sentencePieceLike().encode(text), sentencePieceLike());
    // the@0 ▁cat@3 .@7 \n@8 \n@9 ▁@10 (decodes to "") ▁the@10 ▁caf@14 <C3>@18 <A9>@18 .@19
    expect(Array.from(starts)).toEqual([0, 3, 7, 8, 9, 10, 10, 14, 18, 18, 19]);
  });

  it("throws when a decoded piece is not in the text", () => {
    const lower: Tokenizer = { encode: () => [0, 0, 0], decode: () => "hello" };
    expect(() => tokenizeDocument("HELLO", lower)).toThrow(/token 1 decodes to "hello"/);
  });

  it("gives no width to a BOS or EOS that the encoder adds", () => {
    const words = createWordTokenizer();
    const withEnds: Tokenizer = {
      encode: (text) => [-1, ...words.encode(text), -2],
      decode: (ids) => ids.map((id) => (id === -1 ? "<s>" : id === -2 ? "</s>" : words.decode([id]))).join(""),
    };
    // "<s>"@0 "Hi"@0 " there"@2 "</s>"@8
    expect(Array.from(tokenizeDocument("Hi there", withEnds).starts)).toEqual([0, 0, 2, 8]);
  });

  it("rejects text that is not a string with a TypeError", () => {
    expect(() => tokenizeDocument(42 as unknown as string, createWordTokenizer())).toThrow(
      "Cannot tokenize document: text must be a string, got number",
    );
  });
});

describe("tokenIndexAt", () => {
  it("finds the first token starting at or after an offset", () => {
    const starts = Int32Array.from([0, 3, 3, 7]);
    expect([0, 1, 3, 4, 7, 8].map((o) => tokenIndexAt(starts, o))).toEqual([0, 1, 1, 3, 3, 4]);
  });
});
