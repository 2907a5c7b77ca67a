// M0's recipe: world, data mixture, model shape and SFT settings, and `bootstrapM0`, which trains it from scratch.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runSuite } from "@longpo/eval";
import { z } from "zod";
import { type BackendPreference, selectBackend } from "../model/backend.ts";
import { saveCheckpoint } from "../model/checkpoint.ts";
import { parseModelConfig, type ModelConfig } from "../model/config.ts";
import { generate } from "../model/generate.ts";
import { LlamaModel } from "../model/llama.ts";
import type { ChatTokenizer } from "../model/tokenizer.ts";
import { longDialogue } from "@longpo/prefgen";
import { llamaEvalModel } from "../adapters/llama-adapters.ts";
import { buildModel, readModelFolder } from "../cli/open-model.ts";
import { trainFromFiles } from "../cli/train-command.ts";
import { buildTrainConfig } from "../trainer/train-config.ts";
import { type QuestionGrounding, qgUserMessage, questionGrounding } from "./formats.ts";
import { countWorldTokens, m0Dialogues, sftPair } from "./m0-data.ts";
import { sfc32 as createRng } from "@longpo/io";
import { worldQaTask } from "./world-qa-task.ts";
import { SPECIAL_IDS, writeWorldTokenizer } from "./world-tokenizer.ts";
import { createWorld, makeDocument, sampleFacts, type World, WorldConfig } from "./world.ts";

const Range = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

/** Everything that determines M0. The shipped M0 is `bootstrapM0` with these defaults. */
export const M0Recipe = z.strictObject({
  seed: z.number().int().nonnegative().default(0).describe("seed of the dialogues, the initial weights and the data order"),
  world: WorldConfig.default(() => WorldConfig.parse({})).describe("the synthetic world (vocabulary)"),
  data: z
    .strictObject({
      docLength: Range.default([16, 64]).describe("document length in tokens, uniform in [min, max]"),
      factsPerDoc: Range.default([1, 4]).describe("facts per document, uniform in [min, max]"),
      maxSequence: z.number().int().positive().default(96).describe("longest training dialogue in tokens"),
      qgFirst: z.number().min(0).max(1).default(0.5).describe("probability that a dialogue opens by writing a question"),
      qgInsert: z.number().min(0).max(1).default(0.5).describe("otherwise, probability of a later question-writing turn"),
      qgTarget: z.enum(["random", "first", "last"]).default("random").describe("which fact a written question asks about"),
      copy: z.number().min(0).max(1).default(0).describe("probability of a plain-text dialogue (write the document out again)"),
    })
    .default(() => ({ docLength: [16, 64] as [number, number], factsPerDoc: [1, 4] as [number, number], maxSequence: 96, qgFirst: 0.5, qgInsert: 0.5, qgTarget: "random" as const, copy: 0 })),
  dialogues: z.number().int().positive().default(51_200).describe("SFT dialogues (one epoch: 1,600 steps of 32)"),
  model: z
    .strictObject({
      hiddenSize: z.number().int().positive().default(128),
      layers: z.number().int().positive().default(4),
      heads: z.number().int().positive().default(4),
      kvHeads: z.number().int().positive().default(4),
      intermediateSize: z.number().int().positive().default(336),
      ropeTheta: z.number().positive().default(10_000),
    })
    .default(() => ({ hiddenSize: 128, layers: 4, heads: 4, kvHeads: 4, intermediateSize: 336, ropeTheta: 10_000 })),
  train: z
    .record(z.string(), z.unknown())
    .default(() => ({
      method: "sft",
      learningRate: 2e-3,
      schedule: "cosine",
      warmupRatio: 0.1,
      optimizer: "adamw",
      weightDecay: 0.1,
      adamBeta2: 0.95,
      batchSize: 32,
      gradientAccumulation: 1,
      maxGradNorm: 1,
      epochs: 1,
      maxLength: 96,
      logEvery: 10,
      saveEvery: 100,
      contextLossWeight: 0.1,
    }))
    .describe("TrainConfig fields of the SFT run (the trainer validates them)"),
  eval: z
    .strictObject({
      seed: z.number().int().default(2001).describe("seed of the held-out QA documents"),
      shortLength: z.number().int().positive().default(64).describe("document length of the short QA set"),
      examplesPerCell: z.number().int().positive().default(50).describe("examples per depth (4 depths)"),
      groundingChunks: z.number().int().positive().default(200).describe("chunks M0 writes a question about"),
    })
    .default(() => ({ seed: 2001, shortLength: 64, examplesPerCell: 50, groundingChunks: 200 })),
});
export type M0Recipe = z.infer<typeof M0Recipe>;

