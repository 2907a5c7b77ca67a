// TrainConfig: every knob of a LongPO / DPO / SFT run, with the paper's values as defaults.
import { type PreferenceLossType, preferenceLosses } from "@longpo/loss";
import { z } from "zod";
import { didYouMean } from "../did-you-mean.ts";
import { parseDecimal } from "../parse-decimal.ts";

/**
 * The training methods. `longpo`, `dpo` and `sft` are the paper's method and baselines; any other name is a
 * `preferenceLosses` type of `@longpo/loss` (`ipo`, `hinge`, `simpo`, ...) trained DPO-style (reference on the
 * long input). `dpo` is the `sigmoid` type.
 */
export const TrainMethod = z.enum(["longpo", "dpo", "sft", ...(Object.keys(preferenceLosses) as PreferenceLossType[])]);
export type TrainMethod = "longpo" | "dpo" | "sft" | PreferenceLossType;

/** Whether a method compares with a frozen reference (SFT, CPO, SimPO and ORPO do not). */
export function methodNeedsReference(method: TrainMethod): boolean {
  if (method === "sft") return false;
  if (method === "longpo" || method === "dpo") return true;
  return preferenceLosses[method].needs.reference;
}

/** Learning-rate schedules after the warm-up. */
export const ScheduleName = z.enum(["constant", "linear", "cosine"]);
export type ScheduleName = z.infer<typeof ScheduleName>;

/** Optimizers with serialisable state. */
export const OptimizerName = z.enum(["adamw", "adam", "rmsprop"]);
export type OptimizerName = z.infer<typeof OptimizerName>;

/**
 * A training run's configuration. Defaults are LongPO as its authors run it (ICLR 2025, Mistral-7B 32K→128K):
 * from the paper's text, λ = 0.01, lr 5e-7, 1 epoch, cosine with 10% warm-up, no weight decay, effective batch 8
 * (batchSize × gradientAccumulation), RoPE θ raised for the policy only; from the released code (DAMO-NLP-SG/LongPO,
 * `train/longdpo_trainer.py` and its README command), β = 0.01 (the text says 0.1) and the NLL taken per token over
 * the whole chosen sequence [x_L ; y_S] (`contextLossWeight` 1), long document included. Those two depend on the
 * method ({@link methodDefaults}); {@link buildTrainConfig} fills them in.
 */
