import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { acquireOutputLock, LOCK_FILE } from "@longpo/io";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./cli-io.ts";
import { main } from "./main.ts";

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const io: CliIo = { out: () => {}, err: (t) => void err.push(t) };
  return { code: await main(argv, io), err: err.join("") };
}

const missing = "/nonexistent/longpo-model";
/** Each command that writes a folder, with arguments that reach its lock (the inputs need not exist). */
const commands: [string, (out: string) => string[]][] = [
  ["prefgen", (out) => ["--model", missing, "--documents", missing, "--out", out]],
  ["train", (out) => ["--model", missing, "--pairs", missing, "--outputDir", out]],
  ["eval", (out) => ["--model", missing, "--out", out]],
  ["run", (out) => ["--model", missing, "--documents", missing, "--out", out]],
  ["demo", (out) => ["--out", out]],
  ["bootstrap", (out) => ["--out", out]],
];

describe("every command that writes a folder locks it (issue 14, defect 3)", () => {
  for (const [name, argv] of commands) {
    it(`longpo ${name} stops with exit 2 when another live run writes its folder, touching nothing`, async () => {
      const out = mkdtempSync(join(tmpdir(), `longpo-lock-${name}-`));
      const owner = { pid: process.pid, started: "2026-01-02T03:04:05.000Z", host: (await import("node:os")).hostname(), command: "longpo other" };
      writeFileSync(join(out, LOCK_FILE), JSON.stringify(owner));
      const r = await run(name, ...argv(out));
      expect(r.code).toBe(2);
      expect(r.err.split("\n").filter((l) => !l.startsWith(`${name}: override `))).toEqual([`longpo ${name}: another run (pid ${process.pid}, started 2026-01-02T03:04:05.000Z) is writing ${out}`, ""]);
      expect(JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8"))).toEqual(owner);
    });
  }

  it("takes over a lock whose process is gone, says so, and releases it when the command ends", async () => {
    const out = mkdtempSync(join(tmpdir(), "longpo-lock-stale-"));
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: 99_999_999, started: "2026-01-02T03:04:05.000Z", host: (await import("node:os")).hostname(), command: "longpo eval" }));
    const r = await run("eval", "--model", missing, "--out", out);
    expect(r.err).toContain(`eval: took over the lock of ${out} left by pid 99999999 (started 2026-01-02T03:04:05.000Z), which is no longer running\n`);
    expect(r.code).toBe(2); // then the missing model stops it
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it("a second longpo process on a locked folder exits 2 at once with the holder's pid", async () => {
    const out = mkdtempSync(join(tmpdir(), "longpo-lock-child-"));
    const lock = acquireOutputLock(out, "longpo train");
    try {
      const repoRoot = resolve(import.meta.dirname, "../../../..");
      const child = spawn(join(repoRoot, "node_modules", ".bin", "bun"), [join(repoRoot, "packages/train/src/cli.ts"), "eval", "--model", missing, "--out", out], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`longpo eval: another run \\(pid ${process.pid}, started [^)]+\\) is writing ${out}\\n`));
    } finally {
      lock.release();
    }
  });
});
