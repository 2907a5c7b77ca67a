// Adapter for @huggingface/transformers (ONNX Runtime) causal LMs and tokenizers loaded from a local folder.
import { resolve } from "node:path";
import type { EvalModel, LoglikelihoodRequest, LoglikelihoodResult, Prompt, SamplingOptions, Tokenizer } from "./model.ts";

/** The parts of transformers.js this adapter calls (typed loosely: the package is an optional peer). */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  apply_chat_template(messages: readonly { role: string; content: string }[], options: { tokenize: false; add_generation_prompt: true }): string;
}
interface HfTensor {
  dims: number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}
interface HfModel {
  (inputs: { input_ids: HfTensor; attention_mask: HfTensor }): Promise<{ logits: HfTensor }>;
  generate(inputs: Record<string, unknown>): Promise<HfTensor>;
  dispose(): Promise<unknown>;
}
interface HfModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean };
  AutoTokenizer: { from_pretrained(path: string): Promise<HfTokenizer> };
  AutoModelForCausalLM: { from_pretrained(path: string, options: Record<string, unknown>): Promise<HfModel> };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => HfTensor;
}

async function importTransformers(): Promise<HfModule> {
  try {
    const mod = (await import("@huggingface/transformers")) as unknown as HfModule;
    mod.env.allowRemoteModels = false;
    mod.env.allowLocalModels = true;
    return mod;
  } catch (err) {
    throw new Error(
      `Cannot load a transformers.js model: the optional peer dependency @huggingface/transformers must be installed (npm install @huggingface/transformers), import failed with: ${String(err)}`,
    );
  }
}

/**
 * Loads the tokenizer of a local model folder (`tokenizer.json` + `tokenizer_config.json`) as a `Tokenizer`;
 * `encode` adds no special tokens, so counts match the text alone. Nothing is downloaded.
 * @example const tokenizer = await loadTransformersTokenizer("./models/qwen2.5-0.5b-instruct");
 */
export async function loadTransformersTokenizer(folder: string): Promise<Tokenizer> {
  const hf = await importTransformers();
  const tok = await hf.AutoTokenizer.from_pretrained(resolve(folder));
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    decode: (ids) => tok.decode(ids),
  };
}

/** Options of `loadTransformersModel`. */
export interface TransformersModelOptions {
  /** Local folder with `config.json`, the tokenizer files and `onnx/model*.onnx`. */
  folder: string;
  /** ONNX weights variant; default "fp32". */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4" | "bnb4" | "q4f16";
  /** Name in reports; default "transformers:<folder name>". */
  name?: string;
}

/**
 * Summed log-prob of `tokens[start..]` and whether each is the argmax, from row-major logits `(T, V)` of the
 * whole sequence: token `t` is scored by the log-softmax of row `t − 1`.
 * @throws {RangeError} when `start` < 1 (the first token has no prediction) or the logits are too short.
 */
export function continuationLogprob(logits: ArrayLike<number>, vocab: number, tokens: readonly number[], start: number): LoglikelihoodResult {
  if (start < 1 || logits.length < (tokens.length - 1) * vocab) {
    throw new RangeError(`Cannot score a continuation: start must be >= 1 and logits must cover ${tokens.length - 1} rows, got start ${start} and ${Math.floor(logits.length / vocab)} rows`);
  }
  let logprob = 0;
  let isGreedy = true;
  for (let t = start; t < tokens.length; t++) {
    const row = (t - 1) * vocab;
    let max = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let v = 0; v < vocab; v++) {
      const x = logits[row + v] as number;
      if (x > max) {
        max = x;
        arg = v;
      }
    }
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp((logits[row + v] as number) - max);
    // stable log-softmax: x - max - log Σ exp(x - max)
    logprob += (logits[row + (tokens[t] as number)] as number) - max - Math.log(sum);
    if (arg !== tokens[t]) isGreedy = false;
  }
  return { logprob, isGreedy };
}

/** Cuts a generation at the first stop string. */
function applyStop(text: string, stop: readonly string[] | undefined): string {
  let end = text.length;
  for (const s of stop ?? []) {
    const i = text.indexOf(s);
    if (s.length > 0 && i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

/**
 * Loads a causal LM exported to ONNX from a local folder with `@huggingface/transformers` (optional peer
 * dependency, imported on first use; remote downloads are switched off). Chat prompts go through the tokenizer's
 * chat template. Sampling uses transformers.js's own random source, so `seed` is not honoured; greedy
 * (`temperature` 0, the default) is deterministic. Tested on a tiny ONNX bigram model that the tests write; no
 * real checkpoint is in the repository.
 * @throws {Error} when the package is missing or the folder holds no loadable model.
 */
export async function loadTransformersModel(options: TransformersModelOptions): Promise<EvalModel & { tokenizer: Tokenizer; dispose(): Promise<void> }> {
  const hf = await importTransformers();
  const folder = resolve(options.folder);
  const tok = await hf.AutoTokenizer.from_pretrained(folder);
  const model = await hf.AutoModelForCausalLM.from_pretrained(folder, { dtype: options.dtype ?? "fp32", device: "cpu" });
  const ids = (xs: readonly number[]) => new hf.Tensor("int64", BigInt64Array.from(xs.map((x) => BigInt(x))), [1, xs.length]);
  const render = (p: Prompt): number[] =>
    typeof p === "string"
      ? tok.encode(p, { add_special_tokens: true })
      : tok.encode(tok.apply_chat_template(p, { tokenize: false, add_generation_prompt: true }), { add_special_tokens: false });

  const generateOne = async (p: Prompt, o: SamplingOptions): Promise<string> => {
    const input = render(p);
    const temperature = o.temperature ?? 0;
    const out = await model.generate({
      input_ids: ids(input),
      attention_mask: ids(input.map(() => 1)),
      max_new_tokens: o.maxTokens ?? 128,
      do_sample: temperature > 0,
      ...(temperature > 0 ? { temperature, top_p: o.topP ?? 1 } : {}),
    });
    const all = Array.from(out.data as ArrayLike<number | bigint>, Number);
    return applyStop(tok.decode(all.slice(input.length), { skip_special_tokens: true }), o.stop);
  };

  const scoreOne = async (r: LoglikelihoodRequest): Promise<LoglikelihoodResult> => {
    const context = tok.encode(r.context, { add_special_tokens: true });
    const tokens = [...context, ...tok.encode(r.continuation, { add_special_tokens: false })];
    const { logits } = await model({ input_ids: ids(tokens), attention_mask: ids(tokens.map(() => 1)) });
    const vocab = logits.dims.at(-1) as number;
    return continuationLogprob(logits.data as ArrayLike<number>, vocab, tokens, Math.max(1, context.length));
  };

  return {
    name: options.name ?? `transformers:${folder.split(/[\\/]/).at(-1)}`,
    tokenizer: { encode: (t) => tok.encode(t, { add_special_tokens: false }), decode: (i) => tok.decode(i) },
    async generate(prompts, o = {}) {
      const out: string[] = [];
      for (const p of prompts) {
        o.signal?.throwIfAborted();
        out.push(await generateOne(p, o));
      }
      return out;
    },
    async logLikelihood(requests, o = {}) {
      const out: LoglikelihoodResult[] = [];
      for (const r of requests) {
        o.signal?.throwIfAborted();
        out.push(await scoreOne(r));
      }
      return out;
    },
    async dispose() {
      await model.dispose();
    },
  };
}
