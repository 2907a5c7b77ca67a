import { PreTrainedTokenizer } from "@huggingface/transformers";
import { longDialogue, PreferencePair } from "@longpo/prefgen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { parseModelConfig } from "../model/config.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import { llamaScorer } from "../adapters/llama-adapters.ts";
import { ChatTokenizer } from "../model/tokenizer.ts";
import { M0Recipe, m0HfConfig } from "./m0-recipe.ts";
import { makeWorldPairs } from "./world-pairs.ts";
import { buildModel, readModelFolder } from "../cli/open-model.ts";
import { shippedM0Dir } from "./run-demo.ts";
import { buildWorldTokenizer } from "./world-tokenizer.ts";
import { createWorld, MULTI_TOKEN_ATTRIBUTES } from "./world.ts";

const world = createWorld();
const files = buildWorldTokenizer(world);
const tok = new ChatTokenizer(new PreTrainedTokenizer(files.tokenizerJson, files.tokenizerConfig));
const tiny = M0Recipe.parse({ model: { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 2, intermediateSize: 32, ropeTheta: 10_000 } });
let model: LlamaModel;

beforeAll(async () => {
  await selectBackend("wasm");
  model = LlamaModel.random(parseModelConfig(m0HfConfig(tiny, Object.keys(files.vocab).length)), 3, 0.5);
});
afterAll(() => model.dispose());

describe("makeWorldPairs", () => {
  it("writes valid pairs with short prompts inside long prompts and reference log-probs", async () => {
    const options = { seed: 4, documents: 6, chunks: 4, chunkLength: 32, factsPerChunk: [2, 3] as const, questions: "template" as const, keepIdentical: true };
    const { pairs, stats } = await makeWorldPairs(world, model, model, tok, options);
    expect(stats.documents).toBe(6);
    expect(stats.questionsKept).toBe(6); // template questions are always kept
    expect(pairs.length).toBe(stats.pairs);
    for (const p of pairs) {
      PreferencePair.parse(p);
      const shortUser = p.prompt_short[0]!.content;
      const longUser = p.prompt_long[0]!.content;
      const [chunk = "", question = ""] = shortUser.split(" <q> ");
      expect(longUser.endsWith(`<q> ${question}`)).toBe(true);
      expect(longUser.includes(chunk)).toBe(true);
      expect(longUser.split(" <q> ")[0]!.split(" ")).toHaveLength(4 * 32);
      expect(Number.isFinite(p.ref_chosen_logps)).toBe(true);
      // A log-probability of two or more tokens is negative.
      expect(p.ref_chosen_logps!).toBeLessThan(0);
      expect(p.turns[0]!.prompt_long_tokens).toBe(4 * 32 + 11);
    }
    // Same seed, same pairs.
    expect((await makeWorldPairs(world, model, model, tok, options)).pairs).toEqual(pairs);
  });

  it("restates the configured number of earlier facts in the long pair documents (none when off)", async () => {
    /** Fact sentences ("zorvan : the color is teal .") of a long prompt, and how many of them repeat an earlier one. */
    const repeats = (text: string): number => {
      const sentences = [...text.matchAll(/(\S+) : the (\S+) is (\S+) \./g)].map((m) => m[0]);
      return sentences.length - new Set(sentences).size;
    };
    const options = { seed: 7, documents: 5, chunks: 4, chunkLength: 64, factsPerChunk: [2, 3] as const, questions: "template" as const, keepIdentical: true };
    const on = await makeWorldPairs(world, model, model, tok, { ...options, restatementsPerChunk: 2 });
    const off = await makeWorldPairs(world, model, model, tok, options);
    expect(on.pairs.length).toBe(5);
    for (const p of on.pairs) expect(repeats(p.prompt_long[0]!.content)).toBe(2 * (4 - 1)); // chunks 2..4 restate 2 each
    for (const p of off.pairs) expect(repeats(p.prompt_long[0]!.content)).toBe(0);
  });

  it("drops identical answers unless asked to keep them", async () => {
    const options = { seed: 6, documents: 8, chunks: 2, chunkLength: 32, factsPerChunk: [1, 2] as const, questions: "template" as const };
    const kept = await makeWorldPairs(world, model, model, tok, { ...options, keepIdentical: true });
    const dropped = await makeWorldPairs(world, model, model, tok, options);
    for (const p of dropped.pairs) expect(p.chosen).not.toBe(p.rejected);
    expect(dropped.pairs.length).toBeLessThanOrEqual(kept.pairs.length);
    expect(kept.pairs.length - dropped.pairs.length).toBe(kept.pairs.filter((p) => p.chosen === p.rejected).length);
  });

  it("keeps only the self-written questions that parse", async () => {
    const { stats } = await makeWorldPairs(world, model, model, tok, {
      seed: 5, documents: 4, chunks: 2, chunkLength: 32, factsPerChunk: [1, 2], questions: "self",
    });
    expect(stats.questionsWritten).toBe(4);
    expect(stats.questionsKept).toBe(stats.questionsParsed);
    expect(stats.pairs).toBeLessThanOrEqual(stats.questionsKept);
  });

  it("carries several turns on distinct chunks; each rejected answer saw its own earlier answers", async () => {
    const options = { seed: 9, documents: 5, chunks: 4, chunkLength: 24, factsPerChunk: [1, 2] as const, questions: "template" as const, turns: 3, keepIdentical: true };
    const { pairs, stats } = await makeWorldPairs(world, model, model, tok, options);
    expect(stats.turnsPerDocument).toBe(3);
    expect(pairs.length).toBe(5);
    expect(stats.turns).toBe(15);
    const scorer = llamaScorer(model, tok, { name: "m", batchSize: 8 });
    for (const p of pairs) {
      PreferencePair.parse(p);
      expect(p.turns).toHaveLength(3);
      expect(new Set(p.turns.map((t) => t.chunk.index)).size).toBe(3);
      // Regenerate each rejected answer greedily from the rejected dialogue's prefix, independently of makeWorldPairs.
      const dialogue = longDialogue(p, "rejected");
      for (let j = 0; j < 3; j++) {
        const prefix = dialogue.slice(0, 2 * j + 1);
        const ids = tok.encode(tok.applyChatTemplate(prefix, { addGenerationPrompt: true }));
        const [out] = await generate(model, [ids], { maxNewTokens: 2, temperature: 0 });
        expect(tok.decode(out!.tokenIds, { skipSpecialTokens: true }).trim()).toBe(p.turns[j]!.rejected);
      }
      // The reference log-prob is the sum over turns of each turn's short-prompt score.
      const scored = await scorer.score(p.turns.map((t) => ({ messages: t.prompt_short, completion: t.chosen })));
      const sum = scored.reduce((a, r) => a + r.logprob, 0);
      expect(p.ref_chosen_logps!).toBeCloseTo(sum, 4);
      expect(p.turns.reduce((a, t) => a + t.ref_chosen_logps!, 0)).toBeCloseTo(sum, 4);
    }
  });

  it("rejects more turns than chunks", async () => {
    await expect(
      makeWorldPairs(world, model, model, tok, { seed: 1, documents: 1, chunks: 2, chunkLength: 24, factsPerChunk: [1, 2], questions: "template", turns: 3 }),
    ).rejects.toThrow(/turns must be an integer in \[1, chunks = 2\]/);
  });

  it("keeps only turns whose chosen answer the short model gives at least minChosenProb", async () => {
    const options = { seed: 3, documents: 12, chunks: 4, chunkLength: 24, factsPerChunk: [1, 2] as const, questions: "template" as const, turns: 2, keepIdentical: true };
    const all = await makeWorldPairs(world, model, model, tok, options);
    const logps = all.pairs.flatMap((p) => p.turns.map((t) => t.ref_chosen_logps!));
    const threshold = Math.exp([...logps].sort((a, b) => a - b)[Math.floor(logps.length / 2)]!); // the median turn's probability
    const filtered = await makeWorldPairs(world, model, model, tok, { ...options, minChosenProb: threshold });
    expect(all.stats.turnsConfident).toBe(24);
    expect(filtered.stats.turnsConfident).toBe(logps.filter((l) => l >= Math.log(threshold)).length);
    expect(filtered.stats.turnsConfident).toBeLessThan(24);
    for (const p of filtered.pairs) for (const t of p.turns) expect(t.ref_chosen_logps!).toBeGreaterThanOrEqual(Math.log(threshold));
  });

  it("self-copy questions start with a word of their chunk (the shipped M0 writes them)", async () => {
    const opened = await readModelFolder(shippedM0Dir());
    const m0 = buildModel(opened);
    try {
      const options = { seed: 2, documents: 12, chunks: 4, chunkLength: 64, factsPerChunk: [2, 3] as const, questions: "self-copy" as const, keepIdentical: true };
      const { pairs, stats } = await makeWorldPairs(createWorld(), m0, m0, opened.tokenizer, options);
      expect(stats.questionsWritten).toBe(12);
      expect(stats.questionsParsed).toBeGreaterThan(6);
      expect(pairs.length).toBeGreaterThan(0);
      for (const p of pairs) {
        const t = p.turns[0]!;
        const chunk = t.prompt_short[0]!.content.split(" <q> ")[0]!.split(" ");
        expect(chunk).toContain(t.question.split(" ")[0]);
      }
    } finally {
      m0.dispose();
    }
  });
});

