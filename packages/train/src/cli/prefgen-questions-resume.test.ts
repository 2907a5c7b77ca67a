import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createWordTokenizer } from "@longpo/compress";
import { createOpenAIModel, runPipeline } from "@longpo/prefgen";
import { describe, expect, it } from "vitest";
import { writeDocumentFolder } from "../../../prefgen/src/_testdata/make-documents.ts";
import { startToyServer } from "../../../prefgen/src/_testdata/toy-server.ts";
import { fixedQuestionsGenerator, PIPELINE } from "./_testdata/fixed-questions-child.ts";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const child = join(import.meta.dirname, "_testdata", "fixed-questions-child.ts");
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0);

/** Run the child and SIGKILL it once `file` holds `n` complete lines. */
function runAndKill(args: string[], file: string, n: number): Promise<string | null> {
  return new Promise((done) => {
    const proc: ChildProcess = spawn(join(repoRoot, "node_modules", ".bin", "bun"), [child, ...args], { cwd: repoRoot, stdio: "ignore" });
    const timer = setInterval(() => {
      if (lines(file) >= n) proc.kill("SIGKILL");
    }, 3);
    proc.on("exit", (_code, signal) => {
      clearInterval(timer);
      done(signal);
    });
  });
}

describe("prefgen --questions resumes (issue 14, defect 4)", () => {
  it("killed twice with SIGKILL inside the questions stage, then resumed, writes the same bytes as an uninterrupted run", async () => {
    const server = await startToyServer();
    try {
      const root = mkdtempSync(join(tmpdir(), "longpo-questions-resume-"));
      const docs = join(root, "docs");
      writeDocumentFolder(docs, 6, 6, 3);
      const model = createOpenAIModel({ baseURL: server.url, model: "toy", concurrency: 2 });
      const run = (outDir: string) => runPipeline({ documents: docs, outDir, tokenizer: createWordTokenizer(), generator: fixedQuestionsGenerator(model, 0), scorer: model, progress: false, ...PIPELINE });
      const ref = await run(join(root, "ref"));
      const total = lines(ref.files.questions);
      expect(total).toBeGreaterThanOrEqual(12);

      const out = join(root, "out");
      const questions = join(out, "questions.jsonl");
      expect(await runAndKill([server.url, docs, out], questions, 3)).toBe("SIGKILL");
      expect(await runAndKill([server.url, docs, out], questions, 7)).toBe("SIGKILL");
      expect(lines(questions)).toBeGreaterThanOrEqual(7);
      expect(lines(questions)).toBeLessThan(total); // both kills landed inside the questions stage
      await run(out);
      expect(readFileSync(questions, "utf8")).toBe(readFileSync(ref.files.questions, "utf8"));
      expect(readFileSync(join(out, "pairs.jsonl"), "utf8")).toBe(readFileSync(ref.files.pairs, "utf8"));
    } finally {
      await server.close();
    }
  });
});
