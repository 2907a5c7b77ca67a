// The reference shape "toy-3M" of issue 3, shared by the model and trainer benches.
import type { ModelConfig } from "@longpo/train";

/** toy-3M: vocab 512, hidden 256, 4 layers, 4 heads, 2 KV heads, intermediate 704, untied head (3.2M parameters). */
export const toy3m: ModelConfig = {
  architecture: "llama",
  vocabSize: 512,
  hiddenSize: 256,
  intermediateSize: 704,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: null,
  maxPositionEmbeddings: 8192,
  tieWordEmbeddings: false,
  attentionBias: false,
  slidingWindow: null,
  bosTokenId: 1,
  eosTokenIds: [2],
  padTokenId: 0,
};
