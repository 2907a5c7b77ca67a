// Checkpoint folders are fsynced (every file, then the folder) before their rename, and the parent after it
// (issue 14, item 5), seen in the system calls of a child under Bun and Deno (strace; Linux only).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "..", "..", "..", "..", "node_modules", ".bin");
const hasStrace = spawnSync("strace", ["-V"]).status === 0;
let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "longpo-fsync-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The fsync'ed paths and successful renames of a traced child, in order. */
async function trace(runtime: string[], out: string): Promise<{ kind: "fsync" | "rename"; path: string; to?: string }[]> {
  const file = join(root, `${basename(out)}.strace`);
  execFileSync("strace", ["-f", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", file, ...runtime,
    join(import.meta.dirname, "_sync-child.ts"), out], { stdio: "ignore", timeout: 120_000 });
  const calls: { kind: "fsync" | "rename"; path: string; to?: string }[] = [];
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    const sync = /f(?:data)?sync\(\d+<([^>]+)>\)\s+= 0/.exec(line);
    if (sync !== null) calls.push({ kind: "fsync", path: sync[1] as string });
    const moved = /rename(?:at2?)?\((?:\d+<[^>]*>, )?"([^"]+)", (?:\d+<[^>]*>, )?"([^"]+)".*\)\s+= 0/.exec(line);
    if (moved !== null) calls.push({ kind: "rename", path: moved[1] as string, to: moved[2] as string });
  }
  return calls;
}

describe.skipIf(!hasStrace)("checkpoint saves", () => {
  for (const [name, runtime] of [["bun", [join(bin, "bun")]], ["deno", [join(bin, "deno"), "run", "-A"]]] as const) {
    it(`fsync every file and the folder before the rename, and the parent after it (${name})`, async () => {
      const out = join(root, name);
      const calls = await trace([...runtime], out);
      const targets = [join(out, "run", "checkpoint-1"), join(out, "run", "model"), join(out, "model")];
      for (const target of targets) {
        const at = calls.findIndex((c) => c.kind === "rename" && c.to === target);
        expect(at, `no rename onto ${target}`).toBeGreaterThan(0);
        const staging = calls[at]?.path as string;
        const before = new Set(calls.slice(0, at).filter((c) => c.kind === "fsync").map((c) => c.path));
        const files = await readdir(target);
        expect(files.length).toBeGreaterThan(0);
        for (const f of files) expect(before.has(join(staging, f)), `${f} of ${target} not fsynced before the rename`).toBe(true);
        expect(before.has(staging), `${staging} itself not fsynced`).toBe(true);
        const after = calls.slice(at + 1).filter((c) => c.kind === "fsync").map((c) => c.path);
        expect(after, `the parent of ${target} not fsynced after the rename`).toContain(dirname(target));
      }
    }, 180_000);
  }
});
