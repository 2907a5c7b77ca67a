// InfiniteBench (Zhang et al., 2024) records as a generation task.
import { z } from "zod";
import { stringMatchPart } from "./metrics.ts";
import type { Prompt } from "./model.ts";
import type { GenerateTask, GenerationMetric } from "./task.ts";

/** One line of an InfiniteBench JSONL file (`xinrongzhang2022/InfiniteBench`); answers become strings. */
export const InfiniteBenchRecord = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  context: z.string(),
  input: z.string(),
  answer: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).transform((a) =>
    (Array.isArray(a) ? a : [a]).map(String),
  ),
  options: z.array(z.string()).default([]),
});
export type InfiniteBenchRecord = z.infer<typeof InfiniteBenchRecord>;

/** Options of `infiniteBenchTask`. */
export interface InfiniteBenchOptions {
  records: readonly InfiniteBenchRecord[];
  /** Default "infinitebench". */
  name?: string;
  /** Default `{ string_match_part }` (an answer appears in the output). */
  metrics?: Readonly<Record<string, GenerationMetric>>;
  /** Default: context, the question, then the options as "A. ..." lines when present. */
  template?: (record: InfiniteBenchRecord) => Prompt;
  /** Default 64. */
  maxTokens?: number;
}

/** The default InfiniteBench prompt: one user message. */
export function infiniteBenchPrompt(r: InfiniteBenchRecord): Prompt {
  const options = r.options.length === 0 ? "" : `\n\nOptions:\n${r.options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}`).join("\n")}`;
  return [{ role: "user", content: `${r.context}\n\n${r.input}${options}` }];
}

/**
 * InfiniteBench records as a generation task.
 * @example const task = infiniteBenchTask({ records: await readJsonl("longbook_qa_eng.jsonl", InfiniteBenchRecord) });
 */
export function infiniteBenchTask(options: InfiniteBenchOptions): GenerateTask {
  const name = options.name ?? "infinitebench";
  const template = options.template ?? infiniteBenchPrompt;
  return {
    kind: "generate",
    name,
    examples: () =>
      options.records.map((r, i) => ({ id: String(r.id ?? `${name}-${i}`), prompt: template(r), references: r.answer, metadata: {} })),
    metrics: options.metrics ?? { string_match_part: stringMatchPart },
    sampling: { maxTokens: options.maxTokens ?? 64, temperature: 0 },
    config: { task: "infinitebench", records: options.records.length },
  };
}
