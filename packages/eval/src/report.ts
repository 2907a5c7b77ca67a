// Reports of a suite run: results JSON, a Markdown table, charts as SVG and PNG, written atomically.
import { join } from "node:path";
import { z } from "zod";
import { niahHeatmapSvg, scoreVsLengthSvg, svgToPng, type HeatmapCell, type LengthSeries } from "./charts.ts";
import { readJsonl } from "./jsonl.ts";
import type { MetricsRow } from "./training-curves-svg.ts";
import type { SuiteResult, TaskResult } from "./run-suite.ts";
import { writeFileAtomic } from "@longpo/io";

type Completed = Extract<TaskResult, { status: "completed" }>;

/** The first metric of a completed task, the one reports and charts use unless told otherwise. */
export function primaryMetric(result: Completed): string {
  return Object.keys(result.metrics)[0] ?? "";
}

function meanBy(result: Completed, metric: string, key: (m: Completed["samples"][number]["metadata"]) => string | undefined): Map<string, number> {
  const sums = new Map<string, { s: number; n: number }>();
  for (const sample of result.samples) {
    const k = key(sample.metadata);
    if (k === undefined) continue;
    const e = sums.get(k) ?? { s: 0, n: 0 };
    e.s += sample.scores[metric] ?? 0;
    e.n++;
    sums.set(k, e);
  }
  return new Map([...sums].map(([k, e]) => [k, e.s / e.n]));
}

/** Mean score per (length, depth) of a completed task whose samples carry `length` and `depth` metadata. */
export function heatmapCells(result: Completed, metric = primaryMetric(result)): HeatmapCell[] {
  const means = meanBy(result, metric, (m) =>
    typeof m.length === "number" && typeof m.depth === "number" ? `${m.length}|${m.depth}` : undefined,
  );
  return [...means].map(([k, score]) => {
    const [length, depth] = k.split("|").map(Number) as [number, number];
    return { length, depth, score };
  });
}

/** Mean score per `length` of a completed task, as one series named after the task. */
export function scoreByLength(result: Completed, metric = primaryMetric(result)): LengthSeries {
  const means = meanBy(result, metric, (m) => (typeof m.length === "number" ? String(m.length) : undefined));
  return { name: result.task, points: [...means].map(([l, score]) => ({ length: Number(l), score })) };
}

const pct = (x: number): string => (x * 100).toFixed(1);

/** Mean, standard error sqrt(var/n) (population variance: sqrt(p(1−p)/n) for 0/1 scores) and n of each group. */
export function scoreByGroup(result: Completed, metric: string, key: (m: Completed["samples"][number]["metadata"]) => string | undefined): Map<string, { mean: number; se: number; n: number }> {
  const groups = new Map<string, number[]>();
  for (const sample of result.samples) {
    const k = key(sample.metadata);
    if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), sample.scores[metric] ?? 0]);
  }
  return new Map([...groups].map(([k, xs]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    return [k, { mean, se: Math.sqrt(variance / xs.length), n: xs.length }];
  }));
}

/** Rows "task, length, metric, score ± SE, n" for every completed task whose samples span more than one length. */
function byLengthLines(result: SuiteResult, cell: (s: string) => string): string[] {
  const lines: string[] = [];
  for (const t of result.tasks) {
    if (t.status !== "completed") continue;
    for (const metric of Object.keys(t.metrics)) {
      const groups = scoreByGroup(t, metric, (m) => (typeof m.length === "number" ? String(m.length) : undefined));
      if (groups.size < 2) continue;
      for (const [length, g] of [...groups].sort((a, b) => Number(a[0]) - Number(b[0]))) {
        lines.push(`| ${cell(t.task)} | ${length} | ${metric} | ${pct(g.mean)} ± ${pct(g.se)} | ${g.n} |`);
      }
    }
  }
  return lines.length === 0 ? [] : ["", "By context length (± one standard error):", "", "| task | length (tokens) | metric | score | n |", "|---|---:|---|---:|---:|", ...lines];
}

