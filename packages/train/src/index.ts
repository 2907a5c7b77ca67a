/**
 * @module
 * @longpo/train (work in progress).
 */
export const PACKAGE_NAME = "@longpo/train";
export { CheckpointError } from "./model/checkpoint-error.ts";
export { parameterShapes, parseModelConfig, toHfConfig, withRopeTheta } from "./model/config.ts";
export type { Architecture, ModelConfig, RopeScaling, WeightMap } from "./model/config.ts";
export { ropeFrequencies } from "./model/rope-frequencies.ts";
export { checkWeights, loadCheckpoint, saveCheckpoint } from "./model/checkpoint.ts";
export type { Checkpoint, SaveCheckpointOptions } from "./model/checkpoint.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  readSafetensorsFolder,
  writeSafetensorsFolder,
} from "./model/safetensors.ts";
export type { SafetensorsContents, SafetensorsReadDtype, SafetensorsWriteDtype } from "./model/safetensors.ts";
export { ChatTokenizer, loadTokenizer } from "./model/tokenizer.ts";
export {
  adjacentPairsToHalves,
  convertLlama2c,
  llama2cTokenizerFiles,
  readLlama2cModel,
  readLlama2cTokenizer,
} from "./model/llama2c.ts";
export type { ConvertLlama2cOptions, Llama2cTokenizer } from "./model/llama2c.ts";
export { BackendUnavailableError, selectBackend } from "./model/backend.ts";
export type { BackendChoice, BackendPreference } from "./model/backend.ts";
export { registerWasmKernels } from "./model/wasm-kernels.ts";
export { LlamaModel } from "./model/llama.ts";
export type { ForwardOptions } from "./model/llama.ts";
export { KvCache } from "./model/kv-cache.ts";
export { generate } from "./model/generate.ts";
export type { FinishReason, GenerateOptions, GenerationResult } from "./model/generate.ts";
export { scoreCompletions } from "./model/score.ts";
export type { CompletionScore, ScoreItem, ScoreOptions } from "./model/score.ts";
