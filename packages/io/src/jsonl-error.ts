// The error a caller catches for a bad line of a JSONL file: which file, which line, what was wrong.
import type { z } from "zod";

/**
 * A line of a JSONL file that cannot be used: not UTF-8, too long, not JSON, not matching its schema, or a
 * duplicate. Carries the file, the 1-based line number and zod's issues (empty unless the schema failed), so a
 * person can open the file at the line.
 * @example
 * try { for await (const row of readJsonl(file, Row)) use(row); }
 * catch (e) { if (e instanceof JsonlError) console.error(e.file, e.line, e.issues); }
 */
export class JsonlError extends Error {
  override readonly name: string = "JsonlError";
  /** The file that holds the bad line. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** zod's issues; empty when the line failed before its schema. */
  readonly issues: z.core.$ZodIssue[];
  /** What was wrong, without the file and line. */
  readonly reason: string;

  constructor(file: string, line: number, issues: z.core.$ZodIssue[], reason: string) {
    super(`Cannot read ${file}: line ${line} ${reason}`);
    this.file = file;
    this.line = line;
    this.issues = issues;
    this.reason = reason;
  }

  /** A line that parsed as JSON but failed its schema. */
  static invalid(file: string, line: number, issues: z.core.$ZodIssue[]): JsonlError {
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    return new JsonlError(file, line, issues, `does not match the schema: ${summary}`);
  }

  /** A line that is not JSON. */
  static notJson(file: string, line: number, reason: string): JsonlError {
    return new JsonlError(file, line, [], `is not valid JSON: ${reason}`);
  }
}
