// The error a caller catches when a JSONL data file holds a line that is not what its stage expects.
import type { z } from "zod";

/**
 * A line of a JSONL data file that is not valid JSON or does not match its schema. Carries the file, the 1-based
 * line number and zod's issues (empty when the line is not JSON at all), so a person can open the file at the line.
 * @example
 * ```ts
 * try { for await (const pair of readJsonl(file, PreferencePair)) use(pair); }
 * catch (e) { if (e instanceof PreferenceDataError) console.error(e.file, e.line, e.issues); }
 * ```
 */
export class PreferenceDataError extends Error {
  override readonly name = "PreferenceDataError";
  /** The file that holds the bad line. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** zod's issues; empty when the line is not JSON. */
  readonly issues: z.core.$ZodIssue[];

  constructor(file: string, line: number, issues: z.core.$ZodIssue[], detail: string) {
    super(`Cannot read ${file}: line ${line} ${detail}`);
    this.file = file;
    this.line = line;
    this.issues = issues;
  }

  /** A line that parsed as JSON but failed its schema. */
  static invalid(file: string, line: number, issues: z.core.$ZodIssue[]): PreferenceDataError {
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    return new PreferenceDataError(file, line, issues, `does not match the schema: ${summary}`);
  }

  /** A line that is not JSON. */
  static notJson(file: string, line: number, reason: string): PreferenceDataError {
    return new PreferenceDataError(file, line, [], `is not valid JSON: ${reason}`);
  }
}
