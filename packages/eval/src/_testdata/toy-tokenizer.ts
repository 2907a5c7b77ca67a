// A deterministic subword-like tokenizer for tests: words and punctuation, long words cut into 4-character pieces.
import type { Tokenizer } from "../model.ts";

/** Pieces: runs of whitespace+letters/digits of up to 4 characters, or single other characters; ids assigned on first sight. */
export function toyTokenizer(): Tokenizer {
  const ids = new Map<string, number>();
  const pieces: string[] = [];
  const id = (p: string): number => {
    let i = ids.get(p);
    if (i === undefined) {
      i = pieces.length;
      ids.set(p, i);
      pieces.push(p);
    }
    return i;
  };
  return {
    encode(text: string): number[] {
      const out: number[] = [];
      for (const m of text.matchAll(/\s?[A-Za-z0-9]+|\s|[^\sA-Za-z0-9]/g)) {
        const w = m[0];
        for (let i = 0; i < w.length; i += 4) out.push(id(w.slice(i, i + 4)));
      }
      return out;
    },
    decode(tokens: number[]): string {
      return tokens.map((t) => pieces[t] ?? "").join("");
    },
  };
}
