import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Tokenizer } from "@longpo/compress";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointError } from "./checkpoint-error.ts";
import { type ChatTokenizer, loadTokenizer } from "./tokenizer.ts";

const PHI3 = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "assets", "tokenizers", "phi-3-mini");
const hasPhi3 = existsSync(join(PHI3, "tokenizer.json"));
if (!hasPhi3) console.warn(`skipping phi-3-mini tokenizer tests: ${PHI3} is missing`);

describe.runIf(hasPhi3)("loadTokenizer on phi-3-mini", () => {
  let tok: ChatTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(PHI3);
  });

  it("loads offline with the special token ids and vocabulary size of tokenizer_config.json", () => {
    // 32,000 SentencePiece pieces + 11 added tokens (<|endoftext|> = 32000 … <|user|> = 32010)
    expect(tok.vocabSize).toBe(32011);
    expect(tok.bosTokenId).toBe(1);
    expect(tok.eosTokenId).toBe(32000);
    expect(tok.padTokenId).toBe(32000);
  });

  it("encodes with the Llama-2 vocabulary and decodes back to the text", () => {
    // "▁Hello" and "▁world" are Llama-2 pieces 15043 and 3186
    expect(tok.encode("Hello world")).toEqual([15043, 3186]);
    // add_bos_token is false for this tokenizer: nothing is added
    expect(tok.encode("Hello world", { addSpecialTokens: true })).toEqual([15043, 3186]);
    for (const text of ["Once upon a time,\nthere was a cat.", "héllo 世界 🙂 tabs\tand  spaces", "x"]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it("falls back to bytes for characters outside the vocabulary", () => {
    const ids = tok.encode("🙂");
    // ▁ then the four UTF-8 bytes F0 9F 99 82 as <0xNN> pieces (byte b has id b + 3)
    expect(ids).toEqual([29871, 0xf0 + 3, 0x9f + 3, 0x99 + 3, 0x82 + 3]);
  });

  it("renders the chat template and encodes its special tokens as single ids", () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ] as const;
    const prompt = tok.applyChatTemplate(messages, { addGenerationPrompt: true });
    expect(prompt).toBe("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n");
    const full = tok.applyChatTemplate([...messages, { role: "assistant", content: "Hello." }]);
    expect(full).toBe("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n<|endoftext|>");
    const ids = tok.encode(prompt);
    expect(ids[0]).toBe(32006); // <|system|>
    expect(ids).toContain(32010); // <|user|>
    expect(ids).toContain(32001); // <|assistant|>
    expect(tok.decode(ids, { skipSpecialTokens: true })).not.toContain("<|");
    expect(tok.decode(ids)).toContain("<|user|>");
  });

  it("fits the Tokenizer interface of @longpo/compress", () => {
    const compressTokenizer: Tokenizer = tok;
    expect(compressTokenizer.decode(compressTokenizer.encode("a b"))).toBe("a b");
  });
});

describe("loadTokenizer on bad folders", () => {
  it("names the missing or malformed file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "longpo-tok-"));
    try {
      await expect(loadTokenizer(join(dir, "none"))).rejects.toThrow(CheckpointError);
      await expect(loadTokenizer(join(dir, "none"))).rejects.toThrow(/none\/tokenizer\.json/);
      await mkdir(join(dir, "bad"));
      await writeFile(join(dir, "bad", "tokenizer.json"), "{\"model\": 3}");
      await writeFile(join(dir, "bad", "tokenizer_config.json"), "{}");
      await expect(loadTokenizer(join(dir, "bad"))).rejects.toThrow(/tokenizer\.json: field model/);
      await writeFile(join(dir, "bad", "tokenizer.json"), "{\"model\": {}}");
      await writeFile(join(dir, "bad", "tokenizer_config.json"), "[");
      await expect(loadTokenizer(join(dir, "bad"))).rejects.toThrow(/tokenizer_config\.json: the file must be valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
