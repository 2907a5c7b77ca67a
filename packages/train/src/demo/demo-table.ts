// The demo's table: accuracy per model and length (the mean of the training seeds, ± one SE), as JSON and Markdown.
import type { MetricsRow, TaskResult } from "@longpo/eval";
import { z } from "zod";
import { DEFAULT_DEPTHS } from "./world-qa-task.ts";

/** Accuracy of one model at one length, overall and by depth (percent → accuracy). */
export const LengthScore = z.object({
  length: z.number().int().positive(),
  accuracy: z.number().min(0).max(1),
  /**
   * One standard error of the accuracy: sqrt(p(1−p)/n) for one model; for the mean of k training seeds,
   * sqrt(p̄(1−p̄)/n + s²/k), the test set's binomial error plus the spread s of the seeds' accuracies.
   */
  se: z.number().min(0),
  /** Test examples (each seed answers the same n). */
  n: z.number().int().nonnegative(),
  byDepth: z.record(z.string(), z.number().min(0).max(1)),
});
export type LengthScore = z.infer<typeof LengthScore>;

/** One training seed of a trained row. */
export const SeedScore = z.object({ seed: z.number().int(), short: LengthScore, long: LengthScore, trainSeconds: z.number().nonnegative() });
export type SeedScore = z.infer<typeof SeedScore>;

/** One row of the demo's table. */
export const DemoRow = z.object({
  model: z.string(),
  ropeTheta: z.number().positive(),
  short: LengthScore,
  long: LengthScore,
  /** Mean training seconds of a seed. */
  trainSeconds: z.number().nonnegative().optional(),
  /** Each training seed's scores (trained rows); `short`/`long` are their mean. */
  seeds: z.array(SeedScore).optional(),
});
export type DemoRow = z.infer<typeof DemoRow>;

/** The accuracy of a completed world-QA result at one length, overall and by depth. */
export function lengthScore(result: TaskResult, length: number): LengthScore {
  if (result.status !== "completed") throw new Error(`Cannot score: task ${result.task} ${result.status}`);
  const samples = result.samples.filter((s) => s.metadata.length === length);
  const n = samples.length;
  const acc = n === 0 ? 0 : samples.reduce((a, s) => a + (s.scores.exact_match ?? 0), 0) / n;
  const byDepth: Record<string, number> = {};
  for (const d of DEFAULT_DEPTHS) {
    const at = samples.filter((s) => s.metadata.depth === d);
    byDepth[String(d)] = at.length === 0 ? 0 : at.reduce((a, s) => a + (s.scores.exact_match ?? 0), 0) / at.length;
  }
  return { length, accuracy: acc, se: n === 0 ? 0 : Math.sqrt((acc * (1 - acc)) / n), n, byDepth };
}

/**
 * The mean of several training seeds' scores on the same test set, with its standard error
 * sqrt(p̄(1−p̄)/n + s²/k): the binomial error of n test examples plus the seed-to-seed spread (s the sample standard
 * deviation of the k accuracies; 0 for one seed).
 * @example meanOverSeeds([a, b]).accuracy === (a.accuracy + b.accuracy) / 2
 */
export function meanOverSeeds(scores: readonly LengthScore[]): LengthScore {
  const first = scores[0];
  if (first === undefined) throw new RangeError("Cannot average seeds: got no score");
  const k = scores.length;
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const p = mean(scores.map((s) => s.accuracy));
  const spread = k < 2 ? 0 : scores.reduce((a, s) => a + (s.accuracy - p) ** 2, 0) / (k - 1);
  const byDepth: Record<string, number> = {};
  for (const d of Object.keys(first.byDepth)) byDepth[d] = mean(scores.map((s) => s.byDepth[d] ?? 0));
  return { length: first.length, accuracy: p, se: Math.sqrt((first.n === 0 ? 0 : (p * (1 - p)) / first.n) + spread / k), n: first.n, byDepth };
}

