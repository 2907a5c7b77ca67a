import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { asset } from "./_testdata/assets.ts";
import { chatCompletion, startFakeServer } from "./_testdata/fake-server.ts";
import { oracleModel } from "./_testdata/oracles.ts";
import type { ChatMessage } from "./model.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const bun = join(repo, "node_modules", ".bin", "bun");

/** The ```ts blocks of the README, in order. */
async function readmeBlocks(): Promise<string[]> {
  const md = await readFile(join(here, "..", "README.md"), "utf8");
  return [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** Runs a README block with Bun (which runs TypeScript), the package imports pointed at the sources. */
async function runBlock(code: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "eval-readme-"));
  const file = join(dir, "example.ts");
  await writeFile(
    file,
    code
      .replaceAll('"@longpo/eval"', JSON.stringify(join(repo, "packages", "eval", "src", "index.ts")))
      .replaceAll('"@longpo/compress"', JSON.stringify(join(repo, "packages", "compress", "src", "index.ts")))
      .replaceAll('"eval-out"', JSON.stringify(join(dir, "out"))),
  );
  return new Promise((resolve, reject) =>
    execFile(bun, [file], { cwd: repo, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe("README examples", () => {
  it("the offline quick start prints a completed task scored 0", async () => {
    const [quick] = await readmeBlocks();
    const out = await runBlock(quick as string);
    expect(out).toContain('status: "completed"');
    expect(out).toMatch(/string_match_all: \{\s*mean: 0/);
  });

  it.skipIf(asset("tokenizers/phi-3-mini") === undefined)("the HTTP example evaluates a model served on 127.0.0.1 and writes its report", async () => {
    // the server plays a perfect model: each chat request is answered by the test oracle
    const oracle = oracleModel();
    const server = await startFakeServer(async (_path, body) => {
      const [answer] = await oracle.generate([body.messages as ChatMessage[]]);
      return { body: chatCompletion(answer as string) };
    });
    try {
      const block = (await readmeBlocks())[1] as string;
      const out = await runBlock(block.replace("http://127.0.0.1:8000/v1", server.baseURL));
      expect(out).toContain("niah_single 6/6");
      const written = (out.match(/"[^"]+"/g) ?? []).map((s) => JSON.parse(s) as string);
      expect(written.some((p) => p.endsWith("niah_single-heatmap.png"))).toBe(true);
      const md = await readFile(join(dirname(written[0] as string), "results.md"), "utf8");
      expect(md).toContain("| niah_multikey | string_match_all | 100.0 |");
      expect(md).toContain("| passkey | string_match_part | 100.0 |");
      expect(server.requests.length).toBe(6 + 2 + 2);
    } finally {
      await server.close();
    }
  });
});
