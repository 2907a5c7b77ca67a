// The output-folder lock: one run writes a folder at a time; a lock left by a dead process is taken over.
import { linkSync, mkdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";

/** The lock file's name inside the locked folder. */
export const LOCK_FILE = ".longpo.lock";

/** What a lock file records about the run that holds it. */
export interface LockOwner {
  pid: number;
  /** ISO 8601 time the run took the lock. */
  started: string;
  host: string;
  /** The command, for people reading the file. */
  command: string;
}

/** Another live run holds the folder. The CLI exits 2 on it. */
export class OutputLockedError extends Error {
  override readonly name = "OutputLockedError";
  /** The locked folder. */
  readonly dir: string;
  /** The run that holds it. */
  readonly owner: LockOwner;

  constructor(dir: string, owner: LockOwner) {
    super(`another run (pid ${owner.pid}${owner.host === hostname() ? "" : ` on ${owner.host}`}, started ${owner.started}) is writing ${dir}`);
    this.dir = dir;
    this.owner = owner;
  }
}

/** A held lock. */
export interface OutputLock {
  /** The stale lock this run took over, if any (its owner is no longer running). */
  readonly tookOver: LockOwner | undefined;
  /**
   * Remove the lock file, and the folders the lock created if they are still empty, so a run that stopped before
   * writing leaves nothing behind (idempotent; also runs at process exit).
   */
  release(): void;
}

/**
 * Take the exclusive lock of an output folder (created if missing): `<dir>/.longpo.lock` records this process's
 * pid, start time and host. The file is written aside and hard-linked into place, so it appears whole or not at
 * all and two runs cannot both create it. A lock whose pid is not running on this host is stale: it is removed
 * and taken over (see `tookOver`). A lock from another host is never taken over.
 * @param command what to record as the holder (e.g. "longpo prefgen")
 * @throws {OutputLockedError} when a live run holds the folder
 * @example
 * const lock = acquireOutputLock("runs/x", "longpo train");
 * try { ... } finally { lock.release(); }
 */
export function acquireOutputLock(dir: string, command: string): OutputLock {
  const created = mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, started: new Date().toISOString(), host: hostname(), command };
  const staging = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(staging, `${JSON.stringify(owner)}\n`);
  let tookOver: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(staging, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw error;
      }
      const held = readOwner(file);
      if (held === undefined) continue; // released between our link and our read: try again
      if (held.host !== owner.host || isRunning(held.pid)) throw new OutputLockedError(dir, held);
      tookOver = held;
      try {
        unlinkSync(file);
      } catch {
        // another run removed it first; the next link decides
      }
    }
  } finally {
    unlinkSync(staging);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    const now = readOwner(file);
    if (now?.pid !== owner.pid || now.started !== owner.started) return;
    unlinkSync(file);
    if (created === undefined) return;
    for (let d = resolve(dir); d.length >= resolve(created).length; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        return; // not empty: the run wrote something
      }
    }
  };
  process.on("exit", release);
  return { tookOver, release };
}

function readOwner(file: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid === "number" && typeof v.started === "string") return { pid: v.pid, started: v.started, host: String(v.host ?? ""), command: String(v.command ?? "") };
  } catch {
    // a lock file we cannot read: treated as held by pid 0 (never running), i.e. stale
  }
  return { pid: 0, started: "unknown", host: hostname(), command: "" };
}

/** Whether a process with this pid exists (signal 0 checks without sending; EPERM means it exists). */
function isRunning(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
