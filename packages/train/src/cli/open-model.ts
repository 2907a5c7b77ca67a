// Open a Hugging Face model folder for the CLI: backend, config, weights, tokenizer, with one-line errors.
import { stat } from "node:fs/promises";
import { type BackendChoice, type BackendPreference, selectBackend } from "../model/backend.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { type ModelConfig, withRopeTheta, type WeightMap } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import { type ChatTokenizer, loadTokenizer } from "../model/tokenizer.ts";
import type { InferenceModel } from "../adapters/llama-adapters.ts";
import { INFERENCE_ENGINES, type InferencePreference, openInference } from "../native/open-inference.ts";
import { InputError } from "./cli-io.ts";

/** The backends `--backend` accepts. */
export const BACKENDS: readonly BackendPreference[] = ["auto", "webgpu", "tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** Check that a folder exists before anything else happens. */
export async function requireFolder(dir: string, what: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(dir)).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new InputError(`Cannot open ${what}: folder ${dir} does not exist`);
}

/** Check that a file exists. */
export async function requireFile(path: string, what: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(path)).isFile();
  } catch {
    ok = false;
  }
  if (!ok) throw new InputError(`Cannot open ${what}: file ${path} does not exist`);
}

/** Select a backend by name, rejecting unknown names. */
export async function useBackend(name: string): Promise<BackendChoice> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new InputError(`Cannot select backend: --backend must be one of ${BACKENDS.join(", ")}, got "${name}"`);
  }
  return selectBackend(name as BackendPreference);
}

/** An opened model folder. */
export interface OpenedModel {
  dir: string;
  config: ModelConfig;
  weights: WeightMap;
  tokenizer: ChatTokenizer;
}

/** Read config, weights and tokenizer of a folder (no tensors yet). */
export async function readModelFolder(dir: string): Promise<OpenedModel> {
  await requireFolder(dir, "model");
  const { config, weights } = await loadCheckpoint(dir);
  const tokenizer = await loadTokenizer(dir);
  return { dir, config, weights, tokenizer };
}

/** Build the TF.js model of an opened folder, optionally with another RoPE θ (the policy's override). */
export function buildModel(m: OpenedModel, ropeTheta?: number): LlamaModel {
  const config = ropeTheta === undefined ? m.config : withRopeTheta(m.config, ropeTheta);
  return LlamaModel.fromWeights(config, m.weights);
}

/**
 * The model for scoring and generation on the engine `--inference` names (native ONNX Runtime or TF.js), optionally
 * with another RoPE θ; `auto` falls back to TF.js with a one-line note on stderr.
 *
 * @throws {InputError} for an engine name other than auto, native, tfjs
 */
export async function openEngine(m: OpenedModel, engine: string, note: (line: string) => void, ropeTheta?: number): Promise<InferenceModel> {
  if (!(INFERENCE_ENGINES as readonly string[]).includes(engine)) {
    throw new InputError(`Cannot select inference engine: --inference must be one of ${INFERENCE_ENGINES.join(", ")}, got "${engine}"`);
  }
  const config = ropeTheta === undefined ? m.config : withRopeTheta(m.config, ropeTheta);
  return openInference(config, m.weights, engine as InferencePreference, { note });
}
