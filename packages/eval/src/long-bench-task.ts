// LongBench (Bai et al., 2023) records as a generation task.
import { z } from "zod";
import { qaF1 } from "./metrics.ts";
import type { Prompt } from "./model.ts";
import type { GenerateTask, GenerationMetric } from "./task.ts";

/** One line of a LongBench JSONL file (`THUDM/LongBench` data/*.jsonl). */
export const LongBenchRecord = z.looseObject({
  input: z.string(),
  context: z.string(),
  answers: z.array(z.string()),
  all_classes: z.array(z.string()).nullable().optional(),
  length: z.number().optional(),
  dataset: z.string().optional(),
  language: z.string().optional(),
  _id: z.string().optional(),
});
export type LongBenchRecord = z.infer<typeof LongBenchRecord>;

/** Options of `longBenchTask`. */
export interface LongBenchOptions {
  records: readonly LongBenchRecord[];
  /** Default "longbench" or "longbench_<dataset>" from the first record. */
  name?: string;
  /** Default `{ qa_f1: qaF1 }`; use `rougeL` for the summarisation sets. */
  metrics?: Readonly<Record<string, GenerationMetric>>;
  /** Prompt of a record; default the generic single-document QA prompt of LongBench. */
  template?: (record: LongBenchRecord) => Prompt;
  /** Default 128. */
  maxTokens?: number;
}

/** LongBench's single-document QA prompt, as one user message. */
export function longBenchPrompt(r: LongBenchRecord): Prompt {
  return [
    {
      role: "user",
      content: `Read the following text and answer briefly.\n\n${r.context}\n\nNow, answer the question based on the text above. Only give me the answer and do not output any other words.\n\nQuestion: ${r.input}\nAnswer:`,
    },
  ];
}

/**
 * LongBench records as a generation task scored by `qa_f1` (or the metrics given).
 * Example metadata: `{ length, dataset }` where the record has them.
 * @example const task = longBenchTask({ records: await readJsonl("qasper.jsonl", LongBenchRecord) });
 */
export function longBenchTask(options: LongBenchOptions): GenerateTask {
  const first = options.records[0];
  const name = options.name ?? (first?.dataset !== undefined ? `longbench_${first.dataset}` : "longbench");
  const template = options.template ?? longBenchPrompt;
  return {
    kind: "generate",
    name,
    examples: () =>
      options.records.map((r, i) => ({
        id: r._id ?? `${name}-${i}`,
        prompt: template(r),
        references: r.answers,
        metadata: {
          ...(r.length !== undefined ? { length: r.length } : {}),
          ...(r.dataset !== undefined ? { dataset: r.dataset } : {}),
        },
      })),
    metrics: options.metrics ?? { qa_f1: qaF1 },
    sampling: { maxTokens: options.maxTokens ?? 128, temperature: 0 },
    config: { task: "longbench", records: options.records.length },
  };
}