/** The Hugging Face `config.json` of M0 for a vocabulary size. */
export function m0HfConfig(recipe: M0Recipe, vocabSize: number): Record<string, unknown> {
  const m = recipe.model;
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: vocabSize,
    hidden_size: m.hiddenSize,
    intermediate_size: m.intermediateSize,
    num_hidden_layers: m.layers,
    num_attention_heads: m.heads,
    num_key_value_heads: m.kvHeads,
    head_dim: m.hiddenSize / m.heads,
    rms_norm_eps: 1e-5,
    rope_theta: m.ropeTheta,
    max_position_embeddings: 4096,
    tie_word_embeddings: false,
    bos_token_id: SPECIAL_IDS.bos,
    eos_token_id: SPECIAL_IDS.eos,
    pad_token_id: SPECIAL_IDS.pad,
    hidden_act: "silu",
    torch_dtype: "float32",
  };
}

/** How M0's self-written questions relate to their chunks, over `chunks` held-out chunks. */
export interface GroundingReport {
  chunks: number;
  /** Share of questions that ask for the attribute of a name the chunk states (answerable from the chunk). */
  grounded: number;
  /** Share whose name is in the chunk (with any attribute). */
  nameInChunk: number;
  /** Share that parse as questions in the world's format. */
  parsed: number;
}

/** M0's measured abilities. */
export interface M0Measurement {
  shortAccuracy: number;
  shortExamples: number;
  grounding: GroundingReport;
}

/** Measure short-context QA accuracy and question groundedness (greedy) of a model in the world. */
export async function measureM0(
  model: LlamaModel,
  tokenizer: ChatTokenizer,
  world: World,
  options: M0Recipe["eval"],
): Promise<M0Measurement> {
  const task = worldQaTask(world, { name: "short-qa", seed: options.seed, lengths: [options.shortLength], examplesPerCell: options.examplesPerCell });
  const evalModel = llamaEvalModel(model, tokenizer, { name: "m0", batchSize: 32 });
  const suite = await runSuite(evalModel, { name: "m0", tasks: [task] }, { batchSize: 64 });
  const r = suite.tasks[0];
  if (r?.status !== "completed") throw new Error(`Cannot measure M0: the QA task did not complete (${r?.status ?? "missing"})`);
  const rng = createRng(`${options.seed}:grounding`);
  const chunks = Array.from({ length: options.groundingChunks }, () =>
    makeDocument(rng, { length: options.shortLength, facts: sampleFacts(world, rng, rng.range(2, 3)) }),
  );
  const prompts = chunks.map((c) => tokenizer.encode(tokenizer.applyChatTemplate([qgUserMessage(c.text)], { addGenerationPrompt: true })));
  const counts: Record<QuestionGrounding, number> = { grounded: 0, "name-only": 0, ungrounded: 0, unparsed: 0 };
  for (let i = 0; i < prompts.length; i += 32) {
    const outs = await generate(model, prompts.slice(i, i + 32), { maxNewTokens: 8, temperature: 0 });
    outs.forEach((o, k) => {
      const text = o.tokenIds.length === 0 ? "" : tokenizer.decode(o.tokenIds, { skipSpecialTokens: true });
      counts[questionGrounding(world, text, chunks[i + k]?.facts ?? [])]++;
    });
  }
  const n = chunks.length;
  return {
    shortAccuracy: r.metrics.exact_match?.mean ?? 0,
    shortExamples: r.samples.length,
    grounding: {
      chunks: n,
      grounded: counts.grounded / n,
      nameInChunk: (counts.grounded + counts["name-only"]) / n,
      parsed: (n - counts.unparsed) / n,
    },
  };
}

