import { describe, expect, it } from "vitest";
import { splitUnits } from "./split-units.ts";

/** The units a text breaks into, as strings. */
function units(text: string, kind: Parameters<typeof splitUnits>[1]): string[] {
  const cuts = [0, ...splitUnits(text, kind, 0, text.length), text.length];
  return cuts.slice(1).map((end, i) => text.slice(cuts[i], end));
}

describe("splitUnits", () => {
  it("starts a paragraph after each blank line, Windows line ends included", () => {
    expect(units("A.\n\nB.\n  \n\nC.", "paragraph")).toEqual(["A.\n\n", "B.\n  \n\n", "C."]);
    expect(units("A.\r\n\r\nB.", "paragraph")).toEqual(["A.\r\n\r\n", "B."]);
    expect(units("one line\nand the next", "paragraph")).toEqual(["one line\nand the next"]);
  });

  it("ends sentences after stops, closing quotes and CJK full stops", () => {
    expect(units('He said "Go!" Then left. Why? 好。好！', "sentence")).toEqual([
      'He said "Go!" ',
      "Then left. ",
      "Why? ",
      "好。",
      "好！",
    ]);
    expect(units("3.14 is pi", "sentence")).toEqual(["3.14 is pi"]);
  });

  it("cuts Markdown at ATX headings only, not at #hashtags or inside fences", () => {
    const text = "intro\n# H1\n#tag\n~~~\n## fenced\n~~~\n###### H6\n####### seven";
    expect(units(text, "markdown")).toEqual([
      "intro\n",
      "# H1\n#tag\n~~~\n## fenced\n~~~\n",
      "###### H6\n####### seven",
    ]);
  });

  it("cuts LaTeX at sectioning commands, from the start of their line", () => {
    const text = "pre\n  \\section{A} a\n\\subsection[s]{B} b % \\section{C}\n\\paragraph{D} d";
    expect(units(text, "latex")).toEqual([
      "pre\n",
      "  \\section{A} a\n",
      "\\subsection[s]{B} b % \\section{C}\n\\paragraph{D} d",
    ]);
  });

  it("cuts only inside the range it is given", () => {
    const text = "A.\n\nB.\n\nC.\n\nD.";
    expect(splitUnits(text, "paragraph", 4, 12)).toEqual([8]);
  });
});
