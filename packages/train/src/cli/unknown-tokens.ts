// How much of a command's input the model's tokenizer maps to its unknown token, and a one-time warning when too much.
import type { ChatTokenizer } from "../model/tokenizer.ts";
import type { CliIo } from "./cli-io.ts";

/** Share of unknown tokens above which a command warns: "more than a few percent". */
export const UNKNOWN_TOKEN_WARN_SHARE = 0.03;

/** Token counts of some texts: all tokens, and those that are the tokenizer's unknown token. */
export interface UnknownTokenCount {
  tokens: number;
  unknown: number;
}

/**
 * Count the tokens of `texts` and how many of them are `tok.unkTokenId` (0 when the tokenizer has no unknown token).
 * @example
 * unknownTokens(m0Tokenizer, ["the cat sat"]); // { tokens: 3, unknown: 3 } for a world-vocabulary model
 */
export function unknownTokens(tok: Pick<ChatTokenizer, "encode" | "unkTokenId">, texts: Iterable<string>): UnknownTokenCount {
  let tokens = 0;
  let unknown = 0;
  for (const text of texts) {
    const ids = tok.encode(text);
    tokens += ids.length;
    if (tok.unkTokenId !== null) for (const id of ids) if (id === tok.unkTokenId) unknown++;
  }
  return { tokens, unknown };
}

/**
 * Warn once on stderr when more than {@link UNKNOWN_TOKEN_WARN_SHARE} of the input's tokens are unknown to the model:
 * the text is out of its vocabulary, and what the command prints will mean little.
 * @returns whether it warned
 */
export function warnUnknownTokens(io: CliIo, command: string, model: string, tok: Pick<ChatTokenizer, "encode" | "unkTokenId">, texts: Iterable<string>): boolean {
  const { tokens, unknown } = unknownTokens(tok, texts);
  if (tokens === 0 || unknown / tokens <= UNKNOWN_TOKEN_WARN_SHARE) return false;
  const share = ((100 * unknown) / tokens).toFixed(1);
  io.err(
    `${command}: warning: ${share}% of the input's ${tokens} tokens (${unknown}) are unknown to the tokenizer of ${model}; ` +
      `the model cannot read that part of the input, so its output will mean little\n`,
  );
  return true;
}
