// Adapter: a @huggingface/transformers tokenizer as compress's narrow Tokenizer.
import type { Tokenizer } from "./tokenize-document.ts";

/** The part of a `@huggingface/transformers` `PreTrainedTokenizer` that the adapter uses. */
export interface TransformersTokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
}

/**
 * Wrap a `@huggingface/transformers` tokenizer so that compress can count and map its tokens: encoding adds
 * no special tokens (no BOS), and decoding keeps every character (no clean-up of spaces before punctuation),
 * so that decoded pieces match the document.
 *
 * @param tokenizer e.g. `await AutoTokenizer.from_pretrained(folder)`.
 * @returns a {@link Tokenizer}.
 * @example
 * ```ts
 * import { AutoTokenizer, env } from "@huggingface/transformers";
 * env.allowRemoteModels = false;
 * const tokenizer = adaptTransformersTokenizer(await AutoTokenizer.from_pretrained("/models/phi-3-mini"));
 * ```
 */
export function adaptTransformersTokenizer(tokenizer: TransformersTokenizerLike): Tokenizer {
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    decode: (ids) =>
      ids.length === 0
        ? ""
        : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
}