/**
 * A Markdown table with one row per task and metric: score and 95% interval in percent, and n; errored and
 * skipped tasks say why. Tasks whose samples span several context lengths get a second table, one row per
 * length (short and long reported apart, not pooled).
 */
export function markdownReport(result: SuiteResult): string {
  const lines = [
    `## ${result.suite}: ${result.model}`,
    "",
    `Run ${result.startedAt}, ${(result.durationMs / 1000).toFixed(1)} s; bootstrap ${result.options.bootstrapSamples} resamples, seed ${result.options.seed}.`,
    "",
    "| task | metric | score | 95% CI | n |",
    "|---|---|---:|---|---:|",
  ];
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  for (const t of result.tasks) {
    if (t.status === "completed") {
      for (const [name, m] of Object.entries(t.metrics)) {
        lines.push(`| ${cell(t.task)} | ${name} | ${pct(m.mean)} | ${pct(m.ci[0])}–${pct(m.ci[1])} | ${m.n} |`);
      }
    } else if (t.status === "errored") {
      lines.push(`| ${cell(t.task)} | errored | — | ${cell(`${t.error.name}: ${t.error.message}`)} | 0 |`);
    } else {
      lines.push(`| ${cell(t.task)} | skipped | — | ${cell(t.reason)} | 0 |`);
    }
  }
  lines.push(...byLengthLines(result, cell));
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `<base>.svg` and, unless `png` is false, `<base>.png` (rasterised by sharp), each atomically.
 * @returns the paths written.
 */
export async function writeChart(base: string, svg: string, options: { png?: boolean; scale?: number } = {}): Promise<string[]> {
  await writeFileAtomic(`${base}.svg`, svg);
  if (options.png === false) return [`${base}.svg`];
  await writeFileAtomic(`${base}.png`, await svgToPng(svg, options.scale));
  return [`${base}.svg`, `${base}.png`];
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Writes a run's report into `dir`: `results.json` (the whole `SuiteResult`: options, seeds and every task's
 * config and samples), `results.md`, a NIAH heatmap per task with length × depth samples, and one score-versus-
 * length chart over all tasks with `length` metadata. Every file is written atomically.
 * @returns the paths written.
 * @example await writeReport("out/run-1", await runSuite(model, suite));
 */
export async function writeReport(dir: string, result: SuiteResult, options: { png?: boolean } = {}): Promise<string[]> {
  const written: string[] = [];
  const json = join(dir, "results.json");
  await writeFileAtomic(json, `${JSON.stringify(result, null, 2)}\n`);
  const md = join(dir, "results.md");
  await writeFileAtomic(md, markdownReport(result));
  written.push(json, md);
  const series: LengthSeries[] = [];
  for (const t of result.tasks) {
    if (t.status !== "completed") continue;
    const cells = heatmapCells(t);
    const depths = new Set(cells.map((c) => c.depth));
    if (cells.length > 0 && depths.size > 1) {
      written.push(...(await writeChart(join(dir, `${slug(t.task)}-heatmap`), niahHeatmapSvg(cells, { title: `${result.model}: ${t.task} (${primaryMetric(t)})` }), options)));
    }
    const s = scoreByLength(t);
    if (s.points.length > 0) series.push(s);
  }
  if (series.length > 0) {
    written.push(...(await writeChart(join(dir, "score-vs-length"), scoreVsLengthSvg(series, { title: `${result.model}` }), options)));
  }
  return written;
}

/** A line of a training metrics JSONL: an object whose numeric fields are kept (others ignored). */
const MetricsLine = z.record(z.string(), z.unknown());

/**
 * Reads a trainer's `metrics.jsonl` (TRL names: `loss`, `rewards/margins`, `rewards/accuracies`, ...), keeping
 * the numeric fields of each line.
 * @throws {DataFileError} for a line that is not a JSON object (with file and line).
 */
export async function readMetricsJsonl(path: string): Promise<MetricsRow[]> {
  const rows = await readJsonl(path, MetricsLine);
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => typeof e[1] === "number")));
}
