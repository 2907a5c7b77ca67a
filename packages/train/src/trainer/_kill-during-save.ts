// Child process of the SIGKILL test: trains the bigram policy with a save that stalls at step 2, so the parent
// can kill it mid-save. Usage: bun _kill-during-save.ts <outputDir>
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { selectBackend } from "../model/backend.ts";
import { commandArgs } from "../runtime.ts";
import { bigramPolicy, charTokenizer, saveTestPolicy, toyPairs } from "./_test-helpers.ts";
import { buildTrainConfig } from "./train-config.ts";
import { train } from "./trainer.ts";
import { buildTrainingExample } from "./training-example.ts";

const out = commandArgs()[0] as string;
await selectBackend("cpu");
const { config } = buildTrainConfig({ method: "sft", learningRate: 0.01, batchSize: 2, gradientAccumulation: 1, maxSteps: 5, saveEvery: 1, outputDir: out });
const examples = toyPairs(6).map((p) => buildTrainingExample(charTokenizer, p, "long")); // SFT: no reference
const policy = bigramPolicy(7);
let saves = 0;
await train({
  config, policy, examples, padId: 0,
  saveModel: async (dir) => {
    saves++;
    await saveTestPolicy(policy, dir);
    if (saves === 2) {
      await writeFile(join(out, "saving-now"), "");
      await new Promise((r) => setTimeout(r, 60_000));
    }
  },
});
