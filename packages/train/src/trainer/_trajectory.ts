// The pinned trajectory: a tiny fixed-seed Llama trained 20 LongPO steps on toy pairs; shared by the test and
// the script that writes _testdata/trajectory.json.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { llamaPolicy } from "../adapters/llama-policy.ts";
import { parseModelConfig } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import { charTokenizer, TEST_VOCAB, toyPairs } from "./_test-helpers.ts";
import { attachReferenceLogps } from "./reference-logps.ts";
import { buildTrainConfig } from "./train-config.ts";
import { train } from "./trainer.ts";
import { buildTrainingExample } from "./training-example.ts";

/** Run the pinned configuration; returns one loss (and margin) per step. */
export async function pinnedTrajectory(): Promise<{ loss: number[]; margins: number[] }> {
  const config = parseModelConfig({
    model_type: "llama", vocab_size: TEST_VOCAB, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2,
    num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 256, rope_theta: 10000, rms_norm_eps: 1e-5,
    tie_word_embeddings: false,
  });
  const out = await mkdtemp(join(tmpdir(), "longpo-trajectory-"));
  try {
    const { config: trainConfig } = buildTrainConfig({
      method: "longpo", beta: 0.1, lambda: 0.5, contextLossWeight: 0, learningRate: 1e-2, schedule: "cosine", warmupRatio: 0.1,
      optimizer: "adamw", weightDecay: 0.01, batchSize: 2, gradientAccumulation: 2, maxGradNorm: 1, maxSteps: 20, seed: 3,
      outputDir: out,
    });
    const reference = LlamaModel.random(config, 11, 0.1);
    const raw = toyPairs(12).map((p) => buildTrainingExample(charTokenizer, p, "short"));
    const { examples } = await attachReferenceLogps(raw, llamaPolicy(reference), { padId: 0 });
    reference.dispose();
    const model = LlamaModel.random(config, 11, 0.1);
    const loss: number[] = [];
    const margins: number[] = [];
    await train({
      config: trainConfig, policy: llamaPolicy(model), examples, padId: 0, saveModel: async () => {},
      onLog: (m) => {
        loss.push(m.loss);
        margins.push(m["rewards/margins"]);
      },
    });
    model.dispose();
    return { loss, margins };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
