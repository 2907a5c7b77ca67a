import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoTokenizer, env, PreTrainedTokenizer } from "@huggingface/transformers";
import { describe, expect, it } from "vitest";
import { qaUserMessage } from "./formats.ts";
import { sfc32 as createRng } from "@longpo/io";
import { buildWorldTokenizer, SPECIAL_IDS, writeWorldTokenizer } from "./world-tokenizer.ts";
import { createWorld, makeChunkedDocument, MULTI_TOKEN_ATTRIBUTES, questionText } from "./world.ts";

env.allowRemoteModels = false;
const world = createWorld();
const files = buildWorldTokenizer(world);
const tok = new PreTrainedTokenizer(files.tokenizerJson, files.tokenizerConfig);
const doc = makeChunkedDocument(world, createRng(1), { chunks: 2, chunkLength: 64, factsPerChunk: [2, 3] });

describe("buildWorldTokenizer", () => {
  it("is deterministic for the world and numbers the specials first", () => {
    expect(buildWorldTokenizer(createWorld())).toEqual(files);
    expect(files.vocab["<pad>"]).toBe(SPECIAL_IDS.pad);
    expect(files.vocab["<s>"]).toBe(SPECIAL_IDS.bos);
    expect(files.vocab["</s>"]).toBe(SPECIAL_IDS.eos);
    expect(files.vocab["<assistant>"]).toBe(SPECIAL_IDS.assistant);
    // 8 specials + every world word, each once.
    expect(Object.keys(files.vocab)).toHaveLength(8 + world.words.length);
  });

  it("encodes world text as one token per word, with no unknown token, and decodes it back exactly", () => {
    const ids = tok.encode(doc.document.text, { add_special_tokens: true });
    expect(ids).toHaveLength(doc.document.tokens.length);
    expect(ids).not.toContain(SPECIAL_IDS.unk);
    expect(ids).toEqual(doc.document.tokens.map((t) => files.vocab[t]));
    expect(tok.decode(ids)).toBe(doc.document.text);
  });

  it("renders the chat template and keeps prompt tokens a prefix of the full dialogue", () => {
    const f = doc.document.facts[0]!;
    const user = qaUserMessage(doc.chunks[0]!.text, questionText(f));
    const prompt = tok.apply_chat_template([user], { tokenize: false, add_generation_prompt: true }) as string;
    const full = tok.apply_chat_template([user, { role: "assistant", content: f.value }], { tokenize: false }) as string;
    expect(prompt.startsWith(`<s> <user> ${doc.chunks[0]!.tokens[0]} `)).toBe(true);
    expect(prompt.trimEnd().endsWith(`<q> ${questionText(f)} <assistant>`)).toBe(true);
    const promptIds = tok.encode(prompt);
    const fullIds = tok.encode(full);
    expect(fullIds.slice(0, promptIds.length)).toEqual(promptIds);
    // The completion is the answer and the end of sequence: two tokens.
    expect(fullIds.slice(promptIds.length)).toEqual([files.vocab[f.value], SPECIAL_IDS.eos]);
    // <s> <user> chunk(64) <q> question(7) <assistant>
    expect(promptIds).toHaveLength(64 + 11);
  });

  it("maps out-of-world words to <unk> and lowercases input", () => {
    expect(tok.encode("Zebra-Crossing THE")).toEqual([SPECIAL_IDS.unk, files.vocab["the"]]);
  });

  it("writes files that load offline through AutoTokenizer from a local folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "world-tok-"));
    try {
      await writeWorldTokenizer(world, dir);
      const loaded = await AutoTokenizer.from_pretrained(dir);
      expect(loaded.encode(doc.document.text)).toEqual(tok.encode(doc.document.text));
      const config = JSON.parse(await readFile(join(dir, "tokenizer_config.json"), "utf8")) as { chat_template: string };
      expect(config.chat_template).toContain("add_generation_prompt");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("buildWorldTokenizer, multi-word values", () => {
  const multi = createWorld({ attributes: MULTI_TOKEN_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })) });
  const mfiles = buildWorldTokenizer(multi);
  const mtok = new PreTrainedTokenizer(mfiles.tokenizerJson, mfiles.tokenizerConfig);

  it("gives each word of a value its own token, and no token to the whole value", () => {
    expect(mfiles.vocab["pale teal"]).toBeUndefined();
    const ids = mtok.encode("pale teal");
    expect(ids).toEqual([mfiles.vocab["pale"], mfiles.vocab["teal"]]);
    expect(ids).not.toContain(SPECIAL_IDS.unk);
    expect(mtok.decode(ids)).toBe("pale teal");
  });

  it("encodes documents one token per word, and an answer's completion as its words and </s>", () => {
    const mdoc = makeChunkedDocument(multi, createRng(2), { chunks: 2, chunkLength: 64, factsPerChunk: [2, 3] });
    const ids = mtok.encode(mdoc.document.text);
    expect(ids).toHaveLength(128);
    expect(ids).not.toContain(SPECIAL_IDS.unk);
    const f = mdoc.document.facts[0]!;
    const user = qaUserMessage(mdoc.chunks[0]!.text, questionText(f));
    const prompt = mtok.apply_chat_template([user], { tokenize: false, add_generation_prompt: true }) as string;
    const full = mtok.apply_chat_template([user, { role: "assistant", content: f.value }], { tokenize: false }) as string;
    const promptIds = mtok.encode(prompt);
    const [first, second] = f.value.split(" ");
    expect(mtok.encode(full).slice(promptIds.length)).toEqual([mfiles.vocab[first!], mfiles.vocab[second!], SPECIAL_IDS.eos]);
  });
});
