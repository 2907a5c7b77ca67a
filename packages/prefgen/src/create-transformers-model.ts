// Generator and Scorer over a local ONNX causal LM through @huggingface/transformers (an optional peer).
import { basename } from "node:path";
import type { ChatMessage, GenerateRequest, GenerateResult, Generator, ScoreRequest, ScoreResult, Scorer } from "./model-interfaces.ts";

/** The parts of a transformers.js tokenizer used here. */
export interface TransformersTokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  apply_chat_template(messages: ChatMessage[], options: { add_generation_prompt: boolean; tokenize: false }): unknown;
}

/** The parts of a transformers.js causal LM used here: callable for logits, and `generate`. */
export interface TransformersCausalLMLike {
  (inputs: { input_ids: unknown; attention_mask: unknown }): Promise<{ logits: { data: ArrayLike<number>; dims: number[] } }>;
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose?(): Promise<unknown>;
}

/** The parts of the `@huggingface/transformers` module used here. */
export interface TransformersModuleLike {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean };
  AutoTokenizer: { from_pretrained(path: string): Promise<unknown> };
  AutoModelForCausalLM: { from_pretrained(path: string, options: Record<string, unknown>): Promise<unknown> };
  Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => unknown;
}

/** Options of {@link createTransformersModel}. */
export interface TransformersModelOptions {
  /** A local folder: `config.json`, `tokenizer.json`, `tokenizer_config.json` (with a `chat_template`), `onnx/model.onnx`. */
  modelDir: string;
  /** ONNX weights variant; default `"fp32"`. */
  dtype?: string;
  /** ONNX Runtime device; default `"cpu"`. */
  device?: string;
  /** Name recorded in provenance; default the folder's name. */
  name?: string;
  /** Loads the module; default `import("@huggingface/transformers")`. */
  load?: () => Promise<TransformersModuleLike>;
}

/** The model handle returned by {@link createTransformersModel}. */
export interface TransformersModel extends Generator, Scorer {
  /** Free the ONNX session. */
  dispose(): Promise<void>;
}

/**
 * A {@link Generator} and {@link Scorer} running a local ONNX causal LM in-process with transformers.js (remote
 * downloads off). Requests run one at a time (one ONNX session).
 *
 * - The prompt is the tokenizer's chat template with the generation prompt, tokenised without extra specials.
 * - `generate` samples with `temperature`/`top_p` (greedy at temperature 0) up to `maxTokens`, cuts the text at the
 *   first `stop` string, and reports `"stop"` on end of sequence or a stop string, `"length"` at the limit.
 *   transformers.js has no sampling seed: `seed` is ignored, so sampled text is not reproducible.
 * - `score` runs one forward pass over the chat template of `[...messages, {assistant: completion}]` and sums
 *   `log softmax(logits[t − 1])[id_t]` over the assistant turn's tokens: from the end of the prompt rendered with the
 *   generation prompt to the end of the dialogue, end-of-turn token included (TRL's and `@longpo/train`'s
 *   convention).
 *
 * @throws {Error} when `@huggingface/transformers` is not installed, naming the package to install
 * @example
 * ```ts
 * const model = await createTransformersModel({ modelDir: "/models/qwen2.5-0.5b-instruct-onnx" });
 * const [r] = await model.generate([{ messages: [{ role: "user", content: "Hi" }], sampling: { temperature: 0, topP: 1, maxTokens: 32 } }]);
 * await model.dispose();
 * ```
 */
