// Test fixtures for the CLI and trainer: a tiny random Llama folder with the demo world's tokenizer, and pair files.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PreferencePair } from "@longpo/prefgen";
import { createWorld } from "../demo/world.ts";
import { writeWorldTokenizer } from "../demo/world-tokenizer.ts";
import { saveCheckpoint } from "../model/checkpoint.ts";
import { parseModelConfig } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import type { CliIo } from "./cli-io.ts";
import { main } from "./main.ts";

/** Write a 1-layer, hidden-16 Llama (seeded) with the world tokenizer into `dir`; returns the world's words. */
export async function writeTinyModel(dir: string, seed = 1): Promise<readonly string[]> {
  const world = createWorld({ names: 8 });
  const { vocab } = (await import("../demo/world-tokenizer.ts")).buildWorldTokenizer(world);
  const config = parseModelConfig({
    model_type: "llama",
    vocab_size: Object.keys(vocab).length,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 512,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: false,
    bos_token_id: 2,
    eos_token_id: 3,
    pad_token_id: 0,
  });
  const model = LlamaModel.random(config, seed, 0.1);
  await saveCheckpoint(dir, { config, weights: model.weights() });
  model.dispose();
  await writeWorldTokenizer(world, dir);
  return world.words;
}

/** A valid single-turn PreferencePair with the given texts. */
export function makePair(i: number, longUser: string, shortUser: string, chosen: string, rejected: string): PreferencePair {
  const sampling = { temperature: 0.7, topP: 0.9, maxTokens: 16 };
  return {
    id: `pair-${i}`,
    doc_id: `doc-${i}`,
    prompt_long: [{ role: "user", content: longUser }],
    prompt_short: [{ role: "user", content: shortUser }],
    chosen,
    rejected,
    ref_chosen_logps: null,
    ref_rejected_logps: null,
    turns: [{
      chunk: { index: 0, start: 0, end: shortUser.length, tokens: 1 },
      question: "q",
      prompt_short: [{ role: "user", content: shortUser }],
      chosen,
      rejected,
      chosen_finish: "stop",
      rejected_finish: "stop",
      prompt_short_tokens: 1,
      prompt_long_tokens: 1,
      chosen_tokens: 1,
      rejected_tokens: 1,
      ref_chosen_logps: null,
      ref_rejected_logps: null,
    }],
    tokens: { prompt_long: 1, prompt_short: 1, chosen: 1, rejected: 1 },
    provenance: { model: "test", reference_model: null, seed: 0, stage: 1, sampling: { questions: sampling, responses: sampling }, prefgen: "test" },
  };
}

/** `n` pairs made of world words: a long filler + fact + question, the short fact + question, two answers. */
export function worldPairs(words: readonly string[], n: number): PreferencePair[] {
  const w = (k: number) => words[k % words.length] as string;
  const pairs: PreferencePair[] = [];
  for (let i = 0; i < n; i++) {
    const fact = `${w(i)} is ${w(i + 3)} .`;
    const filler = Array.from({ length: 6 + (i % 4) * 3 }, (_, k) => w(i * 5 + k + 11)).join(" ");
    const q = `what is ${w(i)} ?`;
    pairs.push(makePair(i, `${filler} ${fact} ${filler} ${q}`, `${fact} ${q}`, `${w(i + 3)} .`, `${w(i + 7)} ${w(i + 8)} .`));
  }
  return pairs;
}

/** Write pairs as JSONL. */
export async function writePairs(path: string, pairs: readonly PreferencePair[]): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, pairs.map((p) => `${JSON.stringify(p)}\n`).join(""));
}

/** Run the CLI in this process with `argv`, capturing what it prints. */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await main(argv, io);
  return { code, out, err };
}
