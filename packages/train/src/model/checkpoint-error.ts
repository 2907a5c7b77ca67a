// CheckpointError: the one error a caller catches when a checkpoint file (config, weights, tokenizer) is unusable.

/**
 * A checkpoint file could not be used: unreadable, malformed, corrupted or inconsistent with its config.
 * `file` names the file (path as given), `problem` says what is wrong in one sentence.
 *
 * @example
 * try { await loadCheckpoint(dir); } catch (e) { if (e instanceof CheckpointError) console.error(e.file, e.problem); }
 */
export class CheckpointError extends Error {
  /** The file that is at fault. */
  readonly file: string;
  /** What is wrong with it. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`Cannot use checkpoint file ${file}: ${problem}`, options);
    this.name = "CheckpointError";
    this.file = file;
    this.problem = problem;
  }
}
