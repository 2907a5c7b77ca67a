// Short-context multiple choice by log-likelihood, in lm-evaluation-harness's MMLU, ARC and HellaSwag formats.
import { z } from "zod";
import { createRandom, mixSeed } from "./_random.ts";
import type { ChoiceExample, LoglikelihoodTask } from "./task.ts";

const LETTERS = "ABCDEFGHIJ";

/** One MMLU question (`cais/mmlu` JSONL): `answer` is the index of the right choice (or its letter). */
export const MmluRecord = z.looseObject({
  question: z.string(),
  subject: z.string().default(""),
  choices: z.array(z.string()).min(2).max(10),
  answer: z.union([z.number().int().min(0), z.string().regex(/^[A-J]$/).transform((l) => LETTERS.indexOf(l))]),
});
export type MmluRecord = z.infer<typeof MmluRecord>;

/** One ARC question (`allenai/ai2_arc` JSONL). */
export const ArcRecord = z.looseObject({
  id: z.string().optional(),
  question: z.string(),
  choices: z.object({ text: z.array(z.string()).min(2), label: z.array(z.string()).min(2) }),
  answerKey: z.string(),
});
export type ArcRecord = z.infer<typeof ArcRecord>;

/** One HellaSwag item (`Rowan/hellaswag` JSONL); `label` may be a number or a numeric string. */
export const HellaSwagRecord = z.looseObject({
  activity_label: z.string().default(""),
  ctx_a: z.string(),
  ctx_b: z.string().default(""),
  endings: z.array(z.string()).min(2),
  label: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
});
export type HellaSwagRecord = z.infer<typeof HellaSwagRecord>;

/** A formatted item: the query text, the choices as continuations, and the gold index. */
interface Formatted {
  query: string;
  choices: string[];
  gold: number;
}

/** Options shared by the multiple-choice tasks. */
export interface MultipleChoiceOptions<R> {
  records: readonly R[];
  /** Worked examples before each question. Default 0. */
  fewshot?: number;
  /** Pool of worked examples; default `records` (never the question itself). */
  fewshotRecords?: readonly R[];
  /** Seed of the few-shot draw. Default 1234, as lm-evaluation-harness. */
  seed?: number;
  name?: string;
  /** Text before everything (MMLU's subject line is added by `mmluTask` itself). */
  description?: string;
}

function buildTask<R>(
  defaultName: string,
  options: MultipleChoiceOptions<R>,
  format: (r: R) => Formatted,
  describe: (r: R) => string,
): LoglikelihoodTask {
  const name = options.name ?? defaultName;
  const k = options.fewshot ?? 0;
  const seed = options.seed ?? 1234;
  const pool = options.fewshotRecords ?? options.records;
  const samePool = options.fewshotRecords === undefined;
  if (!Number.isInteger(k) || k < 0 || k > pool.length - (samePool ? 1 : 0)) {
    throw new RangeError(`Cannot build ${name}: fewshot must be an integer in [0, ${pool.length - (samePool ? 1 : 0)}], got ${k}`);
  }
  const examples = (): ChoiceExample[] =>
    options.records.map((r, i) => {
      const f = format(r);
      if (f.gold < 0 || f.gold >= f.choices.length) {
        throw new RangeError(`Cannot build ${name}: the answer of item ${i} must index one of ${f.choices.length} choices, got ${f.gold}`);
      }
      const candidates = pool.map((_, j) => j).filter((j) => !(samePool && j === i));
      const shots = createRandom(mixSeed(seed, i)).shuffle(candidates).slice(0, k);
      const shotText = shots.map((j) => {
        const s = format(pool[j] as R);
        return `${s.query}${s.choices[s.gold]}`;
      });
      const context = `${options.description ?? ""}${describe(r)}${[...shotText, f.query].join("\n\n")}`;
      return { id: `${name}-${i}`, context, choices: f.choices, gold: f.gold, metadata: { fewshot: k } };
    });
  return { kind: "loglikelihood", name, examples, config: { fewshot: k, seed, records: options.records.length } };
}

/**
 * MMLU as lm-evaluation-harness formats it: "The following are multiple choice questions (with answers) about
 * <subject>.\n\n", then "<question>\nA. ...\nB. ...\nAnswer:" scored over the continuations " A", " B", ...
 * @example const task = mmluTask({ records: await readJsonl("mmlu_test.jsonl", MmluRecord), fewshot: 5 });
 */
export function mmluTask(options: MultipleChoiceOptions<MmluRecord>): LoglikelihoodTask {
  return buildTask(
    "mmlu",
    options,
    (r) => ({
      query: `${r.question.trim()}\n${r.choices.map((c, i) => `${LETTERS[i]}. ${c}`).join("\n")}\nAnswer:`,
      choices: r.choices.map((_, i) => ` ${LETTERS[i]}`),
      gold: r.answer,
    }),
    (r) => (r.subject === "" ? "" : `The following are multiple choice questions (with answers) about ${r.subject.replaceAll("_", " ")}.\n\n`),
  );
}

/**
 * ARC as lm-evaluation-harness formats it: "Question: <question>\nAnswer:" scored over " <choice text>".
 * @example const task = arcTask({ records: await readJsonl("arc_challenge_test.jsonl", ArcRecord), fewshot: 25 });
 */
export function arcTask(options: MultipleChoiceOptions<ArcRecord>): LoglikelihoodTask {
  return buildTask(
    "arc",
    options,
    (r) => ({
      query: `Question: ${r.question}\nAnswer:`,
      choices: r.choices.text.map((t) => ` ${t}`),
      gold: r.choices.label.indexOf(r.answerKey),
    }),
    () => "",
  );
}

/** lm-evaluation-harness's HellaSwag text cleaning. */
export function hellaswagPreprocess(text: string): string {
  return text.trim().replaceAll(" [title]", ". ").replace(/\[.*?\]/g, "").replaceAll("  ", " ");
}

/**
 * HellaSwag as lm-evaluation-harness formats it: the query is "<activity>: <ctx_a> <Ctx_b>" cleaned, scored over
 * the cleaned endings with a leading space. Report `acc_norm`, the metric usually quoted.
 * @example const task = hellaswagTask({ records: await readJsonl("hellaswag_val.jsonl", HellaSwagRecord), fewshot: 10 });
 */
export function hellaswagTask(options: MultipleChoiceOptions<HellaSwagRecord>): LoglikelihoodTask {
  return buildTask(
    "hellaswag",
    options,
    (r) => {
      // Python str.capitalize: first letter upper, the rest lower
      const ctx = `${r.ctx_a} ${r.ctx_b.charAt(0).toUpperCase()}${r.ctx_b.slice(1).toLowerCase()}`;
      return { query: hellaswagPreprocess(`${r.activity_label}: ${ctx}`), choices: r.endings.map((e) => ` ${hellaswagPreprocess(e)}`), gold: r.label };
    },
    () => "",
  );
}
