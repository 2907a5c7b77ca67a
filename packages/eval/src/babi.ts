// Loader of the bAbI QA format (Weston et al., 2015), the facts BABILong scatters through long texts.
import { DataFileError } from "./data-file-error.ts";

/** One bAbI question with the story facts told before it. */
export interface BabiSample {
  /** Story sentences before the question (questions excluded), in order. */
  facts: string[];
  question: string;
  answer: string;
  /** Indices into `facts` of the supporting sentences. */
  supporting: number[];
  /** File and line of the question, for reports. */
  source: string;
}

/**
 * Parses bAbI text: lines "ID sentence" and "ID question<TAB>answer<TAB>supporting ids"; an ID of 1 starts a new
 * story. Each question yields one sample holding the story's facts up to it.
 * @param text contents of a file such as `qa1_single-supporting-fact_test.txt`
 * @param file file name used in errors and in `source`
 * @throws {DataFileError} for a line that does not fit the format (with file and line number).
 * @example const samples = parseBabi(readFileSync(path, "utf8"), path);
 */
export function parseBabi(text: string, file = "<bAbI>"): BabiSample[] {
  const out: BabiSample[] = [];
  let facts: string[] = [];
  let idToFact = new Map<number, number>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    if (raw.trim() === "") continue;
    const m = /^(\d+) (.*)$/.exec(raw);
    if (m === null) throw new DataFileError(file, lineNo, "a bAbI line must start with a number and a space", raw);
    const id = Number(m[1]);
    const body = m[2] as string;
    if (id === 1) {
      facts = [];
      idToFact = new Map();
    }
    const parts = body.split("\t");
    if (parts.length === 1) {
      idToFact.set(id, facts.length);
      facts.push(body.trim());
      continue;
    }
    if (parts.length !== 3) throw new DataFileError(file, lineNo, "a bAbI question must have question, answer and supporting ids separated by tabs", raw);
    const supporting = (parts[2] as string).trim().split(/\s+/).map((s) => {
      const f = idToFact.get(Number(s));
      if (f === undefined) throw new DataFileError(file, lineNo, `supporting id ${s} names no earlier fact of the story`, raw);
      return f;
    });
    out.push({ facts: [...facts], question: (parts[0] as string).trim(), answer: (parts[1] as string).trim(), supporting, source: `${file}:${lineNo}` });
  }
  return out;
}
