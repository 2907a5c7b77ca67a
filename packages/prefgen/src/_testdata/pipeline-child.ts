// Runs the whole pipeline against a server as a separate process, so a test can SIGKILL it and run it again.
// Usage: bun pipeline-child.ts <baseURL> <documents folder> <out folder>
import { createWordTokenizer } from "@longpo/compress";
import { createOpenAIModel } from "../create-openai-model.ts";
import { runPipeline } from "../run-pipeline.ts";
import { commandLineArgs } from "../_runtime.ts";
import { CHILD_PIPELINE } from "./child-settings.ts";

const [baseURL, documents, outDir] = commandLineArgs();
if (baseURL === undefined || documents === undefined || outDir === undefined) throw new TypeError("usage: pipeline-child.ts <baseURL> <documents> <outDir>");
const model = createOpenAIModel({ baseURL, model: "toy", concurrency: CHILD_PIPELINE.concurrency });
await runPipeline({ documents, outDir, tokenizer: createWordTokenizer(), generator: model, scorer: model, progress: false, ...CHILD_PIPELINE.options });
