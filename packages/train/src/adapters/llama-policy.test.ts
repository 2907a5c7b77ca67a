import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { parameterShapes, parseModelConfig } from "../model/config.ts";
import { LlamaModel } from "../model/llama.ts";
import { assignWeights, llamaPolicy } from "./llama-policy.ts";

const config = parseModelConfig({
  model_type: "llama", vocab_size: 32, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1,
  num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: false,
});

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("llamaPolicy", () => {
  it("names every trainable parameter by its Hugging Face name", () => {
    const model = LlamaModel.random(config, 1);
    expect([...llamaPolicy(model).parameters.keys()].sort()).toEqual([...parameterShapes(config).keys()].sort());
    model.dispose();
  });

  it("assignWeights makes one model compute exactly the other's logits", () => {
    const a = LlamaModel.random(config, 1);
    const b = LlamaModel.random(config, 2);
    const ids = tf.tensor2d([[1, 5, 9, 3]], [1, 4], "int32");
    const before = tf.memory().numTensors;
    assignWeights(b, a.weights());
    expect(tf.memory().numTensors).toBe(before);
    const [la, lb] = [llamaPolicy(a).logits(ids), llamaPolicy(b).logits(ids)];
    expect([...lb.dataSync()]).toEqual([...la.dataSync()]);
    tf.dispose([la, lb, ids]);
    a.dispose();
    b.dispose();
  });
});
