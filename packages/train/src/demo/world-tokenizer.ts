// A Hugging Face word-level tokenizer for a synthetic world: tokenizer.json + tokenizer_config.json with a chat template.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { QUESTION_SEPARATOR } from "./formats.ts";
import type { World } from "./world.ts";

/** Special tokens, in id order: `<pad>` 0, `<unk>` 1, `<s>` 2, `</s>` 3, then the chat roles and `<q>`. */
export const SPECIAL_TOKENS = ["<pad>", "<unk>", "<s>", "</s>", "<system>", "<user>", "<assistant>", QUESTION_SEPARATOR] as const;

/** Token ids of the specials. */
export const SPECIAL_IDS = { pad: 0, unk: 1, bos: 2, eos: 3, system: 4, user: 5, assistant: 6, question: 7 } as const;

/**
 * The chat template (Jinja, as in `tokenizer_config.json`): `<s> <user> TEXT <assistant> ANSWER </s> …`.
 * With `add_generation_prompt` it ends with `<assistant>`, so the completion is `ANSWER </s>`.
 */
export const WORLD_CHAT_TEMPLATE =
  "{{ bos_token }} " +
  "{% for message in messages %}" +
  "{% if message['role'] == 'system' %}<system> {{ message['content'] }} " +
  "{% elif message['role'] == 'user' %}<user> {{ message['content'] }} " +
  "{% elif message['role'] == 'assistant' %}<assistant> {{ message['content'] }} {{ eos_token }} " +
  "{% endif %}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}<assistant> {% endif %}";

/** The two files of a Hugging Face tokenizer, as JSON values. */
export interface WorldTokenizerFiles {
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  /** Token → id, specials included. */
  readonly vocab: Readonly<Record<string, number>>;
}

/**
 * Build the world's tokenizer: a WordLevel model over the world's words, split on whitespace, no decoder (tokens
 * are joined by one space), no post-processor (the chat template adds `<s>`). Deterministic for the world.
 * @example
 * const { tokenizerJson, tokenizerConfig } = buildWorldTokenizer(createWorld());
 */
export function buildWorldTokenizer(world: World, modelMaxLength = 4096): WorldTokenizerFiles {
  const vocab: Record<string, number> = {};
  for (const token of [...SPECIAL_TOKENS, ...world.words]) {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  }
  const added = SPECIAL_TOKENS.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: content !== QUESTION_SEPARATOR,
  }));
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: "Lowercase" },
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab, unk_token: "<unk>" },
  };
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const a of added) {
    const { id, ...rest } = a;
    addedTokensDecoder[String(id)] = rest;
  }
  const tokenizerConfig = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: "<unk>",
    pad_token: "<pad>",
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    padding_side: "left",
    chat_template: WORLD_CHAT_TEMPLATE,
    added_tokens_decoder: addedTokensDecoder,
  };
  return { tokenizerJson, tokenizerConfig, vocab };
}

/** Write `tokenizer.json` and `tokenizer_config.json` for the world into `dir` (created if needed). */
export async function writeWorldTokenizer(world: World, dir: string, modelMaxLength = 4096): Promise<WorldTokenizerFiles> {
  const files = buildWorldTokenizer(world, modelMaxLength);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "tokenizer.json"), `${JSON.stringify(files.tokenizerJson, null, 2)}\n`);
  await writeFile(join(dir, "tokenizer_config.json"), `${JSON.stringify(files.tokenizerConfig, null, 2)}\n`);
  return files;
}
