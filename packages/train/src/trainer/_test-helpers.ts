// Test helpers for the trainer: a character tokenizer with a tiny chat template and a bigram policy on tfjs-core.
import * as tf from "@tensorflow/tfjs-core";
import type { TrainablePolicy } from "./train-step.ts";
import type { ChatMessage, PairDialogues, TemplateTokenizer } from "./training-example.ts";

/** Vocabulary: 0 pad, 1 BOS, 2 EOS, 3 "<u>", 4 "<a>", then printable ASCII 32..126 at 5..99. */
export const TEST_VOCAB = 100;

export const charTokenizer: TemplateTokenizer = {
  applyChatTemplate(messages: readonly ChatMessage[], { addGenerationPrompt }) {
    let s = "\u0001";
    for (const m of messages) s += `${m.role === "assistant" ? "\u0004" : "\u0003"}${m.content}${m.role === "assistant" ? "\u0002" : ""}`;
    return addGenerationPrompt ? `${s}\u0004` : s;
  },
  encode(text: string) {
    return [...text].map((ch) => {
      const c = ch.charCodeAt(0);
      return c < 5 ? c : Math.min(99, Math.max(5, c - 27));
    });
  },
};

/** A seeded bigram model: logits = onehot(ids)·E·W (no gather, so its gradient runs on every backend). */
export function bigramPolicy(seed: number, dim = 8): TrainablePolicy & { dispose(): void } {
  const E = tf.tidy(() => tf.variable(tf.randomNormal([TEST_VOCAB, dim], 0, 0.5, "float32", seed), true, `bigram-E-${seed}-${Math.random()}`));
  const W = tf.tidy(() => tf.variable(tf.randomNormal([dim, TEST_VOCAB], 0, 0.5, "float32", seed + 1), true, `bigram-W-${seed}-${Math.random()}`));
  return {
    parameters: new Map([
      ["embed.weight", E],
      ["head.weight", W],
    ]),
    logits(ids: tf.Tensor2D): tf.Tensor3D {
      return tf.tidy(() => {
        const [B, T] = ids.shape;
        const h = tf.matMul(tf.oneHot(tf.reshape(ids, [B * T]), TEST_VOCAB), E); // (B·T, D)
        return tf.reshape(tf.matMul(tf.tanh(h), W), [B, T, TEST_VOCAB]); // (B, T, V)
      });
    },
    dispose() {
      E.dispose();
      W.dispose();
    },
  };
}

/** `n` single-turn pairs: long and short prompts about a number, chosen repeats it, rejected does not. */
export function toyPairs(n: number): PairDialogues[] {
  const out: PairDialogues[] = [];
  for (let i = 0; i < n; i++) {
    const fact = `the code is ${i % 10}${(i * 7) % 10}.`;
    const filler = "lorem ipsum ".repeat(1 + (i % 3));
    const q = "what is the code?";
    const longUser = `${filler}${fact} ${filler}${q}`;
    const shortUser = `${fact} ${q}`;
    const chosen = `${i % 10}${(i * 7) % 10}`;
    const rejected = `${(i + 3) % 10}${(i * 3) % 10}x`;
    out.push({
      id: `pair-${i}`,
      longChosen: [{ role: "user", content: longUser }, { role: "assistant", content: chosen }],
      longRejected: [{ role: "user", content: longUser }, { role: "assistant", content: rejected }],
      shortChosen: [[{ role: "user", content: shortUser }, { role: "assistant", content: chosen }]],
      shortRejected: [[{ role: "user", content: shortUser }, { role: "assistant", content: rejected }]],
    });
  }
  return out;
}

/** Save a test policy's parameters as JSON (float32 → double is exact, so the round trip is bit-exact). */
export async function saveTestPolicy(policy: TrainablePolicy, dir: string): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, v] of policy.parameters) out[name] = { shape: [...v.shape], data: [...(await v.data())] };
  await writeFile(`${dir}/weights.json`, JSON.stringify(out));
}

/** Load parameters written by {@link saveTestPolicy}. */
export async function loadTestPolicy(policy: TrainablePolicy, dir: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  const saved = JSON.parse(await readFile(`${dir}/weights.json`, "utf8")) as Record<string, { shape: number[]; data: number[] }>;
  for (const [name, v] of policy.parameters) {
    const w = saved[name];
    if (w === undefined) throw new RangeError(`Cannot load test policy: missing "${name}"`);
    const t = tf.tensor(w.data, w.shape, "float32");
    v.assign(t);
    t.dispose();
  }
}
