// Hugging Face checkpoint folders: config.json + safetensors weights (+ tokenizer files), loaded and saved whole.

import { syncFolder } from "@longpo/io";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CheckpointError } from "./checkpoint-error.ts";
import { type ModelConfig, parameterShapes, parseModelConfig, toHfConfig, type WeightMap } from "./config.ts";
import {
  readSafetensorsFolder,
  SAFETENSORS_FILE,
  SAFETENSORS_INDEX_FILE,
  type SafetensorsWriteDtype,
  writeSafetensorsFolder,
} from "./safetensors.ts";

/** A model's config and weights in host memory. */
export interface Checkpoint {
  config: ModelConfig;
  weights: WeightMap;
}

/** The config file of a checkpoint folder. */
export const CONFIG_FILE = "config.json";

/** Tokenizer files copied by `saveCheckpoint({ tokenizerFrom })` when present. */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "tokenizer.model",
  "generation_config.json",
] as const;

/** Buffers that some checkpoints carry but that are recomputed from the config. */
const IGNORED_SUFFIXES = [".rotary_emb.inv_freq"];

const MAX_LISTED = 5;

function listNames(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The problems of `weights` against the tensors `config` needs: missing and unexpected names, wrong shapes,
 * data lengths that do not match the shapes. Empty when they fit.
 */
export function checkWeights(config: ModelConfig, weights: WeightMap): string[] {
  const expected = parameterShapes(config);
  const problems: string[] = [];
  const missing = [...expected.keys()].filter((name) => !weights.has(name));
  const unexpected = [...weights.keys()].filter((name) => !expected.has(name));
  if (missing.length > 0) problems.push(`missing tensors ${listNames(missing)}`);
  if (unexpected.length > 0) problems.push(`unexpected tensors ${listNames(unexpected)}`);
  for (const [name, shape] of expected) {
    const tensor = weights.get(name);
    if (tensor === undefined) continue;
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      problems.push(`tensor ${name} must have shape [${shape.join(", ")}], got [${tensor.shape.join(", ")}]`);
    } else if (tensor.data.length !== shape.reduce((a, b) => a * b, 1)) {
      problems.push(`tensor ${name} has ${tensor.data.length} values for shape [${shape.join(", ")}]`);
    }
  }
  return problems;
}

/**
 * The first non-finite value (NaN, ±Infinity) in `weights`, as "tensor NAME holds VALUE at index I"; undefined
 * when every value is finite.
 */
export function firstNonFinite(weights: WeightMap): string | undefined {
  for (const [name, { data }] of weights) {
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number;
      if (x - x !== 0) return `tensor ${name} holds ${x} at index ${i}`; // NaN and ±Infinity give NaN
    }
  }
  return undefined;
}

/**
 * Loads a Hugging Face checkpoint folder: `config.json` and `model.safetensors` (or a sharded
 * `model.safetensors.index.json`), F32/F16/BF16 weights converted to float32.
 *
 * Tensors are checked against `parameterShapes(config)`. Rotary `inv_freq` buffers, and `lm_head.weight` when the
 * embeddings are tied, are dropped, as transformers does.
 *
 * @param dir The checkpoint folder.
 * @returns The config and the weights by Hugging Face name.
 * @throws {CheckpointError} naming the file and the problem (unreadable, malformed, corrupted, missing,
 *   unexpected or misshapen tensors, a NaN or infinite weight named by tensor and index, a token id of the config
 *   outside the vocabulary).
 * @example
 * const { config, weights } = await loadCheckpoint("checkpoints/stories260K");
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const configPath = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (cause) {
    throw new CheckpointError(configPath, `the file cannot be read: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError(configPath, `the file must be valid JSON: ${(cause as Error).message}`, { cause });
  }
  const config = parseModelConfig(json, configPath);

  const weights = await readSafetensorsFolder(dir);
  for (const name of [...weights.keys()]) {
    if (IGNORED_SUFFIXES.some((suffix) => name.endsWith(suffix))) weights.delete(name);
  }
  const lmHead = weights.get("lm_head.weight");
  const embed = weights.get("model.embed_tokens.weight");
  if (config.tieWordEmbeddings && lmHead !== undefined && embed !== undefined) weights.delete("lm_head.weight");

  const problems = checkWeights(config, weights);
  const nonFinite = problems.length > 0 ? undefined : firstNonFinite(weights);
  if (problems.length > 0 || nonFinite !== undefined) {
    const weightsFile = (await isFile(join(dir, SAFETENSORS_INDEX_FILE)))
      ? join(dir, SAFETENSORS_INDEX_FILE)
      : join(dir, SAFETENSORS_FILE);
    if (nonFinite !== undefined) throw new CheckpointError(weightsFile, `every weight must be finite, but ${nonFinite}`);
    throw new CheckpointError(weightsFile, `the weights do not fit ${configPath}: ${problems.join("; ")}`);
  }
  return { config, weights };
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Storage dtype of the weights: F32 (bit-exact, the default) or BF16 (rounded to nearest even). */
  dtype?: SafetensorsWriteDtype;
  /** A folder whose tokenizer files (tokenizer.json, tokenizer_config.json, ...) are copied alongside. */
  tokenizerFrom?: string;
  /** Split the weights into shards of at most this many bytes (plus an index); default: one file. */
  maxShardBytes?: number;
  /** More files to write into the folder, by plain file name (e.g. a generated tokenizer.json). */
  extraFiles?: Record<string, string | Uint8Array>;
}

