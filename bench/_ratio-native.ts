// The "native" rows of `npm run bench:ratio`: scoring and KV-cache decode of the same random model through
// onnxruntime-node (NativeLlama), with 1 and with every core's worth of ORT threads. Training stays on TF.js.
import { generate, LlamaModel, NativeLlama } from "@longpo/train";
import type { RatioShape } from "./_ratio-shapes.ts";
import { cpuSeconds, type RatioMeasure, type RatioRow, ratioIds, timed } from "./_ratio-wasm.ts";

const reps = Number((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.RATIO_REPS ?? 3);

/** Decode as the wasm row does: prefill `context` tokens, then time the greedy steps after the first. */
async function measureDecode(native: NativeLlama, vocab: number, d: { batch: number; context: number; steps: number }): Promise<RatioMeasure> {
  const prompts = ratioIds(d.batch, d.context, vocab, 11);
  await generate(native, prompts.map((p) => p.slice(0, 16)), { maxNewTokens: 2, temperature: 0, eosTokenIds: [] }); // warm-up
  let c1 = 0;
  let t1 = 0;
  let steps = 0;
  await generate(native, prompts, {
    maxNewTokens: d.steps + 1,
    temperature: 0,
    eosTokenIds: [],
    logitsProcessor: (row, step) => {
      if (row !== 0) return;
      if (step === 0) {
        c1 = cpuSeconds(); // the first logits arrive after the prefill: time from here
        t1 = performance.now();
      }
      steps = step;
    },
  });
  return { tokens: d.batch * steps, wall: (performance.now() - t1) / 1000, cpu: cpuSeconds() - c1 };
}

/** A native row with `threads` ORT intra-op threads. */
export function nativeRow(threads: number): RatioRow {
  return {
    name: `native (onnxruntime), ${threads} thread${threads > 1 ? "s" : ""}`,
    async run(shape: RatioShape) {
      const { config, batch: B, seq: T } = shape;
      const model = LlamaModel.random(config, 1);
      const native = await NativeLlama.create(config, model.weights(), { threads });
      try {
        const rows = ratioIds(B, T + 1, config.vocabSize, 7);
        const ids = Int32Array.from(rows.flatMap((r) => r.slice(0, T)));
        const labels = Int32Array.from(rows.flatMap((r) => r.slice(1)));
        const score = await timed(reps, B * T, () => native.tokenScores(ids, labels, B, T));
        const decode = shape.decode === null ? null : await measureDecode(native, config.vocabSize, shape.decode);
        return { train: null, score, decode };
      } finally {
        await native.dispose();
        model.dispose();
      }
    },
  };
}