export const TrainConfig = z
  .strictObject({
    method: TrainMethod.default("longpo").describe(
      "training method: longpo (nll + λ·pref, reference on the short chunk), dpo (reference on the long input), sft, or another preference loss",
    ),
    beta: z.number().positive().default(0.1).describe(
      "β: strength of the pull toward the reference (default 0.01 for longpo, as the released code; the paper's text says 0.1; 0.1 for the others)",
    ),
    lambda: z.number().nonnegative().default(0.01).describe("λ: weight of the preference term in LongPO (nll + λ·pref)"),
    contextLossWeight: z.number().nonnegative().default(0).describe(
      "weight of context (non-response) tokens in the NLL of sft and longpo: 0 responses only, 1 the whole sequence (default 1 for longpo, as the released code; 0 for sft)",
    ),
    learningRate: z.number().positive().default(5e-7).describe("peak learning rate after warm-up"),
    schedule: ScheduleName.default("cosine").describe("learning-rate decay after warm-up: constant, linear or cosine"),
    warmupRatio: z.number().min(0).max(1).default(0.1).describe("share of all optimizer steps spent warming up linearly from 0"),
    optimizer: OptimizerName.default("adamw").describe("adamw (decoupled weight decay), adam or rmsprop"),
    weightDecay: z.number().nonnegative().default(0).describe("decoupled weight decay (AdamW only; paper: none)"),
    adamBeta1: z.number().min(0).max(1).default(0.9).describe("Adam β1: decay of the first-moment estimate"),
    adamBeta2: z.number().min(0).max(1).default(0.999).describe("Adam β2 (and RMSprop decay): decay of the second-moment estimate"),
    adamEpsilon: z.number().positive().default(1e-8).describe("ε added to the second-moment root"),
    batchSize: z.number().int().positive().default(1).describe("pairs per micro-batch"),
    gradientAccumulation: z.number().int().positive().default(8).describe("micro-batches per optimizer step (paper: effective batch 8)"),
    maxGradNorm: z.number().nonnegative().default(1).describe("clip the global gradient norm to this (0 turns clipping off)"),
    epochs: z.number().int().positive().default(1).describe("passes over the pair file (ignored when maxSteps is set)"),
    maxSteps: z.number().int().positive().optional().describe("stop after this many optimizer steps (overrides epochs)"),
    maxLength: z.number().int().positive().default(4096).describe("longest long-input sequence (prompt + response) in tokens; longer pairs are dropped"),
    maxPromptLength: z.number().int().positive().optional().describe("longest prompt in tokens; longer pairs are dropped (default: no separate limit)"),
    ropeTheta: z.number().positive().optional().describe("RoPE θ of the policy (LongPO raises it for the long stage); the reference keeps its own"),
    seed: z.number().int().nonnegative().default(42).describe("seed of the data order"),
    logEvery: z.number().int().positive().default(1).describe("write a metrics line every this many optimizer steps"),
    saveEvery: z.number().int().nonnegative().default(0).describe("save a checkpoint every this many optimizer steps (0: only at the end)"),
    evalEvery: z.number().int().nonnegative().default(0).describe("run the evaluation hook every this many optimizer steps (0: never)"),
    diagnosticsEvery: z.number().int().nonnegative().default(0).describe(
      "every this many optimizer steps, log each loss term's gradient norm, their cosine and the mean pair weight σ(−z) (diag/*; 0: never)",
    ),
    outputDir: z.string().min(1).default("runs/longpo").describe("folder for checkpoints, metrics.jsonl and the config"),
  })
  .superRefine((c, ctx) => {
    if (c.maxPromptLength !== undefined && c.maxPromptLength >= c.maxLength) {
      ctx.addIssue({
        code: "custom",
        path: ["maxPromptLength"],
        message: `must be less than maxLength (${c.maxLength}), got ${c.maxPromptLength}`,
      });
    }
    if (c.contextLossWeight > 0 && c.method !== "sft" && c.method !== "longpo") {
      ctx.addIssue({
        code: "custom",
        path: ["contextLossWeight"],
        message: `applies only to sft and longpo (the methods with an NLL term), got method ${c.method}`,
      });
    }
    if (c.weightDecay > 0 && c.optimizer !== "adamw") {
      ctx.addIssue({
        code: "custom",
        path: ["weightDecay"],
        message: `applies only to adamw, got optimizer ${c.optimizer}`,
      });
    }
  });
export type TrainConfig = z.infer<typeof TrainConfig>;
/** The config as a user writes it (every field optional). */
export type TrainConfigInput = z.input<typeof TrainConfig>;

/**
 * The defaults that depend on the method. LongPO's are its released code's: β 0.01 and the NLL over the whole chosen
 * sequence (`contextLossWeight` 1); DPO and the other preference types keep the usual β 0.1, and SFT an
 * answers-only NLL. Fields the user sets are never replaced.
 */
export function methodDefaults(method: TrainMethod): { beta: number; contextLossWeight: number } {
  return method === "longpo" ? { beta: 0.01, contextLossWeight: 1 } : { beta: 0.1, contextLossWeight: 0 };
}

/** Thrown when a config file or override is invalid; `message` is one line naming the field. */
export class TrainConfigError extends Error {
  override name = "TrainConfigError";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Build a config from a parsed JSON object and `key=value` overrides; reject unknown keys and impossible values.
 *
 * @param base an object read from a JSON file (or `{}`).
 * @param overrides raw command-line strings keyed by field name; each is parsed by the field's type (numbers must
 *   be decimal: `0x10`, `Infinity` and `1e` are refused).
 * @param source the file `base` was read from, named in errors about its values.
 * @returns the validated config and one human-readable line per override applied.
 * @throws {TrainConfigError} one line naming the first bad field, where its value came from (the config file or a
 *   flag) and, for an unknown key, the closest known one.
 * @example
 * const { config } = buildTrainConfig({ method: "dpo" }, { beta: "0.01" });
 */