const pct = (x: number): string => (100 * x).toFixed(1);

/** The demo's table in Markdown: model × short × long × long by depth (trained rows: the mean of their seeds). */
export function demoTable(rows: readonly DemoRow[]): string {
  const depths = DEFAULT_DEPTHS.map((d) => `${d}%`);
  const head = `| model | RoPE θ | short (${rows[0]?.short.length ?? "?"} tok) | long (${rows[0]?.long.length ?? "?"} tok) | long by depth ${depths.join(" / ")} | train s |`;
  const lines = [head, `|---|---:|---:|---:|---|---:|`];
  for (const r of rows) {
    const by = DEFAULT_DEPTHS.map((d) => pct(r.long.byDepth[String(d)] ?? 0)).join(" / ");
    lines.push(
      `| ${r.model} | ${r.ropeTheta} | ${pct(r.short.accuracy)} ± ${pct(r.short.se)} | ${pct(r.long.accuracy)} ± ${pct(r.long.se)} | ${by} | ${r.trainSeconds === undefined ? "-" : r.trainSeconds.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

/** The trained rows per seed in Markdown: one line per row and seed (the table's means come from these). */
export function seedTable(rows: readonly DemoRow[]): string {
  const lines = ["| model | train seed | short | long | train s |", "|---|---:|---:|---:|---:|"];
  for (const r of rows) {
    for (const s of r.seeds ?? []) {
      lines.push(`| ${r.model} | ${s.seed} | ${pct(s.short.accuracy)} ± ${pct(s.short.se)} | ${pct(s.long.accuracy)} ± ${pct(s.long.se)} | ${s.trainSeconds.toFixed(0)} |`);
    }
  }
  return lines.join("\n");
}

/** One trained row's logged metrics, every training seed. */
export interface RowMetrics {
  readonly label: string;
  /** λ of the row's loss (LongPO's weight of the preference term; 1 for DPO, whose loss is the term itself). */
  readonly lambda: number;
  readonly seeds: readonly (readonly MetricsRow[])[];
}

/**
 * The gradient diagnostics in Markdown, one line per row: the means over every logged step and seed of ‖∇NLL‖,
 * ‖∇pref‖, the preference term's share λ‖∇pref‖ / ‖∇NLL‖, cos(∇NLL, ∇pref) and the pair weight σ(−z). Rows without
 * diagnostics are left out; a blank cell means the row has no such term (SFT has no preference term).
 */
export function diagnosticsTable(rows: readonly RowMetrics[]): string {
  const lines = [
    "| model | steps logged | ‖∇NLL‖ | ‖∇pref‖ | λ‖∇pref‖ / ‖∇NLL‖ | cos(∇NLL, ∇pref) | pair weight σ(−z) |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const mean = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : xs.reduce((a, x) => a + x, 0) / xs.length);
  const show = (x: number | undefined, digits: number): string => (x === undefined ? "" : x.toFixed(digits));
  for (const r of rows) {
    const logged = r.seeds.flat().filter((m) => Number.isFinite(m["diag/grad_norm_nll"]));
    if (logged.length === 0) continue;
    const of = (key: string) => logged.flatMap((m) => (Number.isFinite(m[key]) ? [m[key] as number] : []));
    const nll = mean(of("diag/grad_norm_nll"));
    const pref = mean(of("diag/grad_norm_pref"));
    const share = mean(logged.flatMap((m) => {
      const a = m["diag/grad_norm_pref"];
      const b = m["diag/grad_norm_nll"];
      return a !== undefined && b !== undefined && b > 0 ? [(r.lambda * a) / b] : [];
    }));
    lines.push(
      `| ${r.label} | ${logged.length} | ${show(nll, 3)} | ${show(pref, 3)} | ${show(share, 4)} | ${show(mean(of("diag/cos_nll_pref")), 3)} | ${show(mean(of("diag/pair_weight")), 3)} |`,
    );
  }
  return lines.join("\n");
}
