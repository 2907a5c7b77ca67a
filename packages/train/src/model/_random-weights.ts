// Test helper: seeded random weights for any ModelConfig (never re-exported).

import { mulberry32 } from "@longpo/io";
import { type ModelConfig, parameterShapes, type WeightMap } from "./config.ts";

/** A seeded generator of uniforms in [0, 1): @longpo/io's mulberry32, as a function. */
export function seededUniform(seed: number): () => number {
  return mulberry32(seed).next;
}

/** Weights of every parameter of `config`, uniform in [-scale, scale), reproducible from `seed`. */
export function randomWeights(config: ModelConfig, seed = 1, scale = 0.5): WeightMap {
  const next = seededUniform(seed);
  const weights: WeightMap = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (2 * next() - 1) * scale;
    weights.set(name, { shape: [...shape], data });
  }
  return weights;
}
