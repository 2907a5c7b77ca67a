// A tolerant parser for the numbered question list a model writes ("1:", "1.", "**1:**", "Question 1)", prose around).

// An item line: optional bullet and emphasis, an optional "Q"/"Question" label, the number, then ":", ".", ")" or "-".
const ITEM = /^\s*(?:[-*•]\s+)?(?:\*\*|__)?\s*(?:(?:q|question)\s*)?(\d{1,3})\s*(?:\*\*|__)?\s*[:.)\-–]\s*(?:\*\*|__)?\s*(.*)$/iu;

/**
 * Parse a numbered list of questions out of a model's reply. Items are the lines whose number is the next one
 * expected (1, 2, 3, …); lines that follow an item without a blank line continue it; prose before the first item
 * or after a blank line is ignored; a line starting with any other number is treated as text, not an item.
 * @param text the model's reply
 * @returns the questions in order, with markdown emphasis and surrounding quotes removed; empty items are dropped
 * @example
 * ```ts
 * parseNumberedQuestions("Sure! Here they are:\n**1:** Why?\n2. How?\n3) What?\nQuestion 4: Who?\nHope this helps.");
 * // ["Why?", "How?", "What?", "Who?"]
 * ```
 */
export function parseNumberedQuestions(text: string): string[] {
  const items: string[] = [];
  let current: string | null = null;
  const close = () => {
    if (current !== null) items.push(current);
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    const match = ITEM.exec(line);
    if (match !== null && Number(match[1]) === items.length + (current === null ? 1 : 2)) {
      close();
      current = match[2] ?? "";
      continue;
    }
    if (line.trim() === "") {
      // A blank line right after a bare number ("**1:**" then the question) does not end the item.
      if (current !== null && current.trim() !== "") close();
      continue;
    }
    if (current !== null) current = current === "" ? line.trim() : `${current} ${line.trim()}`;
  }
  close();
  return items.map(cleanQuestion).filter((q) => q !== "");
}

function cleanQuestion(raw: string): string {
  let q = raw.trim().replace(/\s+/g, " ");
  q = q.replace(/^(?:\*\*|__)+|(?:\*\*|__)+$/g, "").trim();
  q = q.replace(/^["“']+|["”']+$/g, "").trim();
  return q;
}

/** The framing phrases prefixed to a picked question; each points back at the text the model was given. */
export const FRAMING_PHRASES: readonly string[] = [
  "Based on the passage above, answer this question:",
  "According to the text above, answer the following:",
  "Using only the document above, respond to this question:",
  "Drawing on the passage you just read, answer:",
  "With reference to the text above, please answer:",
  "Considering the document above, answer the question below:",
  "From the information in the passage above, answer:",
  "Read the text above carefully and answer:",
  "Relying on the details in the passage above, answer this:",
  "Answer the following question about the text above:",
  "In light of the passage above, respond to the following:",
  "Given the document above, answer this question:",
  "Use the passage above to answer the following question:",
  "Referring back to the text above, answer:",
  "Taking into account the passage above, please respond:",
  "Based on what the document above says, answer the following:",
  "Using evidence from the text above, answer this question:",
  "With the passage above in mind, answer:",
  "Looking at the document above, respond to this question:",
  "Based on your reading of the passage above, answer:",
];

/** The question as asked: a framing phrase, a space, the question. */
export function frameQuestion(phrase: string, question: string): string {
  return `${phrase} ${question}`;
}
