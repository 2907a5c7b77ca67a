import { describe, expect, it } from "vitest";
import type { Compressor, ShortContext } from "./compressor.ts";
import { byQuery } from "./by-query.ts";
import { chunkDocument } from "./chunk-document.ts";
import { keepHead } from "./keep-head.ts";
import { keepHeadAndTail } from "./keep-head-and-tail.ts";
import { keepTail } from "./keep-tail.ts";
import { mulberry32 } from "@longpo/io";
import { retrieveBm25 } from "./retrieve-bm25.ts";
import { createWordTokenizer } from "./word-tokenizer.ts";

const tok = createWordTokenizer();
// Tokens: "One" " two" " three" " four" " five" "." (6)
const text = "One two three four five.";

/** The spans cut from the document, joined as the context joins them. */
const rebuilt = (document: string, context: ShortContext, separator = ""): string =>
  context.spans.map((s) => document.slice(s.start, s.end)).join(separator);

describe("truncating compressors", () => {
  it("keep the head, the tail, or both around a cut middle", () => {
    expect(keepHead(tok)(text, { budget: 2 })).toEqual({ text: "One two", tokens: 2, spans: [{ start: 0, end: 7 }] });
    expect(keepTail(tok)(text, { budget: 2 })).toEqual({ text: " five.", tokens: 2, spans: [{ start: 18, end: 24 }] });
    // Budget 3: head ceil(3/2) = 2 tokens "One two", tail floor(3/2) = 1 token ".".
    expect(keepHeadAndTail(tok)(text, { budget: 3 })).toEqual({
      text: "One two.",
      tokens: 3,
      spans: [
        { start: 0, end: 7 },
        { start: 23, end: 24 },
      ],
    });
    expect(keepHeadAndTail(tok)(text, { budget: 1 }).spans).toEqual([{ start: 0, end: 3 }]);
  });

  it("return a document that fits whole", () => {
    for (const compress of [keepHead(tok), keepTail(tok), keepHeadAndTail(tok), retrieveBm25(tok)]) {
      expect(compress(text, { budget: 6, query: "two" })).toEqual({ text, tokens: 6, spans: [{ start: 0, end: 24 }] });
    }
  });

  it("never exceed the budget on random documents and trace back to the source", () => {
    const random = mulberry32(5).next;
    const words = ["a", "bb", "ccc", ".", "\n\n", "é", "!"];
    for (let trial = 0; trial < 100; trial++) {
      let document = "x";
      for (let i = Math.floor(random() * 200); i > 0; i--) document += " " + words[Math.floor(random() * words.length)];
      const budget = 1 + Math.floor(random() * 60);
      for (const compress of [keepHead(tok), keepTail(tok), keepHeadAndTail(tok)]) {
        const context = compress(document, { budget });
        expect(context.tokens).toBeLessThanOrEqual(budget);
        expect(context.tokens).toBe(Math.min(budget, tok.encode(document).length));
        expect(context.text).toBe(rebuilt(document, context));
        expect(tok.encode(context.text).length).toBe(context.tokens);
      }
    }
  });

  it("name the bad value", () => {
    expect(() => keepHead(tok)("", { budget: 3 })).toThrow(
      new RangeError("Cannot keep the head: document must be non-empty, got an empty string"),
    );
    expect(() => keepTail(tok)(["a"] as unknown as string, { budget: 3 })).toThrow(
      new TypeError("Cannot keep the tail: document must be a string, got an array"),
    );
    expect(() => keepHeadAndTail(tok)(text, { budget: 0 })).toThrow(
      new RangeError("Cannot keep the head and tail: budget must be an integer ≥ 1, got 0"),
    );
    expect(() => keepHead(tok)(text, { budget: 2.5 })).toThrow(RangeError);
  });
});

