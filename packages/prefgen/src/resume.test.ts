import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { describe, expect, it } from "vitest";
import { createOpenAIModel } from "./create-openai-model.ts";
import { readJsonl } from "@longpo/io";
import { PreferencePair } from "./preference-pair.ts";
import { runPipeline } from "./run-pipeline.ts";
import { CHILD_PIPELINE } from "./_testdata/child-settings.ts";
import { writeDocumentFolder } from "./_testdata/make-documents.ts";
import { startToyServer } from "./_testdata/toy-server.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");
const bun = join(repoRoot, "node_modules", ".bin", "bun");
const child = join(import.meta.dirname, "_testdata", "pipeline-child.ts");

const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0);

/** Run the pipeline child; SIGKILL it as soon as `file` holds `lines` complete lines. Resolves how it ended. */
function runChild(args: string[], kill?: { file: string; lines: number }): Promise<"killed" | "exited"> {
  return new Promise((done, fail) => {
    const proc: ChildProcess = spawn(bun, [child, ...args], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = kill === undefined ? undefined : setInterval(() => {
      if (lineCount(kill.file) >= kill.lines) proc.kill("SIGKILL");
    }, 5);
    proc.on("exit", (code, signal) => {
      clearInterval(timer);
      if (signal === "SIGKILL") done("killed");
      else if (code === 0) done("exited");
      else fail(new Error(`pipeline child failed with code ${code}: ${stderr}`));
    });
  });
}

describe("kill and resume", () => {
  it("a pipeline SIGKILLed three times (and once left with a torn line) ends with every pair exactly once", async () => {
    const server = await startToyServer({ delayMs: 20 });
    try {
      const root = mkdtempSync(join(tmpdir(), "prefgen-resume-"));
      const docs = join(root, "docs");
      writeDocumentFolder(docs, 8, 6, 4);

      // Reference: the same pipeline, uninterrupted, in this process.
      const model = createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: CHILD_PIPELINE.concurrency });
      const ref = await runPipeline({ documents: docs, outDir: join(root, "ref"), tokenizer: createWordTokenizer(), generator: model, scorer: model, progress: false, ...CHILD_PIPELINE.options });
      const expected = readFileSync(ref.files.pairs, "utf8");
      const expectedIds = expected.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
      expect(expectedIds.length).toBeGreaterThanOrEqual(6);

      const out = join(root, "out");
      const args = [server.url, docs, out];
      expect(await runChild(args, { file: join(out, "questions.jsonl"), lines: 5 })).toBe("killed");
      expect(await runChild(args, { file: join(out, "responses.jsonl"), lines: 3 })).toBe("killed");
      appendFileSync(join(out, "responses.jsonl"), '{"id":"torn-by-a-kill","doc_'); // a write cut short
      expect(await runChild(args, { file: join(out, "pairs.jsonl"), lines: 3 })).toBe("killed");
      expect(lineCount(join(out, "pairs.jsonl"))).toBeLessThan(expectedIds.length);
      expect(await runChild(args)).toBe("exited");

      const ids: string[] = [];
      for await (const pair of readJsonl(join(out, "pairs.jsonl"), PreferencePair)) ids.push(pair.id);
      expect(ids).toEqual(expectedIds);
      expect(new Set(ids).size).toBe(ids.length);
      expect(readFileSync(join(out, "pairs.jsonl"), "utf8")).toBe(expected);
      expect(readFileSync(join(out, "responses.jsonl"), "utf8")).not.toContain("torn-by-a-kill");
    } finally {
      await server.close();
    }
  });
});