/**
 * Saves a checkpoint as a Hugging Face folder (`config.json`, `model.safetensors` or shards, tokenizer files when
 * asked). Everything is written to a temporary sibling folder first, fsynced, and renamed into place (then the parent
 * is fsynced), so that `dir` is never half-written, even after a power cut; an existing `dir` is replaced.
 *
 * @throws {TypeError} when the weights do not fit the config (missing, unexpected or misshapen tensors).
 * @throws {CheckpointError} when `tokenizerFrom` has no tokenizer.json.
 * @example
 * await saveCheckpoint("out/step-100", { config, weights }, { dtype: "BF16", tokenizerFrom: "models/base" });
 */
export async function saveCheckpoint(
  dir: string,
  checkpoint: Checkpoint,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const problems = checkWeights(checkpoint.config, checkpoint.weights);
  if (problems.length > 0) {
    throw new TypeError(`Cannot save checkpoint to ${dir}: the weights must fit the config, got ${problems.join("; ")}`);
  }
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = globalThis.crypto.randomUUID().slice(0, 8);
  const staging = join(parent, `.${basename(target)}.tmp-${suffix}`);
  try {
    await mkdir(staging);
    await writeFile(join(staging, CONFIG_FILE), JSON.stringify(toHfConfig(checkpoint.config), null, 2) + "\n");
    await writeSafetensorsFolder(staging, checkpoint.weights, {
      dtype: options.dtype ?? "F32",
      ...(options.maxShardBytes === undefined ? {} : { maxShardBytes: options.maxShardBytes }),
    });
    if (options.tokenizerFrom !== undefined) {
      const from = options.tokenizerFrom;
      if (!(await isFile(join(from, "tokenizer.json")))) {
        throw new CheckpointError(join(from, "tokenizer.json"), "the tokenizer to copy is missing");
      }
      for (const file of TOKENIZER_FILES) {
        if (await isFile(join(from, file))) await copyFile(join(from, file), join(staging, file));
      }
    }
    for (const [name, contents] of Object.entries(options.extraFiles ?? {})) {
      if (!/^[\w.-]+$/.test(name) || name === "." || name === "..") {
        throw new RangeError(`Cannot save checkpoint: extra file names must be plain file names, got ${name}`);
      }
      await writeFile(join(staging, name), contents);
    }
    await syncFolder(staging);
    await replaceFolder(staging, target);
    await syncFolder(parent, { shallow: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Moves `staging` to `target`; an existing `target` is moved aside first and removed after. */
async function replaceFolder(staging: string, target: string): Promise<void> {
  let exists = false;
  try {
    await stat(target);
    exists = true;
  } catch {
    exists = false;
  }
  if (!exists) {
    await rename(staging, target);
    return;
  }
  const aside = `${staging}.old`;
  await rename(target, aside);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
