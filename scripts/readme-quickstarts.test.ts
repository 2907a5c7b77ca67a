// Runs every README quick start verbatim, under the runtime it names, from the README text itself.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allQuickStarts, type QuickStart, quickStartsOf, readmePaths } from "./readme-quickstarts.ts";

const root = join(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
/** Noise a newcomer must not see (issue 15): npm's config warning and tfjs's Node banner. */
const NOISE = [/npm warn/i, /Hi, looks like you are running TensorFlow\.js/];

function exec(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env["PATH"]}` } }, (e, out, err) =>
      resolve({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, out, err }));
  });
}

/** Run one quick start: TypeScript from a file inside the repository (so `@longpo/*` resolve to the workspace) in an empty folder; shell from the repository root. */
async function runQuickStart(q: QuickStart): Promise<{ code: number; out: string; err: string }> {
  if (q.runtime === "sh") {
    // As on a fresh clone: the run folders the block writes (runs/<name>, ignored by git) start absent.
    for (const m of new Set(q.code.match(/\bruns\/[A-Za-z0-9_-]+/g) ?? [])) rmSync(join(root, m), { recursive: true, force: true });
    return exec("bash", ["-e", "-o", "pipefail", "-c", q.code], root, 900_000);
  }
  const dir = join(root, "tmp", "quickstarts");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${q.readme.replace(/[^A-Za-z0-9]+/g, "-")}.ts`);
  writeFileSync(file, q.code);
  const cwd = mkdtempSync(join(tmpdir(), "quickstart-"));
  try {
    return q.runtime === "deno" ? await exec(bin("deno"), ["run", "-A", file], cwd, 300_000) : await exec(bin("bun"), [file], cwd, 300_000);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe("README quick starts", () => {
  it("every README has one, found by its heading", () => {
    for (const readme of readmePaths(root)) {
      const found = allQuickStarts(root).filter((q) => q.readme === readme);
      expect(found.length, `${readme} has no "## Quick start" section with a fenced block`).toBeGreaterThan(0);
    }
  });

  it("extraction takes the first block under the heading, its runtime marker and the output shown after it", () => {
    const md = "# x\n\n## Quick start (offline)\n\n<!-- quick start: deno -->\n```ts\nconsole.log(1);\n```\n\nprints:\n\n```text\n1\n```\n\n## Other\n\n```sh\nls\n```\n";
    expect(quickStartsOf(md, "R.md")).toEqual([{ readme: "R.md", heading: "Quick start (offline)", lang: "ts", runtime: "deno", code: "console.log(1);\n", expected: "1" }]);
    expect(() => quickStartsOf("## Quick start\n\nno block\n\n## Next\n", "R.md")).toThrow('R.md: section "Quick start" has no fenced block');
  });

  for (const q of allQuickStarts(root)) {
    const title = `${q.readme} "${q.heading}" runs under ${q.runtime}${q.reason === undefined ? "" : ` (${q.reason})`}`;
    if (q.runtime === "manual") {
      it(title, () => {
        // Not run here (the reason is in the README's marker); its commands must still exist.
        for (const m of q.code.matchAll(/npx longpo (\S+)/g)) expect(["demo", "bootstrap", "world-pairs", "train", "eval", "generate", "prefgen", "score", "compress", "run", "convert-llama2c"]).toContain(m[1]);
        for (const m of q.code.matchAll(/npm (?:run )?(test|ci|run \S+)/g)) expect(m[1]).toBeTruthy();
      });
      continue;
    }
    it(title, async () => {
      const r = await runQuickStart(q);
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
      for (const noise of NOISE) expect(`${r.out}\n${r.err}`).not.toMatch(noise);
      if (q.expected !== undefined) for (const line of q.expected.split("\n")) expect(r.out).toContain(line);
    }, 900_000);
  }
});
