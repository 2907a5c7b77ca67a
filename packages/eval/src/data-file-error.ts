// The error every loader throws for a bad line of a data file: which file, which line, what was wrong.

/** A line of a data file that failed validation. */
export class DataFileError extends Error {
  override readonly name = "DataFileError";
  /** Path or name of the file. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** What was wrong (for zod failures, the issues joined). */
  readonly reason: string;

  constructor(file: string, line: number, reason: string, content?: string) {
    const shown = content === undefined ? "" : `: ${content.length > 120 ? `${content.slice(0, 120)}…` : content}`;
    super(`Cannot load ${file} line ${line}: ${reason}${shown}`);
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
