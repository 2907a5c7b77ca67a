// openInference: the inference engine for scoring and generation, chosen at run time (native ONNX Runtime or TF.js).

import type { InferenceModel } from "../adapters/llama-adapters.ts";
import type { ModelConfig, WeightMap } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import { NativeLlama } from "./native-llama.ts";

/** `native`: ONNX Runtime (onnxruntime-node); `tfjs`: the TF.js model on the selected backend; `auto`: native where it loads. */
export type InferencePreference = "auto" | "native" | "tfjs";

/** The values `--inference` accepts. */
export const INFERENCE_ENGINES: readonly InferencePreference[] = ["auto", "native", "tfjs"];

/** Options of {@link openInference}. */
export interface OpenInferenceOptions {
  /** ONNX Runtime threads (native only). Default: every core. */
  threads?: number;
  /** Receives the one-line note when `auto` falls back to TF.js. */
  note?: (line: string) => void;
}

let fallbackNoted = false;

/**
 * A model for scoring and generation (the adapters `llamaGenerator`, `llamaScorer`, `llamaEvalModel` and `generate`
 * take either engine). `auto` tries ONNX Runtime and falls back to TF.js with a one-line note (once per process).
 *
 * @throws when `native` is asked for and onnxruntime-node cannot be loaded (the message says why)
 * @example
 * const model = await openInference(config, weights, "auto");
 * try { await generate(model, [[1]], { maxNewTokens: 8 }); } finally { await model.dispose(); }
 */
export async function openInference(
  config: ModelConfig,
  weights: WeightMap,
  preference: InferencePreference,
  options: OpenInferenceOptions = {},
): Promise<InferenceModel> {
  if (preference === "tfjs") return LlamaModel.fromWeights(config, weights);
  try {
    return await NativeLlama.create(config, weights, options.threads === undefined ? {} : { threads: options.threads });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    if (preference === "native") throw new Error(`Cannot open native inference: onnxruntime-node failed to load or run (${reason})`);
    if (!fallbackNoted) options.note?.(`native inference unavailable (${reason}); scoring and generation use TF.js`);
    fallbackNoted = true;
    return LlamaModel.fromWeights(config, weights);
  }
}

/** Which engine a model runs on, for logs and reports. */
export function inferenceEngine(model: InferenceModel): string {
  return "engine" in model ? `native (onnxruntime-node, ${model.threads} thread${model.threads === 1 ? "" : "s"})` : "tfjs";
}
