// The shapes of `npm run bench:ratio` (issue 12): the demo's M0 and toy-3M, with the PyTorch peers' arguments.
import type { ModelConfig } from "@longpo/train";
import { toy3m } from "./_toy3m.ts";

/** One benchmark shape: a model config and the batch of each kind of work. */
export interface RatioShape {
  name: string;
  config: ModelConfig;
  /** Training and scoring: B sequences of T tokens. */
  batch: number;
  seq: number;
  /** Decode with the KV cache: `decodeBatch` rows, prefill `decodeContext` tokens, then `decodeSteps` greedy steps. */
  decode: { batch: number; context: number; steps: number } | null;
}

/** The demo's M0 (packages/train/src/demo/m0-recipe.ts): d 128, 4 layers, 4 heads (4 KV), ff 336, vocab 681. */
export const demoM0: ModelConfig = {
  ...toy3m,
  vocabSize: 681,
  hiddenSize: 128,
  intermediateSize: 336,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 4,
  headDim: 32,
  tieWordEmbeddings: false,
};

export const ratioShapes: RatioShape[] = [
  { name: "demo M0", config: demoM0, batch: 16, seq: 300, decode: null },
  { name: "toy-3M", config: toy3m, batch: 2, seq: 1024, decode: { batch: 8, context: 1008, steps: 16 } },
];

/** The peer's command-line arguments for a shape (its T counts the label token too, hence seq + 1). */
export function peerStepArgs(s: RatioShape): string[] {
  const c = s.config;
  return [
    "--seq", `${s.seq + 1}`, "--batch", `${s.batch}`, "--dim", `${c.hiddenSize}`, "--layers", `${c.numLayers}`,
    "--heads", `${c.numHeads}`, "--kv", `${c.numKvHeads}`, "--vocab", `${c.vocabSize}`, "--ffn", `${c.intermediateSize}`,
  ];
}

/** The decode peer's arguments: it times `new − 1` steps after a prefill of `ctx` tokens. */
export function peerDecodeArgs(s: RatioShape): string[] {
  const c = s.config;
  const d = s.decode!;
  return [
    "--batch", `${d.batch}`, "--ctx", `${d.context}`, "--new", `${d.steps + 1}`, "--dim", `${c.hiddenSize}`,
    "--layers", `${c.numLayers}`, "--heads", `${c.numHeads}`, "--kv", `${c.numKvHeads}`, "--vocab", `${c.vocabSize}`,
    "--ffn", `${c.intermediateSize}`,
  ];
}
