// Child process for the lock tests: take the lock of argv[2], say so, hold it argv[3] ms (or, for "stdin", until
// stdin closes), release, exit 0; exit 2 with the error's message when another run holds it.
import process from "node:process";
import { acquireOutputLock, OutputLockedError } from "../output-lock.ts";

const [dir, holdMs] = process.argv.slice(2);
try {
  const lock = acquireOutputLock(dir!, "lock-child");
  if (lock.tookOver !== undefined) process.stdout.write(`took over pid ${lock.tookOver.pid}\n`);
  process.stdout.write("locked\n");
  const done = () => {
    lock.release();
    process.exit(0);
  };
  if (holdMs === "stdin") process.stdin.on("end", done).resume();
  else setTimeout(done, Number(holdMs));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(error instanceof OutputLockedError ? 2 : 1);
}
