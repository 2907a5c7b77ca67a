// Child process of the fsync test: one trainer checkpoint (test policy) and one model checkpoint (saveCheckpoint),
// so the parent can trace their fsync and rename calls. Usage: bun _sync-child.ts <outputDir>
import { join } from "node:path";
import { randomWeights } from "../model/_random-weights.ts";
import { tinyConfig } from "../model/_test-configs.ts";
import { selectBackend } from "../model/backend.ts";
import { saveCheckpoint } from "../model/checkpoint.ts";
import { commandArgs } from "../runtime.ts";
import { bigramPolicy, charTokenizer, saveTestPolicy, toyPairs } from "./_test-helpers.ts";
import { buildTrainConfig } from "./train-config.ts";
import { train } from "./trainer.ts";
import { buildTrainingExample } from "./training-example.ts";

const out = commandArgs()[0] as string;
await selectBackend("cpu");
const { config } = buildTrainConfig({ method: "sft", learningRate: 0.01, batchSize: 2, gradientAccumulation: 1, maxSteps: 1, outputDir: join(out, "run") });
const policy = bigramPolicy(7);
const examples = toyPairs(4).map((p) => buildTrainingExample(charTokenizer, p, "long"));
await train({ config, policy, examples, padId: 0, saveModel: (dir) => saveTestPolicy(policy, dir) });
const model = tinyConfig();
await saveCheckpoint(join(out, "model"), { config: model, weights: randomWeights(model, 1) });
