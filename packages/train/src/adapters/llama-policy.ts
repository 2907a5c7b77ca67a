// A LlamaModel seen by the trainer: named trainable parameters and logits of right-padded ids.
import type * as tf from "@tensorflow/tfjs-core";
import type { WeightMap } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import type { LogitsModel } from "../trainer/reference-logps.ts";
import type { TrainablePolicy } from "../trainer/train-step.ts";

/** Forward options the trainer passes through (memory for long sequences). */
export interface LlamaPolicyOptions {
  /** Recompute each layer in the backward pass (training memory linear in layers × T). */
  checkpointLayers?: boolean;
  /** Queries per attention block. */
  queryBlockSize?: number;
}

/** The Hugging Face name of a LlamaModel variable (its variable name is `llama<k>/<hf name>`). */
function hfName(v: tf.Variable): string {
  return v.name.slice(v.name.indexOf("/") + 1);
}

/**
 * Wrap a LlamaModel as the trainer's policy (and as a reference scorer). Right-padded batches need no
 * attention mask: positions count from 0 in each row and real tokens never attend to the pads after them.
 *
 * @example
 * const policy = llamaPolicy(LlamaModel.fromWeights(config, weights));
 */
export function llamaPolicy(model: LlamaModel, options: LlamaPolicyOptions = {}): TrainablePolicy & LogitsModel {
  const parameters = new Map<string, tf.Variable>();
  for (const v of model.trainableVariables) parameters.set(hfName(v), v);
  const forward: { checkpointLayers?: boolean; queryBlockSize?: number } = {};
  if (options.checkpointLayers !== undefined) forward.checkpointLayers = options.checkpointLayers;
  if (options.queryBlockSize !== undefined) forward.queryBlockSize = options.queryBlockSize;
  return {
    parameters,
    logits: (ids: tf.Tensor2D) => model.forward(ids, forward), // (B, T, V)
  };
}

/**
 * Overwrite a model's parameters with Hugging Face-named weights (e.g. a checkpoint being resumed). The
 * weights go through `LlamaModel.fromWeights`, so layouts and shapes are checked by the model itself.
 *
 * @throws {TypeError} when the weights do not fit the model's config.
 */
export function assignWeights(model: LlamaModel, weights: WeightMap): void {
  const loaded = LlamaModel.fromWeights(model.config, weights);
  try {
    const source = new Map(loaded.trainableVariables.map((v) => [hfName(v), v]));
    for (const v of model.trainableVariables) {
      const s = source.get(hfName(v));
      if (s === undefined) throw new TypeError(`Cannot assign weights: ${hfName(v)} must be present, got none`);
      v.assign(s);
    }
  } finally {
    loaded.dispose();
  }
}
