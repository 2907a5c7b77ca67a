// Where a document breaks into units: blank lines, Markdown headings, LaTeX sectioning commands, sentence ends.
import type { ChunkUnits } from "./chunk-document.ts";

// A unit starts where the text after a blank line starts.
const BLANK_LINE = /\n[ \t\r]*\n\s*/g;
// A sentence ends at . ! ? … (with closing quotes or brackets) before whitespace, or at CJK full stops.
const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+|[。！？]+["'”’」』)]*\s*|\n[ \t\r]*\n\s*/g;
// ATX headings and code fences, at the start of a line.
const MARKDOWN_LINE = /^(?:#{1,6}(?:[ \t]|$)|```|~~~)/gm;
const LATEX_SECTION = /\\(?:part|chapter|section|subsection|subsubsection)\*?\s*[[{]/g;

/**
 * Offsets in `(from, to)` where a new unit of `kind` starts, ascending, before any snapping to tokens.
 *
 * @param text the document.
 * @param kind what a unit is.
 * @param from start of the range to cut (inclusive).
 * @param to end of the range to cut (exclusive).
 * @returns cut offsets strictly inside the range.
 * @example
 * ```ts
 * splitUnits("One.\n\nTwo.", "paragraph", 0, 10); // [6]
 * ```
 */
export function splitUnits(text: string, kind: ChunkUnits, from: number, to: number): number[] {
  const cuts: number[] = [];
  const push = (offset: number): void => {
    if (offset > from && offset < to && offset > (cuts[cuts.length - 1] ?? from)) cuts.push(offset);
  };
  const range = text.slice(from, to);
  switch (kind) {
    case "paragraph":
      for (const m of range.matchAll(BLANK_LINE)) push(from + m.index + m[0].length);
      break;
    case "sentence":
      for (const m of range.matchAll(SENTENCE_END)) push(from + m.index + m[0].length);
      break;
    case "markdown": {
      let inFence = false;
      for (const m of range.matchAll(MARKDOWN_LINE)) {
        if (m[0].startsWith("`") || m[0].startsWith("~")) inFence = !inFence;
        else if (!inFence) push(from + m.index);
      }
      break;
    }
    case "latex":
      for (const m of range.matchAll(LATEX_SECTION)) {
        const at = from + m.index;
        const lineStart = text.lastIndexOf("\n", at - 1) + 1;
        if (isLatexComment(text, lineStart, at)) continue;
        // Start the unit at its line when only whitespace comes before the command on that line.
        push(text.slice(lineStart, at).trim() === "" ? lineStart : at);
      }
      break;
  }
  return cuts;
}

/** Whether an unescaped % sits between `lineStart` and `at`, making the command a comment. */
function isLatexComment(text: string, lineStart: number, at: number): boolean {
  for (let i = lineStart; i < at; i++) {
    if (text[i] === "%" && text[i - 1] !== "\\") return true;
  }
  return false;
}

/** The unit kinds tried, in order, for a piece of `kind` that is still too long. */
export const FINER_UNITS: Record<ChunkUnits, ChunkUnits[]> = {
  markdown: ["markdown", "paragraph", "sentence"],
  latex: ["latex", "paragraph", "sentence"],
  paragraph: ["paragraph", "sentence"],
  sentence: ["sentence"],
};
