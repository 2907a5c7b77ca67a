// The options every generated long-context task shares.
import type { PromptStyle } from "./haystack.ts";
import type { Tokenizer } from "./model.ts";

/** Options every generated long-context task takes. */
export interface LongContextOptions {
  /** The evaluated model's tokenizer: target lengths are counted in its tokens. */
  tokenizer: Tokenizer;
  /** Target prompt lengths in tokens; each prompt lands within 2% below its target. */
  lengths: readonly number[];
  /** Seed of the whole task; the same seed gives the same examples. Default 0. */
  seed?: number;
  /** Examples per length (per length and depth, for tasks with a depth). Default 1. */
  samples?: number;
  /** "chat" (one user message, the default) or "text" (raw prompt ending in the answer prefix). */
  style?: PromptStyle;
  /** Task name in reports; each task has a default. */
  name?: string;
}

/** What a needle's key or value is made of. */
export type NeedleType = "words" | "numbers" | "uuids";