describe("makeWorldPairs, multi-word values", () => {
  const multi = createWorld({ attributes: MULTI_TOKEN_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })) });
  const mfiles = buildWorldTokenizer(multi);
  const mtok = new ChatTokenizer(new PreTrainedTokenizer(mfiles.tokenizerJson, mfiles.tokenizerConfig));
  let mmodel: LlamaModel;
  beforeAll(() => {
    mmodel = LlamaModel.random(parseModelConfig(m0HfConfig(tiny, Object.keys(mfiles.vocab).length)), 4, 0.5);
  });
  afterAll(() => mmodel.dispose());

  it("generates chosen and rejected answers of up to the value's two words and </s>", async () => {
    const options = { seed: 7, documents: 6, chunks: 2, chunkLength: 32, factsPerChunk: [1, 2] as const, questions: "template" as const, keepIdentical: true };
    const { pairs } = await makeWorldPairs(multi, mmodel, mmodel, mtok, options);
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) {
      PreferencePair.parse(p);
      expect(p.provenance.sampling.responses.maxTokens).toBe(3);
      const t = p.turns[0]!;
      for (const [side, prompt] of [["chosen", t.prompt_short], ["rejected", p.prompt_long]] as const) {
        const ids = mtok.encode(mtok.applyChatTemplate(prompt, { addGenerationPrompt: true }));
        const [out] = await generate(mmodel, [ids], { maxNewTokens: 3, temperature: 0 });
        expect(mtok.decode(out!.tokenIds, { skipSpecialTokens: true }).trim()).toBe(t[side]);
        expect(t[`${side}_tokens`]).toBe(t[side].split(" ").length);
      }
    }
  });
});