export function buildTrainConfig(
  base: unknown,
  overrides: Record<string, string> = {},
  source?: string,
): { config: TrainConfig; applied: string[] } {
  if (typeof base !== "object" || base === null || Array.isArray(base)) {
    throw new TrainConfigError(`Cannot read training config: it must be a JSON object, got ${Array.isArray(base) ? "an array" : typeof base}`);
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const applied: string[] = [];
  const shape = TrainConfig.shape;
  for (const [key, raw] of Object.entries(overrides)) {
    if (!(key in shape)) {
      const near = didYouMean(key, Object.keys(shape));
      const hint = near === undefined ? `known: ${Object.keys(shape).join(", ")}` : `did you mean --${near}?`;
      throw new TrainConfigError(`Cannot apply override --${key}: unknown config key (${hint})`);
    }
    const value = parseOverride(key, raw);
    applied.push(`${key} = ${JSON.stringify(value)}${key in merged ? ` (was ${JSON.stringify(merged[key])})` : ""}`);
    merged[key] = value;
  }
  const method = TrainMethod.safeParse(merged.method ?? "longpo");
  if (method.success) {
    for (const [key, value] of Object.entries(methodDefaults(method.data))) if (merged[key] === undefined) merged[key] = value;
  }
  const parsed = TrainConfig.safeParse(merged);
  if (!parsed.success) throw new TrainConfigError(formatIssue(parsed.error.issues[0], overrides, source));
  return { config: parsed.data, applied };
}

function parseOverride(key: string, raw: string): unknown {
  const numeric = new Set(["number"]);
  const field = (TrainConfig.shape as Record<string, z.ZodType>)[key];
  const kind = innerKind(field);
  if (numeric.has(kind)) {
    const n = parseDecimal(raw);
    if (n === undefined) throw new TrainConfigError(`Cannot apply override --${key}: it must be a decimal number, got "${raw}"`);
    return n;
  }
  return raw;
}

function innerKind(field: z.ZodType | undefined): string {
  let f: unknown = field;
  // Unwrap default/optional wrappers to reach the base type.
  for (let i = 0; i < 5 && f !== undefined; i++) {
    const def = (f as { def?: { type?: string; innerType?: unknown } }).def;
    if (def === undefined) break;
    if (def.type === "default" || def.type === "optional") f = def.innerType;
    else return def.type ?? "unknown";
  }
  return "unknown";
}

function formatIssue(issue: z.core.$ZodIssue | undefined, overrides: Record<string, string>, source: string | undefined): string {
  if (issue === undefined) return "Cannot read training config: invalid";
  const inFile = source === undefined ? "" : ` in config file ${source}`;
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => {
      const near = didYouMean(k, Object.keys(TrainConfig.shape));
      return `"${k}"${near === undefined ? "" : ` (did you mean "${near}"?)`}`;
    });
    return `Cannot read training config: unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}${inFile}`;
  }
  const path = issue.path.join(".") || "(root)";
  const key = String(issue.path[0] ?? "");
  const from = key in overrides
    ? ` (from the flag --${key} ${overrides[key]})`
    : source !== undefined && key !== ""
    ? ` (from config file ${source})`
    : "";
  return `Cannot read training config: ${path} ${issue.message}${from}`;
}

/** One line per field: name, default and description, for `longpo train --help`. */
export function describeTrainConfig(): string[] {
  const lines: string[] = [];
  for (const [key, field] of Object.entries(TrainConfig.shape as Record<string, z.ZodType>)) {
    const def = (field as { def?: { type?: string; defaultValue?: unknown } }).def;
    const perMethod = key in methodDefaults("longpo");
    const dflt = perMethod ? "per method" : def?.type === "default" ? JSON.stringify(def.defaultValue) : "(unset)";
    lines.push(`  --${key} ${" ".repeat(Math.max(1, 22 - key.length))}${dflt.padEnd(12)} ${field.description ?? ""}`);
  }
  return lines;
}

/** Where each LongPO default comes from, for `longpo train --help` (the paper's text or the authors' released code). */
export function describeLongpoDefaults(): string[] {
  return [
    "LongPO's defaults (--method longpo) are its authors' objective, L = NLL([x_L ; y_S]) + λ·(−log σ(z)):",
    "  from the paper's text: λ 0.01, learningRate 5e-7, 1 epoch, cosine schedule, warmupRatio 0.1, effective batch 8,",
    "    the policy's RoPE θ raised (--ropeTheta) while the short-context reference keeps its own;",
    "  from the released code (DAMO-NLP-SG/LongPO train/longdpo_trainer.py and its README command): beta 0.01 (the text",
    "    says 0.1) and contextLossWeight 1, the NLL averaged per token over the whole chosen sequence, long document",
    "    included (the code's response-only mask is commented out), so the NLL is mostly long-document language modelling.",
    "  The answers-only variant: --contextLossWeight 0 --lambda 1 --beta 0.1. sft defaults to an answers-only NLL, dpo to beta 0.1.",
  ];
}
