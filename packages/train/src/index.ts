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
export { registerGradients } from "./model/gradients.ts";
export { LlamaModel } from "./model/llama.ts";
export type { ForwardOptions } from "./model/llama.ts";
export { KvCache } from "./model/kv-cache.ts";
export { generate } from "./model/generate.ts";
export type { DecodeSession, DecodingModel, FinishReason, GenerateOptions, GenerationResult } from "./model/generate.ts";
export { loadOrt, NativeLlama } from "./native/native-llama.ts";
export type { NativeLlamaOptions, TokenScores } from "./native/native-llama.ts";
export { INFERENCE_ENGINES, inferenceEngine, openInference } from "./native/open-inference.ts";
export type { InferencePreference, OpenInferenceOptions } from "./native/open-inference.ts";
export { scoreCompletions } from "./model/score.ts";
export type { CompletionScore, ScoreItem, ScoreOptions } from "./model/score.ts";
export { buildTrainConfig, describeTrainConfig, methodNeedsReference, OptimizerName, ScheduleName, TrainConfig, TrainConfigError, TrainMethod } from "./trainer/train-config.ts";
export type { TrainConfigInput } from "./trainer/train-config.ts";
export { learningRateAt } from "./trainer/lr-schedule.ts";
export type { LrScheduleOptions } from "./trainer/lr-schedule.ts";
export { Optimizer } from "./trainer/optimizer.ts";
export type { OptimizerOptions, OptimizerState } from "./trainer/optimizer.ts";
export { buildTrainingExample, tokenizeDialogue } from "./trainer/training-example.ts";
export type { PairDialogues, TemplateTokenizer, TokenizedSequence, TrainingExample } from "./trainer/training-example.ts";
export { pairDialogues, readPreferencePairs } from "./trainer/preference-pairs.ts";
export { lengthGroupedBatches, padBatch } from "./trainer/length-grouped-batches.ts";
export type { PaddedBatch } from "./trainer/length-grouped-batches.ts";
export { attachReferenceLogps, referenceCacheKey, scoreSequences } from "./trainer/reference-logps.ts";
export type { LogitsModel, ReferenceOptions } from "./trainer/reference-logps.ts";
export { clipGradients, microBatchGradients } from "./trainer/train-step.ts";
export type { MicroBatch, StepLossOptions, StepMetrics, TrainablePolicy } from "./trainer/train-step.ts";
export { listCheckpoints, totalTrainSteps, train, writeFolderAtomically } from "./trainer/trainer.ts";
export type { GradientSource, MetricsLine, TrainerOptions, TrainResult } from "./trainer/trainer.ts";
export { readTrainerState, TrainerStateFile, writeTrainerState } from "./trainer/trainer-state.ts";
export type { TrainerPosition } from "./trainer/trainer-state.ts";
export { assignWeights, llamaPolicy } from "./adapters/llama-policy.ts";
export type { LlamaPolicyOptions } from "./adapters/llama-policy.ts";
export { llamaEvalModel, llamaGenerator, llamaScorer } from "./adapters/llama-adapters.ts";
export type { InferenceModel } from "./adapters/llama-adapters.ts";
export type { LlamaAdapterOptions } from "./adapters/llama-adapters.ts";
export { ReplicaPool, WorkerFailedError } from "./parallel/replica-pool.ts";
export type { ReplicaPoolOptions } from "./parallel/replica-pool.ts";
export { mergeShardMetrics, shardMicroBatch } from "./parallel/shard-micro-batch.ts";
export { checkWorkerCount, defaultWorkerCount, MAX_WORKERS } from "./parallel/worker-count.ts";
export { createProgress, formatDuration, silentProgress, startOverallProgress } from "@longpo/prefgen";
export type { OverallProgress, OverallStep, Progress, ProgressOptions } from "@longpo/prefgen";
export { main as runCli } from "./cli/main.ts";
export { DemoConfig, DemoSummary, runDemo, shippedM0Dir } from "./demo/run-demo.ts";
export type { DemoResult, RunDemoOptions } from "./demo/run-demo.ts";
export { DemoRow, demoTable, LengthScore, meanOverSeeds, seedTable } from "./demo/demo-table.ts";
export { DEFAULT_DEMO_ROWS, DEMO_ROWS, FULL_DEMO_ROWS } from "./demo/demo-rows.ts";
export type { DemoRowName, DemoRowSpec } from "./demo/demo-rows.ts";
export { demoDocs, fileSlug, writeDemoCharts } from "./demo/demo-charts.ts";
export type { DemoChartsOptions, MethodCurves } from "./demo/demo-charts.ts";
export { bootstrapM0, M0Recipe, measureM0 } from "./demo/m0-recipe.ts";
export type { BootstrapM0Options, BootstrapM0Result, M0Measurement } from "./demo/m0-recipe.ts";
export { createWorld, WorldConfig } from "./demo/world.ts";
export type { World, WorldDocument } from "./demo/world.ts";
export { worldQaTask } from "./demo/world-qa-task.ts";
export type { WorldQaOptions } from "./demo/world-qa-task.ts";
export { buildWorldTokenizer, writeWorldTokenizer } from "./demo/world-tokenizer.ts";