/** Options of {@link bootstrapM0}. */
export interface BootstrapM0Options {
  /**
   * Work folder: `init/` (random weights + tokenizer), `m0-sft.jsonl`, `train/` (trainer output; its model folder
   * gets the recipe as `m0-recipe.json`), `m0-report.json`.
   */
  readonly outDir: string;
  /** Recipe overrides; the defaults are the shipped M0's. */
  readonly recipe?: z.input<typeof M0Recipe>;
  readonly backend?: BackendPreference;
  /**
   * Model replicas in worker threads for training and measuring; default 1, because the shipped M0 was trained on
   * one and more workers change float summation order (a slightly different M0, no longer byte for byte).
   */
  readonly workers?: number;
  /** Log lines (progress, metrics); default none. */
  readonly log?: (line: string) => void;
}

/** What `bootstrapM0` produced and measured. */
export interface BootstrapM0Result {
  /** The trained M0 as a Hugging Face folder. */
  modelDir: string;
  recipe: M0Recipe;
  backend: string;
  steps: number;
  trainSeconds: number;
  /** Real (unpadded) dialogue tokens per second of training. */
  tokensPerSecond: number;
  measurement: M0Measurement;
}

/**
 * Train M0 from scratch with the project's trainer, through the same function as `longpo train --method sft`
 * (`trainFromFiles`): random initial weights and the world tokenizer are written as a model folder, the mixture as
 * PreferencePair JSONL. Then M0 is measured. Deterministic for the recipe; only the wall time changes.
 * @example
 * const r = await bootstrapM0({ outDir: "runs/m0" });
 * console.log(r.modelDir, r.measurement.shortAccuracy);
 */
export async function bootstrapM0(options: BootstrapM0Options): Promise<BootstrapM0Result> {
  const log = options.log ?? (() => {});
  const recipe = M0Recipe.parse(options.recipe ?? {});
  const backend = await selectBackend(options.backend ?? "auto");
  log(`backend ${backend.name} (${backend.reason})`);
  const world = createWorld(recipe.world);
  const initDir = join(options.outDir, "init");
  const tokenizerDir = join(options.outDir, "tokenizer");
  const files = await writeWorldTokenizer(world, tokenizerDir);
  const config: ModelConfig = parseModelConfig(m0HfConfig(recipe, Object.keys(files.vocab).length));
  const init = LlamaModel.random(config, recipe.seed);
  try {
    await saveCheckpoint(initDir, { config, weights: await init.readWeights() }, { tokenizerFrom: tokenizerDir });
  } finally {
    init.dispose();
  }
  const pairsFile = join(options.outDir, "m0-sft.jsonl");
  const pairs = m0Dialogues(world, recipe.data, recipe.seed, recipe.dialogues).map((d) => sftPair(d, recipe.seed));
  await writeFile(pairsFile, pairs.map((p) => JSON.stringify(p)).join("\n") + "\n");
  log(`${pairs.length} SFT dialogues written to ${pairsFile}`);
  const { config: trainConfig, applied } = buildTrainConfig(
    { ...recipe.train, method: "sft", seed: recipe.seed, outputDir: join(options.outDir, "train") },
  );
  for (const line of applied) log(line);
  const started = Date.now();
  const result = await trainFromFiles({
    modelDir: initDir,
    pairsFile,
    config: trainConfig,
    workers: options.workers ?? 1,
    io: { out: (t) => log(t.trimEnd()), err: (t) => log(t.trimEnd()) },
  });
  if (result.status !== "completed") throw new Error(`Cannot bootstrap M0: training ended ${result.status}`);
  const trainSeconds = (Date.now() - started) / 1000;
  // The model folder carries its recipe, as the shipped M0 does, so `longpo demo --model` and `longpo eval` find its world.
  await writeFile(join(result.modelDir, "m0-recipe.json"), `${JSON.stringify(recipe, null, 2)}\n`);
  const folder = await readModelFolder(result.modelDir);
  const model = buildModel(folder);
  try {
    const tokens = pairs.reduce((n, p) => n + countWorldTokens(longDialogue(p, "chosen")), 0) * trainConfig.epochs;
    const measurement = await measureM0(model, folder.tokenizer, world, recipe.eval);
    const out: BootstrapM0Result = {
      modelDir: result.modelDir,
      recipe,
      backend: backend.name,
      steps: result.steps,
      trainSeconds,
      tokensPerSecond: tokens / trainSeconds,
      measurement,
    };
    await writeFile(join(options.outDir, "m0-report.json"), `${JSON.stringify(out, null, 2)}\n`);
    return out;
  } finally {
    model.dispose();
  }
}
