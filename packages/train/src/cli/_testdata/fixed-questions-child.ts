// Runs prefgen with --questions' generator (withFixedQuestions) against a server as a separate process, slowed to
// 30 ms per question batch so that a test can SIGKILL it inside the questions stage and run it again.
// Usage: bun fixed-questions-child.ts <baseURL> <documents folder> <out folder>
import process from "node:process";
import { createWordTokenizer } from "@longpo/compress";
import { createOpenAIModel, type Generator, runPipeline } from "@longpo/prefgen";
import { withFixedQuestions } from "../prefgen-command.ts";

/** The settings shared by the test's reference run and this child. */
export const FIXED_QUESTIONS = ["Who acts first?", "What is carried?", "Where does it happen?", "When does it happen?", "Why does it matter?", "What changes?", "Who doubts whom?"];
export const PIPELINE = { chunk: { maxTokens: 40 }, seed: 5, batchSize: 1, chunksPerDocument: 3 } as const;

/** The generator of `--questions`, each question batch delayed by `delayMs`. */
export function fixedQuestionsGenerator(inner: Generator, delayMs: number): Generator {
  const fixed = withFixedQuestions(inner, FIXED_QUESTIONS);
  return {
    name: fixed.name,
    async generate(requests) {
      const out = await fixed.generate(requests);
      if (out.some((r) => r.promptTokens === 0)) await new Promise((done) => setTimeout(done, delayMs));
      return out;
    },
  };
}

if ((import.meta as { main?: boolean }).main === true) {
  const [baseURL, documents, outDir] = process.argv.slice(2);
  const model = createOpenAIModel({ baseURL: baseURL!, model: "toy", concurrency: 2 });
  await runPipeline({ documents: documents!, outDir: outDir!, tokenizer: createWordTokenizer(), generator: fixedQuestionsGenerator(model, 30), scorer: model, progress: false, ...PIPELINE });
}
