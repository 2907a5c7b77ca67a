// Where the CLI writes, and the errors it turns into exit codes.
import { writeText } from "../runtime.ts";

/** Output sinks of a CLI run (tests capture them). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: CliIo = {
  out: (t) => writeText("stdout", t),
  err: (t) => writeText("stderr", t),
};

/** Exit codes: 0 done, 1 the run failed (diverged, crashed), 2 bad usage or bad input, 130 stopped by a signal. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** Bad input found before anything was written (missing folder, malformed file). Exit code 2. */
export class InputError extends Error {
  override name = "InputError";
}
