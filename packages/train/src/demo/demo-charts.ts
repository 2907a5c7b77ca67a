// The demo's charts: every model's short and long accuracy, long accuracy by depth, the methods' training curves, heatmaps.
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  accuracyBarsSvg,
  type MetricsRow,
  niahHeatmapSvg,
  readMetricsJsonl,
  scoreVsDepthSvg,
  svgToPng,
  trainingRunsSvg,
  writeFileAtomic,
} from "@longpo/eval";
import { DEMO_ROWS } from "./demo-rows.ts";
import { type DemoRow } from "./demo-table.ts";
import { DemoSummary } from "./run-demo.ts";

/** One trained row's training metrics (its first seed's), as read from its `metrics.jsonl`. */
export interface MethodCurves {
  /** The row's name in the table: "LongPO", "SFT", ... */
  label: string;
  rows: readonly MetricsRow[];
}

/** The metrics drawn in `training-curves`: the loss, its parts, and the gradient diagnostics (every N steps). */
export const CURVE_KEYS = [
  "loss", "nll", "rewards/accuracies", "diag/pair_weight", "diag/grad_norm_nll", "diag/grad_norm_pref", "diag/cos_nll_pref",
] as const;

/**
 * An ASCII file name for a model name: "M0 θ×8" → "M0-theta-x8", "LongPO λ 0" → "LongPO-lambda-0" (θ, × and λ spelled out, any
 * other run of characters outside [A-Za-z0-9._] becomes one "-").
 */
export function fileSlug(name: string): string {
  const spelled = name.replace(/θ×/g, "theta-x").replace(/θ/g, "theta").replace(/×/g, "x").replace(/λ/g, "lambda");
  return spelled.replace(/[^A-Za-z0-9._]+/g, "-").replace(/^-+|-+$/g, "") || "model";
}

/** Options of {@link writeDemoCharts}. */
export interface DemoChartsOptions {
  /** Which files to write per chart; default both. */
  formats?: readonly ("svg" | "png")[];
}

/** Standard error of an accuracy p over n examples, sqrt(p(1−p)/n) (0 when n is 0). */
function se(p: number, n: number): number {
  return n === 0 ? 0 : Math.sqrt((p * (1 - p)) / n);
}

/**
 * Writes the demo's charts into `dir`: `comparison` (every model's short and long accuracy, ±1 SE), `accuracy-by-depth`
 * (long accuracy by depth, every model on one axis), `training-curves` (the methods overlaid, EMA over raw points)
 * and `niah-<model>` per model (length × depth), each as SVG and/or PNG with ASCII names.
 * @returns the paths written.
 */
export async function writeDemoCharts(dir: string, rows: readonly DemoRow[], curves: readonly MethodCurves[], options: DemoChartsOptions = {}): Promise<string[]> {
  const formats = options.formats ?? ["svg", "png"];
  const written: string[] = [];
  const write = async (name: string, svg: string): Promise<void> => {
    const base = join(dir, name);
    if (formats.includes("svg")) {
      await writeFileAtomic(`${base}.svg`, svg);
      written.push(`${base}.svg`);
    }
    if (formats.includes("png")) {
      await writeFileAtomic(`${base}.png`, await svgToPng(svg));
      written.push(`${base}.png`);
    }
  };
  const first = rows[0];
  if (first === undefined) return written;
  const shortLabel = `short (${first.short.length} tokens)`;
  const longLabel = `long (${first.long.length} tokens)`;
  await write("comparison", accuracyBarsSvg(
    rows.map((r) => ({ name: r.model, bars: [{ series: shortLabel, value: r.short.accuracy, se: r.short.se }, { series: longLabel, value: r.long.accuracy, se: r.long.se }] })),
    { title: `World QA accuracy of every model, ${first.short.n} examples per bar (±1 SE)` },
  ));
  await write("accuracy-by-depth", scoreVsDepthSvg(
    rows.map((r) => {
      const depths = Object.keys(r.long.byDepth);
      const perDepth = depths.length === 0 ? 0 : r.long.n / depths.length;
      return { name: r.model, points: depths.map((d) => ({ depth: Number(d), score: r.long.byDepth[d] ?? 0, se: se(r.long.byDepth[d] ?? 0, perDepth) })) };
    }),
    { title: `Long (${first.long.length}-token) accuracy by depth of the fact (±1 SE)` },
  ));
  if (curves.length > 0) {
    await write("training-curves", trainingRunsSvg(
      curves.map((c) => ({ name: c.label, rows: c.rows })),
      CURVE_KEYS,
      { title: "Training curves, first training seed (line: EMA 0.8 of the faint values; diag/*: every N steps)" },
    ));
  }
  for (const r of rows) {
    const cells = [r.short, r.long].flatMap((s) => Object.entries(s.byDepth).map(([d, score]) => ({ length: s.length, depth: Number(d), score })));
    await write(`niah-${fileSlug(r.model)}`, niahHeatmapSvg(cells, { title: `${r.model}: accuracy by length × depth` }));
  }
  return written;
}

/**
 * Redraws a finished demo's charts from its report folder (or the run folder holding `report/`) into `outDir`, as
 * PNG only, and deletes the other PNGs there (so `docs/demo` holds exactly the current charts). Training metrics
 * come from `report/metrics-<row>-seed<first training seed>.jsonl`.
 * @returns the summary's rows (to compare with the README's table) and the files written.
 * @throws {Error} when the folder holds no `summary.json`.
 * @example await demoDocs("runs/demo", "docs/demo");
 */
export async function demoDocs(runOrReportDir: string, outDir: string): Promise<{ rows: DemoRow[]; files: string[]; removed: string[] }> {
  const reportDir = existsSync(join(runOrReportDir, "summary.json")) ? runOrReportDir : join(runOrReportDir, "report");
  const summaryPath = join(reportDir, "summary.json");
  if (!existsSync(summaryPath)) throw new Error(`Cannot draw the demo's charts: no summary.json in ${runOrReportDir} or ${reportDir}`);
  const summary = DemoSummary.parse(JSON.parse(await readFile(summaryPath, "utf8")));
  const curves: MethodCurves[] = [];
  const seed = summary.config.trainSeeds[0];
  for (const name of summary.config.rows) {
    const found = join(reportDir, `metrics-${name}-seed${seed}.jsonl`);
    if (existsSync(found)) curves.push({ label: DEMO_ROWS[name].label, rows: await readMetricsJsonl(found) });
  }
  const files = await writeDemoCharts(outDir, summary.rows, curves, { formats: ["png"] });
  const keep = new Set(files.map((f) => basename(f)));
  const removed: string[] = [];
  for (const name of await readdir(outDir)) {
    if (name.endsWith(".png") && !keep.has(name)) {
      await rm(join(outDir, name));
      removed.push(join(outDir, name));
    }
  }
  return { rows: summary.rows, files, removed };
}
