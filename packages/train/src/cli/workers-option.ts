// The --workers option of every computing command: declared once, checked once.
import { checkWorkerCount, defaultWorkerCount } from "../parallel/worker-count.ts";
import { optNum, type OptionSpec, type ParsedArgs, UsageError } from "./args.ts";

/** `--workers N`: model replicas in worker threads; default every core. */
export const workersOption: OptionSpec = {
  kind: "integer",
  description: "model replicas in worker threads, 1 to 64 (default: $LONGPO_WORKERS, else every core: os.availableParallelism())",
};

/**
 * The checked `--workers` value, or {@link defaultWorkerCount} when absent.
 *
 * @throws {UsageError} for 0, a value above 64 (non-integers are refused by the parser), a bad LONGPO_WORKERS
 */
export function workersArg(args: ParsedArgs): number {
  try {
    const n = optNum(args, "workers");
    return n === undefined ? defaultWorkerCount() : checkWorkerCount(n);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
