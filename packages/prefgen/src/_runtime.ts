// The one file of this package that touches the runtime's globals (stderr), for progress output.

/** Where progress and log lines go: the process's standard error. */
export const stderr: { write(text: string): void; readonly isTTY: boolean; readonly columns: number } = {
  write(text) {
    process.stderr.write(text);
  },
  get isTTY() {
    return process.stderr.isTTY === true;
  },
  get columns() {
    return process.stderr.columns ?? 80;
  },
};

/** The command-line arguments after the script (used by the test driver that runs the pipeline as a child). */
export function commandLineArgs(): string[] {
  return process.argv.slice(2);
}
