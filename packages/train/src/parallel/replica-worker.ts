// The worker-thread entry of a ReplicaPool: one model replica on its own TF.js backend instance.
import * as tf from "@tensorflow/tfjs-core";
import { llamaPolicy } from "../adapters/llama-policy.ts";
import { selectBackend } from "../model/backend.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import { workerSide } from "../runtime.ts";
import { scoreSequences } from "../trainer/reference-logps.ts";
import { microBatchGradients } from "../trainer/train-step.ts";
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from "./replica-protocol.ts";

const side = workerSide();
if (side === undefined) throw new Error("Cannot start replica worker: this module must run in a worker thread, got the main thread");
const port = side;
const post = (m: ReplicaReply) => port.post(m);

try {
  const init = port.data as ReplicaInit;
  const backend = await selectBackend(init.backend);
  let model = LlamaModel.fromWeights(init.config, init.weights);
  let policy = llamaPolicy(model, init.forward);
  let variables = [...policy.parameters.entries()];
  const checkLayout = () => {
    if (variables.length !== init.layout.length || variables.some(([name, v], i) => init.layout[i]?.name !== name || init.layout[i]?.size !== v.size)) {
      throw new TypeError("Cannot build replica: its parameters must match the parent's layout, got a different model");
    }
  };
  checkLayout();
  const weights = new Float32Array(init.weightsBuffer);
  const gradients = new Float32Array(init.gradientBuffer);

  /** Load the parent's weights of `version` from shared memory into this replica's variables (once per version). */
  let loaded = 0;
  const loadWeights = (version: number) => {
    if (version === loaded) return;
    loaded = version;
    variables.forEach(([, v], i) => {
      const slot = init.layout[i]!;
      const t = tf.tensor(weights.subarray(slot.offset, slot.offset + slot.size), slot.shape, "float32");
      v.assign(t);
      t.dispose();
    });
  };

  const handle = async (r: ReplicaRequest): Promise<ReplicaReply> => {
    if ("version" in r) loadWeights(r.version);
    switch (r.type) {
      case "gradients": {
        const { grads, metrics } = await microBatchGradients(policy, r.mb, r.opts);
        for (const [i, [name]] of variables.entries()) {
          const slot = init.layout[i]!;
          const g = grads.get(name);
          if (g === undefined) gradients.fill(0, slot.offset, slot.offset + slot.size);
          else gradients.set(g.dataSync() as Float32Array, slot.offset);
        }
        for (const g of grads.values()) g.dispose();
        return { id: r.id, type: "gradients", metrics };
      }
      case "score":
        return { id: r.id, type: "score", sums: await scoreSequences(policy, r.seqs, r.padId, r.batchSize) };
      case "generate": {
        const { allowedFirstTokens, ...options } = r.options;
        const allowed = allowedFirstTokens?.map((row) => new Set(row));
        const logitsProcessor = allowed === undefined ? {} : {
          logitsProcessor: (row: number, step: number, logits: Float32Array) => {
            if (step !== 0) return;
            const ok = allowed[row] ?? new Set<number>();
            for (let v = 0; v < logits.length; v++) if (!ok.has(v)) logits[v] = Number.NEGATIVE_INFINITY;
          },
        };
        return { id: r.id, type: "generate", results: await generate(model, r.prompts, { ...options, ...logitsProcessor }) };
      }
      case "rebuild": {
        // Another config of the same shapes (e.g. another RoPE θ): the weights come from the next request's version.
        model.dispose();
        model = LlamaModel.random(r.config, 0);
        policy = llamaPolicy(model, init.forward);
        variables = [...policy.parameters.entries()];
        checkLayout();
        loaded = -1;
        return { id: r.id, type: "rebuild" };
      }
      case "crash":
        throw new Error(`replica ${init.index} was asked to crash (test hook)`);
    }
  };

  port.onMessage((m) => {
    const r = m as ReplicaRequest;
    handle(r).then(post, (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ id: r.id, type: "error", message: err.message, stack: err.stack ?? "" });
    });
  });
  post({ type: "ready", backend: backend.name });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ id: null, type: "error", message: err.message, stack: err.stack ?? "" });
}
