// A small deterministic word tokenizer, for tests and examples only.
import type { Tokenizer } from "./tokenize-document.ts";

// A token is a word (letters/digits) or one other symbol, with at most one leading space, or one whitespace
// character. Every character falls in exactly one token, so decode(encode(text)) === text.
const TOKEN = / ?[\p{L}\p{N}]+| ?[^\s\p{L}\p{N}]|\s/gu;

/**
 * Make a fresh word tokenizer for tests and examples: GPT-2-like pieces (a word with its leading space, a
 * symbol, a whitespace character) and a vocabulary that grows as it meets new pieces. Deterministic; not a
 * model's tokenizer.
 *
 * @returns a {@link Tokenizer} whose `decode(encode(text))` is `text`.
 * @example
 * ```ts
 * const tok = createWordTokenizer();
 * tok.encode("Hello, world.").length; // 4: "Hello" "," " world" "."
 * ```
 */
export function createWordTokenizer(): Tokenizer {
  const idOf = new Map<string, number>();
  const pieces: string[] = [];
  return {
    encode(text: string): number[] {
      const ids: number[] = [];
      for (const match of text.matchAll(TOKEN)) {
        const piece = match[0];
        let id = idOf.get(piece);
        if (id === undefined) {
          id = pieces.length;
          pieces.push(piece);
          idOf.set(piece, id);
        }
        ids.push(id);
      }
      return ids;
    },
    decode(ids: number[]): string {
      let text = "";
      for (const id of ids) {
        const piece = pieces[id];
        if (piece === undefined) {
          throw new RangeError(
            `Cannot decode: id must be one this tokenizer gave out (0..${pieces.length - 1}), got ${id}`,
          );
        }
        text += piece;
      }
      return text;
    },
  };
}
