import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { acquireOutputLock, LOCK_FILE, OutputLockedError } from "./output-lock.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");
const bun = join(repoRoot, "node_modules", ".bin", "bun");
const child = join(import.meta.dirname, "_testdata", "lock-child.ts");
const tmp = () => mkdtempSync(join(tmpdir(), "io-lock-"));

interface Run {
  proc: ChildProcess;
  out: string;
  err: string;
  /** Resolves when stdout has shown `text`. */
  saw(text: string): Promise<void>;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

function start(dir: string, hold: number | "stdin"): Run {
  const proc = spawn(bun, [child, dir, String(hold)], { cwd: repoRoot, stdio: [hold === "stdin" ? "pipe" : "ignore", "pipe", "pipe"] });
  const run: Run = {
    proc,
    out: "",
    err: "",
    saw: (text) => new Promise((done) => {
      const check = () => (run.out.includes(text) ? done() : setTimeout(check, 5));
      check();
    }),
    exit: new Promise((done) => proc.on("exit", (code, signal) => done({ code, signal }))),
  };
  proc.stdout?.on("data", (d: Buffer) => (run.out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (run.err += d.toString()));
  return run;
}

describe("acquireOutputLock", () => {
  it("lets one of two concurrent processes write a folder; the other exits 2 naming the holder's pid", async () => {
    const dir = tmp();
    const first = start(dir, "stdin"); // holds the lock until its stdin closes
    await first.saw("locked");
    const second = start(dir, 0);
    expect((await second.exit).code).toBe(2);
    expect(second.err).toMatch(new RegExp(`^another run \\(pid ${first.proc.pid}, started \\d{4}-\\d\\d-\\d\\dT[^)]+\\) is writing ${dir}\\n$`));
    first.proc.stdin?.end();
    expect((await first.exit).code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("takes over the lock of a process killed with SIGKILL, and says whose it was", async () => {
    const dir = tmp();
    const victim = start(dir, 60_000);
    await victim.saw("locked");
    victim.proc.kill("SIGKILL");
    expect((await victim.exit).signal).toBe("SIGKILL");
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(victim.proc.pid);
    const lock = acquireOutputLock(dir, "test");
    expect(lock.tookOver?.pid).toBe(victim.proc.pid);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("refuses a second lock in the same live process, and allows one after release", () => {
    const dir = tmp();
    const lock = acquireOutputLock(dir, "test");
    expect(() => acquireOutputLock(dir, "test")).toThrow(OutputLockedError);
    lock.release();
    lock.release();
    acquireOutputLock(dir, "test").release();
  });

  it("removes the folders it created when the run wrote nothing, and keeps a folder the run wrote into", () => {
    const root = tmp();
    const lock = acquireOutputLock(join(root, "a", "b"), "test");
    lock.release();
    expect(existsSync(join(root, "a"))).toBe(false);
    const kept = acquireOutputLock(join(root, "c", "d"), "test");
    writeFileSync(join(root, "c", "d", "out.txt"), "x");
    kept.release();
    expect(readFileSync(join(root, "c", "d", "out.txt"), "utf8")).toBe("x");
    expect(existsSync(join(root, "c", "d", LOCK_FILE))).toBe(false);
  });

  it("treats an unreadable lock file as stale", () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), "{torn");
    const lock = acquireOutputLock(dir, "test");
    expect(lock.tookOver?.pid).toBe(0);
    lock.release();
  });
});
