// The score table `longpo eval` prints: one row per model, one column per task and length (primary metric ± SE).
import type { SuiteResult, Task } from "@longpo/eval";

/** The text of every prompt of some tasks (generation prompts and multiple-choice contexts), for token counts. */
export function* promptTexts(tasks: readonly Task[]): Generator<string> {
  for (const task of tasks) {
    for (const example of task.examples()) {
      if ("context" in example) yield example.context;
      else if (typeof example.prompt === "string") yield example.prompt;
      else for (const m of example.prompt) yield m.content;
    }
  }
}

/**
 * A Markdown table with one row per evaluated model and one column per (task, length): the mean of the task's
 * primary (first) metric over the examples of that length, in percent, ± its standard error sqrt(p(1 − p)/n).
 * @example
 * evalScoreTable([{ model: "m0", result }], [256]);
 * // | model | world-qa 256 tok |
 * // |---|---:|
 * // | m0 | 36.5 ± 4.8 (n 100) |
 */
export function evalScoreTable(rows: readonly { model: string; result: SuiteResult }[], lengths: readonly number[]): string {
  // A task whose examples carry a `length` gets a column per length; one without (pair-preference) gets one column.
  const columns: { task: string; length?: number }[] = [];
  for (const t of rows[0]?.result.tasks ?? []) {
    const sized = t.status === "completed" && t.samples.some((s) => typeof s.metadata["length"] === "number");
    if (sized) for (const length of lengths) columns.push({ task: t.task, length });
    else columns.push({ task: t.task });
  }
  const head = `| model | ${columns.map((c) => (c.length === undefined ? c.task : `${c.task} ${c.length} tok`)).join(" | ")} |`;
  const rule = `|---|${columns.map(() => "---:").join("|")}|`;
  const body = rows.map(({ model, result }) => {
    const cells = columns.map(({ task, length }) => {
      const t = result.tasks.find((x) => x.task === task);
      if (t === undefined || t.status !== "completed") return t?.status ?? "-";
      const metric = Object.keys(t.metrics)[0];
      const samples = length === undefined ? t.samples : t.samples.filter((s) => s.metadata["length"] === length);
      const n = samples.length;
      if (metric === undefined || n === 0) return "-";
      const p = samples.reduce((a, s) => a + (s.scores[metric] ?? 0), 0) / n;
      return `${(100 * p).toFixed(1)} ± ${(100 * Math.sqrt((p * (1 - p)) / n)).toFixed(1)} (n ${n})`;
    });
    return `| ${model} | ${cells.join(" | ")} |`;
  });
  return [head, rule, ...body].join("\n");
}