export async function createTransformersModel(options: TransformersModelOptions): Promise<TransformersModel> {
  let hf: TransformersModuleLike;
  try {
    hf = await (options.load ?? (async () => (await import("@huggingface/transformers")) as unknown as TransformersModuleLike))();
  } catch (error) {
    throw new Error(`Cannot load transformers.js: install the optional peer @huggingface/transformers (${(error as Error).message})`);
  }
  hf.env.allowRemoteModels = false;
  hf.env.allowLocalModels = true;
  const tokenizer = (await hf.AutoTokenizer.from_pretrained(options.modelDir)) as TransformersTokenizerLike;
  const model = (await hf.AutoModelForCausalLM.from_pretrained(options.modelDir, { dtype: options.dtype ?? "fp32", device: options.device ?? "cpu" })) as TransformersCausalLMLike;
  const eos = eosIds(tokenizer);

  const templateIds = (messages: ChatMessage[], addGenerationPrompt: boolean): number[] => {
    const text = tokenizer.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: false });
    if (typeof text !== "string") throw new TypeError(`Cannot render the chat template: it must return text, got ${typeof text}`);
    return tokenizer.encode(text, { add_special_tokens: false });
  };
  const promptIds = (messages: ChatMessage[]): number[] => templateIds(messages, true);
  const tensors = (ids: number[]) => ({
    input_ids: new hf.Tensor("int64", BigInt64Array.from(ids, (i) => BigInt(i)), [1, ids.length]),
    attention_mask: new hf.Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
  });

  async function generateOne(request: GenerateRequest): Promise<GenerateResult> {
    const { sampling } = request;
    const ids = promptIds(request.messages);
    const output = (await model.generate({
      ...tensors(ids),
      max_new_tokens: sampling.maxTokens,
      do_sample: sampling.temperature > 0,
      ...(sampling.temperature > 0 ? { temperature: sampling.temperature, top_p: sampling.topP } : {}),
    })) as { data: ArrayLike<bigint | number> };
    let generated = Array.from(output.data, Number).slice(ids.length);
    const ended = generated.length > 0 && eos.has(generated.at(-1)!);
    if (ended) generated = generated.slice(0, -1);
    // transformers.js refuses to decode an empty id list (an answer that is only end-of-sequence).
    let text = generated.length === 0 ? "" : tokenizer.decode(generated, { skip_special_tokens: true });
    let stopped = ended;
    for (const stop of sampling.stop ?? []) {
      const at = text.indexOf(stop);
      if (at !== -1) {
        text = text.slice(0, at);
        stopped = true;
      }
    }
    const finishReason = stopped || generated.length < sampling.maxTokens ? "stop" : "length";
    return { text, finishReason, promptTokens: ids.length, completionTokens: generated.length };
  }

  async function scoreOne(item: ScoreRequest): Promise<ScoreResult> {
    const prompt = promptIds(item.messages);
    const ids = templateIds([...item.messages, { role: "assistant", content: item.completion }], false);
    if (ids.length <= prompt.length || prompt.some((id, i) => ids[i] !== id)) {
      throw new RangeError(`Cannot score: the dialogue's tokens must extend the prompt's ${prompt.length} tokens, got ${ids.length} tokens that do not`);
    }
    const { logits } = await model(tensors(ids));
    const vocab = logits.dims[2]!; // logits: (1, T, V)
    let logprob = 0;
    for (let t = prompt.length; t < ids.length; t += 1) {
      const row = (t - 1) * vocab;
      let max = -Infinity;
      for (let v = 0; v < vocab; v += 1) max = Math.max(max, logits.data[row + v]!);
      let sum = 0;
      for (let v = 0; v < vocab; v += 1) sum += Math.exp(logits.data[row + v]! - max);
      logprob += logits.data[row + ids[t]!]! - max - Math.log(sum); // log softmax, shifted for stability
    }
    return { logprob, tokens: ids.length - prompt.length };
  }

  return {
    name: options.name ?? basename(options.modelDir),
    async generate(requests) {
      const out: GenerateResult[] = [];
      for (const r of requests) out.push(await generateOne(r));
      return out;
    },
    async score(items) {
      const out: ScoreResult[] = [];
      for (const item of items) out.push(await scoreOne(item));
      return out;
    },
    async dispose() {
      await model.dispose?.();
    },
  };
}

function eosIds(tokenizer: TransformersTokenizerLike): Set<number> {
  const t = tokenizer as unknown as { eos_token_id?: number | number[] };
  const ids = new Set<number>();
  if (typeof t.eos_token_id === "number") ids.add(t.eos_token_id);
  if (Array.isArray(t.eos_token_id)) for (const id of t.eos_token_id) ids.add(id);
  return ids;
}
