// The --workers option of every computing command: declared once, checked once.
import { checkWorkerCount, defaultWorkerCount } from "../parallel/worker-count.ts";
import { num, type OptionSpec, type ParsedArgs, UsageError } from "./args.ts";

/** `--workers N`: model replicas in worker threads; default every core. */
export const workersOption: OptionSpec = {
  kind: "integer",
  default: defaultWorkerCount(),
  description: "model replicas in worker threads, 1 to 64 (default: every core, os.availableParallelism())",
};

/**
 * The checked `--workers` value.
 *
 * @throws {UsageError} for 0, a value above 64 (non-integers are refused by the parser)
 */
export function workersArg(args: ParsedArgs): number {
  try {
    return checkWorkerCount(num(args, "workers"));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
