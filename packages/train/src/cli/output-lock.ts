// The CLI's side of @longpo/io's output-folder lock: each command locks the folder it writes; main releases it.
import { acquireOutputLock, type OutputLock } from "@longpo/io";
import type { CliIo } from "./cli-io.ts";

const held: OutputLock[] = [];

/**
 * Take the exclusive lock of the folder a command writes, before it writes anything; a lock left by a run that
 * is no longer running is taken over, and the command says so. `main` releases the locks when the command ends.
 * @throws {OutputLockedError} when another live run writes the folder (main turns it into exit 2)
 */
export function lockOutput(dir: string, command: string, io: CliIo): void {
  const lock = acquireOutputLock(dir, `longpo ${command}`);
  held.push(lock);
  const old = lock.tookOver;
  if (old !== undefined) io.err(`${command}: took over the lock of ${dir} left by pid ${old.pid} (started ${old.started}), which is no longer running\n`);
}

/** Release every lock taken by the command that just ended. */
export function releaseOutputLocks(): void {
  for (const lock of held.splice(0)) lock.release();
}
