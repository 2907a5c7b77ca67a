// Test helper: seeded random weights for any ModelConfig (never re-exported).

import { type ModelConfig, parameterShapes, type WeightMap } from "./config.ts";

/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
