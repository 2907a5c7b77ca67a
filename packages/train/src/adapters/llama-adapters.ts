// A LlamaModel + ChatTokenizer as prefgen's Generator and Scorer and eval's EvalModel (plain data in and out).
import type { EvalModel, LoglikelihoodRequest, LoglikelihoodResult, Prompt, SamplingOptions } from "@longpo/eval";
import type { GenerateRequest, GenerateResult, Generator, Progress, Sampling, ScoreRequest, ScoreResult, Scorer } from "@longpo/prefgen";
import * as tf from "@tensorflow/tfjs-core";
import { generate, type GenerationResult } from "../model/generate.ts";
import type { LlamaModel } from "../model/llama.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import type { ReplicaPool } from "../parallel/replica-pool.ts";
import type { PortableGenerateOptions } from "../parallel/replica-protocol.ts";
import type { NativeLlama } from "../native/native-llama.ts";
import { scoreSequences } from "../trainer/reference-logps.ts";
import { tokenizeDialogue } from "../trainer/training-example.ts";

/** Either inference engine: the TF.js model, or the same checkpoint on ONNX Runtime (`openInference`). */
export type InferenceModel = LlamaModel | NativeLlama;

/** Options shared by the adapters. */
export interface LlamaAdapterOptions {
  /** Name recorded in pairs and reports. */
  name: string;
  /** Prompts generated or scored together. Default 4. */
  batchSize?: number;
  /**
   * Replicas of the same model in worker threads: batches are spread over them (same batches and seeds, so the
   * same results as `model` alone). The pool must hold `model`'s weights and RoPE θ.
   */
  pool?: ReplicaPool;
  /** Progress of `llamaScorer`'s scoring, in items (finished when a `score` call ends). */
  progress?: Progress;
}

function cutAtStop(text: string, stops: readonly string[] | undefined): { text: string; stopped: boolean } {
  let at = -1;
  for (const s of stops ?? []) {
    const i = s === "" ? -1 : text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at < 0 ? { text, stopped: false } : { text: text.slice(0, at), stopped: true };
}

function eosIds(model: InferenceModel, tok: ChatTokenizer): number[] {
  const ids = new Set(model.config.eosTokenIds);
  if (tok.eosTokenId !== null) ids.add(tok.eosTokenId);
  return [...ids];
}

function padId(model: InferenceModel, tok: ChatTokenizer): number {
  return tok.padTokenId ?? model.config.padTokenId ?? tok.eosTokenId ?? 0;
}

async function generateIds(
  model: InferenceModel,
  tok: ChatTokenizer,
  prompts: number[][],
  s: { maxTokens: number; temperature: number; topP: number; seed?: number | undefined; stop?: readonly string[] | undefined },
  batchSize: number,
  pool?: ReplicaPool,
): Promise<{ text: string; finish: "stop" | "length"; completionTokens: number }[]> {
  const out: { text: string; finish: "stop" | "length"; completionTokens: number }[] = [];
  const jobs: { prompts: number[][]; options: PortableGenerateOptions }[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const options = { maxNewTokens: s.maxTokens, temperature: s.temperature, topP: s.topP, seed: (s.seed ?? 0) + i, eosTokenIds: eosIds(model, tok) };
    jobs.push({ prompts: prompts.slice(i, i + batchSize), options });
  }
  let batches: GenerationResult[][] = [];
  if (pool !== undefined) batches = (await pool.runJobs(jobs.map((j) => ({ type: "generate", ...j })))) as GenerationResult[][];
  else for (const j of jobs) batches.push(await generate(model, j.prompts, j.options));
  for (const results of batches) {
    for (const r of results) {
      const cut = cutAtStop(tok.decode(r.tokenIds, { skipSpecialTokens: true }), s.stop);
      out.push({
        text: cut.text,
        finish: cut.stopped || r.finishReason !== "length" ? "stop" : "length",
        completionTokens: r.tokenIds.length,
      });
    }
  }
  return out;
}

/**
 * A prefgen `Generator`: renders each request with the chat template, samples with its settings (requests
 * with equal settings share a batch), cuts at stop strings.
 */
export function llamaGenerator(model: InferenceModel, tok: ChatTokenizer, options: LlamaAdapterOptions): Generator {
  const batchSize = options.batchSize ?? 4;
  return {
    name: options.name,
    async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
      const results = new Array<GenerateResult>(requests.length);
      const groups = new Map<string, number[]>();
      requests.forEach((r, i) => {
        const key = JSON.stringify(r.sampling);
        groups.set(key, [...(groups.get(key) ?? []), i]);
      });
      for (const idx of groups.values()) {
        const sampling = (requests[idx[0] as number] as GenerateRequest).sampling as Sampling;
        const prompts = idx.map((i) => tok.encode(tok.applyChatTemplate((requests[i] as GenerateRequest).messages, { addGenerationPrompt: true })));
        const texts = await generateIds(model, tok, prompts, sampling, batchSize, options.pool);
        idx.forEach((i, k) => {
          const t = texts[k] as { text: string; finish: "stop" | "length"; completionTokens: number };
          const promptTokens = (prompts[k] as number[]).length;
          results[i] = { text: t.text, finishReason: t.finish, promptTokens, completionTokens: t.completionTokens };
        });
      }
      return results;
    },
  };
}

