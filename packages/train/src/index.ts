/**
 * @module
 * @longpo/train (work in progress).
 */
export const PACKAGE_NAME = "@longpo/train";
export { CheckpointError } from "./model/checkpoint-error.ts";
export { parameterShapes, parseModelConfig, toHfConfig, withRopeTheta } from "./model/config.ts";
export type { Architecture, ModelConfig, RopeScaling, WeightMap } from "./model/config.ts";
export { ropeFrequencies } from "./model/rope-frequencies.ts";