describe("retrieveBm25", () => {
  const play = [
    "The king is dead.",
    "Long live the queen, who rules the land.",
    "A ghost walks on the walls at night.",
    "The queen drinks the poisoned wine.",
    "Fortinbras arrives with his army.",
  ].join("\n\n");

  it("keeps the paragraphs about the query within the budget, in document order", () => {
    const retrieve = retrieveBm25(tok, { chunkTokens: 12 });
    const context = retrieve(play, { budget: 22, query: "What happened to the queen?" });
    // Paragraph chunks hold 7, 12, 11, 9 and 6 tokens; chunks 1 and 3 hold "queen" and "the" and rank first
    // (12 + 9 = 21 tokens); no other chunk fits in the 1 token left.
    expect(context.text).toBe("Long live the queen, who rules the land.\n\nThe queen drinks the poisoned wine.\n\n");
    expect(context.tokens).toBe(21);
    expect(context.spans).toHaveLength(2);
    expect(context.text).toBe(rebuilt(play, context));
  });

  it("puts the separator between kept pieces and counts it in the budget", () => {
    const retrieve = retrieveBm25(tok, { chunkTokens: 12, separator: "\n…\n" });
    // "ghost" is in chunk 2 (11 tokens), "army" in chunk 4 (6); the separator "\n" "…" "\n" is 3 tokens:
    // 11 + 3 + 6 = 20 ≤ 24, and chunk 0 (7 more with its separator: 30) would overflow.
    const context = retrieve(play, { budget: 24, query: "ghost army" });
    expect(context).toEqual({
      text: "A ghost walks on the walls at night.\n\n\n…\nFortinbras arrives with his army.",
      tokens: 20,
      spans: [
        { start: 61, end: 99 },
        { start: 136, end: 169 },
      ],
    });
    expect(context.text).toBe(rebuilt(play, context, "\n…\n"));
    expect(tok.encode(context.text).length).toBe(context.tokens);
  });

  it("merges adjacent kept chunks into one span", () => {
    const context = retrieveBm25(tok, { chunkTokens: 12, separator: "\n…\n" })(play, {
      budget: 40,
      query: "queen ghost",
    });
    // Chunks 1, 2 and 3 (12 + 11 + 9 = 32 tokens, plus 2 separators charged = 38 ≤ 40) touch: one span, no separator.
    expect(context.spans).toEqual([{ start: 19, end: 136 }]);
    expect(context.tokens).toBe(32);
  });

  it("needs a query", () => {
    const retrieve: Compressor = retrieveBm25(tok, { chunkTokens: 12 });
    expect(() => retrieve(play, { budget: 10 })).toThrow(
      new TypeError("Cannot retrieve by BM25: query must be a string, got undefined"),
    );
  });
});

describe("tokenising once", () => {
  it("each compressor and chunkDocument encode the document once and decode each distinct id once", () => {
    const inner = createWordTokenizer();
    const calls = { encode: 0, decode: 0 };
    const counting = {
      encode: (text: string) => (calls.encode++, inner.encode(text)),
      decode: (ids: number[]) => (calls.decode++, inner.decode(ids)),
    };
    const document = "a b c. a b d.\n\n".repeat(200); // 2,800 tokens, 7 distinct pieces
    const distinct = new Set(inner.encode(document)).size;
    for (
      const compress of [
        keepHead(counting),
        keepTail(counting),
        keepHeadAndTail(counting),
        retrieveBm25(counting, { chunkTokens: 50 }),
      ]
    ) {
      calls.encode = 0;
      calls.decode = 0;
      compress(document, { budget: 500, query: "d" });
      expect(calls).toEqual({ encode: 1, decode: distinct });
    }
    calls.encode = 0;
    calls.decode = 0;
    chunkDocument(document, counting, { maxTokens: 64, overlap: 8, units: "sentence" });
    expect(calls).toEqual({ encode: 1, decode: distinct });
  });
});

describe("byQuery", () => {
  it("retrieves when there is a query and cuts the middle when there is none", () => {
    const compress = byQuery(retrieveBm25(tok, { chunkTokens: 5 }), keepHeadAndTail(tok));
    const document = "Alpha beta.\n\nGamma delta.\n\nEpsilon zeta.";
    // Paragraphs of 5, 5 and 3 tokens: "delta" picks the second; no query keeps 2 head and 2 tail tokens.
    expect(compress(document, { budget: 5, query: "delta" }).text).toBe("Gamma delta.\n\n");
    expect(compress(document, { budget: 4 }).text).toBe("Alpha beta zeta.");
    expect(compress(document, { budget: 4, query: "  " }).text).toBe("Alpha beta zeta.");
  });
});
