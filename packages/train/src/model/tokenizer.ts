// ChatTokenizer: a Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) loaded offline through
// @huggingface/transformers, with plain-array encode/decode and chat-template rendering.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as transformers from "@huggingface/transformers";
import { z } from "zod";
import { CheckpointError } from "./checkpoint-error.ts";

/** One chat turn as chat templates read it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The parts of tokenizer.json checked before transformers.js sees it. */
const TokenizerJson = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  added_tokens: z.array(z.looseObject({ id: z.number().int().nonnegative(), content: z.string() })).optional(),
});

/** The parts of tokenizer_config.json checked before transformers.js sees it. */
const TokenizerConfigJson = z.looseObject({
  tokenizer_class: z.string().optional(),
  chat_template: z.union([z.string(), z.array(z.looseObject({ name: z.string(), template: z.string() }))])
    .nullable().optional(),
});

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new CheckpointError(path, `the file cannot be read: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError(path, `the file must be valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(path, `field ${issue?.path.join(".") || "(root)"} is invalid: ${issue?.message ?? ""}`);
  }
  return parsed.data;
}

/**
 * A tokenizer with plain-data methods: text ↔ token ids and chat-template rendering. It satisfies
 * `@longpo/compress`'s and `@longpo/eval`'s `Tokenizer` (`encode(text)`, `decode(ids)`) and the trainer's
 * `TemplateTokenizer` (`encode` adds no special tokens unless asked; templates put BOS in the text).
 */
export class ChatTokenizer {
  /** The id of the beginning-of-sequence token, or null when the tokenizer has none. */
  readonly bosTokenId: number | null;
  /** The id of the end-of-sequence token, or null when the tokenizer has none. */
  readonly eosTokenId: number | null;
  /** The id of the padding token, or null when the tokenizer has none. */
  readonly padTokenId: number | null;
  /** The id that out-of-vocabulary text maps to (`<unk>`), or null when the tokenizer has none (byte fallback). */
  readonly unkTokenId: number | null;
  /** Number of ids the tokenizer can produce (base vocabulary plus added tokens). */
  readonly vocabSize: number;
  readonly #inner: transformers.PreTrainedTokenizer;

  constructor(inner: transformers.PreTrainedTokenizer) {
    this.#inner = inner;
    const id = (x: unknown) => (typeof x === "number" ? x : null);
    this.bosTokenId = id(inner.bos_token_id);
    this.eosTokenId = id(inner.eos_token_id);
    this.padTokenId = id(inner.pad_token_id);
    this.unkTokenId = id((inner as unknown as { unk_token_id?: unknown }).unk_token_id);
    const vocab = inner.get_vocab();
    let maxId = -1;
    for (const value of vocab.values()) maxId = Math.max(maxId, value);
    this.vocabSize = Math.max(vocab.size, maxId + 1);
  }

  /** Whether tokenizer_config.json carries a chat template. */
  get hasChatTemplate(): boolean {
    return this.#inner.chat_template != null;
  }

  /**
   * Text → token ids. By default the text is encoded as is (special tokens written in it, such as `<s>`, are
   * recognised); `addSpecialTokens: true` also adds what the tokenizer's post-processor adds (e.g. BOS).
   */
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.#inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? false });
  }

  /** Token ids → text; `skipSpecialTokens: true` drops BOS, EOS, padding and the like. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return ""; // transformers.js rejects an empty list
    return this.#inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /**
   * Renders messages with the tokenizer's chat template, as text (special tokens appear in it).
   *
   * @throws {TypeError} when the tokenizer has no chat template.
   */
  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string {
    if (!this.hasChatTemplate) {
      throw new TypeError("Cannot apply chat template: tokenizer_config.json must define chat_template, got none");
    }
    const rendered = this.#inner.apply_chat_template(messages.map((m) => ({ role: m.role, content: m.content })), {
      tokenize: false,
      add_generation_prompt: options.addGenerationPrompt ?? false,
    });
    return rendered as unknown as string;
  }
}

/**
 * Loads `tokenizer.json` and `tokenizer_config.json` from a local folder through `@huggingface/transformers`, with
 * remote loading off: nothing is ever fetched from the Hub.
 *
 * @param dir A folder holding the two files (a checkpoint folder, typically).
 * @returns The tokenizer.
 * @throws {CheckpointError} naming the file when one is missing or malformed.
 * @example
 * const tok = await loadTokenizer("checkpoints/stories260K");
 * tok.decode(tok.encode("Once upon a time")); // "Once upon a time"
 */
export async function loadTokenizer(dir: string): Promise<ChatTokenizer> {
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  const jsonPath = join(dir, "tokenizer.json");
  const configPath = join(dir, "tokenizer_config.json");
  const tokenizerJson = await readJson(jsonPath, TokenizerJson);
  const tokenizerConfig = await readJson(configPath, TokenizerConfigJson);
  // As AutoTokenizer: the class named by tokenizer_class (a "Fast" suffix dropped), else the base class.
  const className = tokenizerConfig.tokenizer_class?.replace(/Fast$/, "") ?? "PreTrainedTokenizer";
  const candidate = (transformers as unknown as Record<string, unknown>)[className];
  const Tokenizer = typeof candidate === "function" &&
      (candidate === transformers.PreTrainedTokenizer ||
        candidate.prototype instanceof transformers.PreTrainedTokenizer)
    ? candidate as typeof transformers.PreTrainedTokenizer
    : transformers.PreTrainedTokenizer;
  try {
    return new ChatTokenizer(new Tokenizer(tokenizerJson, tokenizerConfig));
  } catch (cause) {
    throw new CheckpointError(jsonPath, `the tokenizer cannot be built: ${(cause as Error).message}`, { cause });
  }
}