/**
 * A prefgen `Scorer`: the summed log-prob of the completion's tokens given the chat prompt. The completion's
 * tokens are those the chat template renders for the assistant turn (including its end-of-turn token), the
 * same convention the trainer's policy log-probs use.
 */
export function llamaScorer(model: InferenceModel, tok: ChatTokenizer, options: LlamaAdapterOptions): Scorer {
  return {
    name: options.name,
    async score(items: ScoreRequest[]): Promise<ScoreResult[]> {
      const seqs = items.map((it) => tokenizeDialogue(tok, [...it.messages, { role: "assistant", content: it.completion }]));
      const native = "engine" in model;
      const sums = options.pool !== undefined
        ? await options.pool.scoreSequences(seqs, padId(model, tok), options.batchSize ?? 4, options.progress)
        : native
        ? await model.scoreSequences(seqs, padId(model, tok), options.batchSize ?? 4)
        : await scoreSequences({ logits: (ids) => model.forward(ids) }, seqs, padId(model, tok), options.batchSize ?? 4, options.progress);
      if (native) {
        options.progress?.update(seqs.length);
        options.progress?.finish();
      }
      return seqs.map((s, i) => ({ logprob: sums[i] ?? Number.NaN, tokens: s.labelMask.reduce((a, b) => a + b, 0) }));
    },
  };
}

/** Token ids of an eval prompt: chat messages through the template, raw text after BOS. */
function promptIds(model: InferenceModel, tok: ChatTokenizer, prompt: Prompt): number[] {
  if (typeof prompt !== "string") return tok.encode(tok.applyChatTemplate(prompt, { addGenerationPrompt: true }));
  const bos = tok.bosTokenId ?? model.config.bosTokenId;
  return [...(bos === null ? [] : [bos]), ...tok.encode(prompt)];
}

/**
 * An eval `EvalModel`: greedy (or sampled) generation and log-likelihood scoring with greedy check.
 *
 * @example
 * const report = await runSuite(llamaEvalModel(model, tok, { name: "stage-1" }), suite);
 */
export function llamaEvalModel(model: InferenceModel, tok: ChatTokenizer, options: LlamaAdapterOptions): EvalModel {
  const batchSize = options.batchSize ?? 4;
  return {
    name: options.name,
    async generate(prompts: readonly Prompt[], o: SamplingOptions = {}): Promise<string[]> {
      const ids = prompts.map((p) => promptIds(model, tok, p));
      const texts = await generateIds(model, tok, ids, {
        maxTokens: o.maxTokens ?? 128,
        temperature: o.temperature ?? 0,
        topP: o.topP ?? 1,
        seed: o.seed,
        stop: o.stop,
      }, batchSize, options.pool);
      return texts.map((t) => t.text);
    },
    async logLikelihood(requests: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
      const out: LoglikelihoodResult[] = [];
      for (const r of requests) {
        const context = promptIds(model, tok, r.context);
        const full = promptIds(model, tok, r.context + r.continuation);
        const start = Math.min(context.length, full.length - 1);
        if ("engine" in model) {
          out.push(await nativeContinuation(model, full, start));
          continue;
        }
        const [logpT, argmaxT] = tf.tidy(() => {
          const logits = model.forward(tf.tensor2d([full], [1, full.length], "int32")); // (1, T, V)
          const rows = tf.slice(logits, [0, start - 1, 0], [1, full.length - start, -1]); // (1, n, V)
          const logp = tf.logSoftmax(tf.squeeze(rows, [0])); // (n, V)
          return [logp, tf.argMax(logp, 1)]; // (n, V), (n)
        });
        // Asynchronous reads: a GPU backend (webgpu under Deno) has no synchronous one.
        const [lp, argmax] = await Promise.all([logpT.array() as Promise<number[][]>, argmaxT.data()]).finally(() => {
          logpT.dispose();
          argmaxT.dispose();
        });
        let logprob = 0;
        let greedy = true;
        for (let k = 0; k < lp.length; k++) {
          const target = full[start + k] as number;
          logprob += lp[k]?.[target] ?? Number.NaN;
          if (argmax[k] !== target) greedy = false;
        }
        out.push({ logprob, isGreedy: greedy });
      }
      return out;
    },
  };
}

/** log π(full[start:] | full[:start]) and whether every one of those tokens is the argmax, on the native engine. */
async function nativeContinuation(model: NativeLlama, full: number[], start: number): Promise<LoglikelihoodResult> {
  const t = full.length - 1;
  const { logps, greedy } = await model.tokenScores(Int32Array.from(full.slice(0, t)), Int32Array.from(full.slice(1)), 1, t); // (1·T)
  let logprob = 0;
  let isGreedy = true;
  for (let p = start - 1; p < t; p++) {
    logprob += logps[p]!;
    if (greedy[p] !== full[p + 1]) isGreedy = false;
  }
  return { logprob, isGreedy };
}
