// The demo's trained rows: each a method and the loss settings (NLL scope, λ, β) it is named after.
import { z } from "zod";
import { buildTrainConfig, type TrainConfig, type TrainConfigInput } from "../trainer/train-config.ts";

/** One trained row of the demo's table. */
export interface DemoRowSpec {
  /** The row's name in the table. */
  readonly label: string;
  /** What the row is, in one line (summary.md and `demo --help`). */
  readonly about: string;
  /** The TrainConfig fields the row is named after. */
  readonly loss: Pick<TrainConfigInput, "method" | "contextLossWeight" | "lambda" | "beta">;
}

/**
 * The named rows. `longpo` is LongPO as its authors run it (the released code's objective: the NLL averaged per token
 * over the whole chosen sequence [x_L ; y_S], plus 0.01 × the preference term at β 0.01); `longpo-answers` is the
 * variant of the first demo (NLL of the answers only, λ 1, β 0.1); `longpo-lambda0` is the authors' objective
 * without its preference term, which says what that term adds. SFT is answers-only, DPO the usual β 0.1.
 */
export const DEMO_ROWS = {
  longpo: {
    label: "LongPO",
    about: "the authors' objective: NLL over [x_L ; y_S] + 0.01·pref, β 0.01",
    loss: { method: "longpo", contextLossWeight: 1, lambda: 0.01, beta: 0.01 },
  },
  "longpo-answers": {
    label: "LongPO answers-only",
    about: "NLL of the answers only + 1·pref, β 0.1",
    loss: { method: "longpo", contextLossWeight: 0, lambda: 1, beta: 0.1 },
  },
  "longpo-lambda0": {
    label: "LongPO λ 0",
    about: "the authors' objective without the preference term: NLL over [x_L ; y_S]",
    loss: { method: "longpo", contextLossWeight: 1, lambda: 0, beta: 0.01 },
  },
  sft: { label: "SFT", about: "NLL of the chosen answers given x_L", loss: { method: "sft", contextLossWeight: 0 } },
  dpo: { label: "DPO", about: "sigmoid preference loss, reference on x_L, β 0.1", loss: { method: "dpo", beta: 0.1 } },
} as const satisfies Record<string, DemoRowSpec>;

/** A named row of {@link DEMO_ROWS}. */
export type DemoRowName = keyof typeof DEMO_ROWS;
export const DEMO_ROW_NAMES = Object.keys(DEMO_ROWS) as [DemoRowName, ...DemoRowName[]];

/** The rows `longpo demo` trains: the authors' LongPO and the two baselines. */
export const DEFAULT_DEMO_ROWS: readonly DemoRowName[] = ["longpo", "sft", "dpo"];
/** The rows `longpo demo --full` trains: the default ones and the two LongPO ablations. */
export const FULL_DEMO_ROWS: readonly DemoRowName[] = ["longpo", "longpo-answers", "longpo-lambda0", "sft", "dpo"];

/** The budget every row shares (DemoConfig.train). */
export const TrainBudget = z.strictObject({
  steps: z.number().int().positive().default(100).describe("optimizer steps of each row and training seed (the same budget for all)"),
  batchSize: z.number().int().positive().default(8).describe("pairs per step"),
  learningRate: z.number().positive().default(1e-4).describe("peak learning rate"),
  warmupRatio: z.number().min(0).max(1).default(0.1).describe("share of the steps spent in linear warm-up"),
  schedule: z.enum(["constant", "linear", "cosine"]).default("constant").describe("learning-rate schedule after warm-up"),
  diagnosticsEvery: z.number().int().nonnegative().default(20).describe(
    "log each loss term's gradient norm, their cosine and the mean pair weight every this many steps (0: never)",
  ),
});
export type TrainBudget = z.infer<typeof TrainBudget>;

/**
 * The TrainConfig the demo trains a row with: the row's loss settings, the shared budget, one training seed.
 * @example demoRowTrainConfig("longpo", budget, { seed: 1, maxLength: 400, outputDir: "runs/demo/train-longpo-seed1" })
 */
export function demoRowTrainConfig(name: DemoRowName, budget: TrainBudget, run: { seed: number; maxLength: number; outputDir: string }): TrainConfig {
  return buildTrainConfig({
    ...DEMO_ROWS[name].loss,
    learningRate: budget.learningRate,
    schedule: budget.schedule,
    warmupRatio: budget.warmupRatio,
    weightDecay: 0,
    batchSize: budget.batchSize,
    gradientAccumulation: 1,
    maxSteps: budget.steps,
    maxLength: run.maxLength,
    seed: run.seed,
    logEvery: 1,
    diagnosticsEvery: budget.diagnosticsEvery,
    outputDir: run.outputDir,
  }).config;
}
