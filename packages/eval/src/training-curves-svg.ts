// Training curves: one panel per metric, every run overlaid, a smoothed line (debiased EMA) over faint raw points.
import { axes, fmt, legend, niceTicks, type Panel, paletteColor, svgOpen, text, title } from "./_svg.ts";
import type { ChartOptions } from "./charts.ts";

/** A parsed line of a training metrics JSONL: `step` and any numeric metrics. */
export type MetricsRow = Readonly<Record<string, number>>;

/** One training run to draw: a name for the legend and its metrics rows. */
export interface TrainingRun {
  name: string;
  rows: readonly MetricsRow[];
}

/** Options of {@link trainingRunsSvg}. */
export interface TrainingCurvesOptions extends ChartOptions {
  /** Weight of the past in the exponential moving average, in [0, 1); 0 draws the raw values. Default 0.8. */
  smoothing?: number;
}

/**
 * TensorBoard's debiased exponential moving average: `m_t = w·m_{t−1} + (1−w)·x_t`, reported as
 * `m_t / (1 − w^t)` so that the first value is not pulled toward 0.
 * @throws {RangeError} for a weight outside [0, 1).
 * @example emaSmooth([1, 3], 0.5) // [1, 2.333…]
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`Cannot smooth: weight must be in [0, 1), got ${weight}`);
  let m = 0;
  let wt = 1;
  return values.map((x) => {
    m = weight * m + (1 - weight) * x;
    wt *= weight;
    return m / (1 - wt);
  });
}

/**
 * Training curves of one or more runs against `step` (or the row index when rows lack `step`): one panel per key
 * present in any run (two panels a row), each run in its own colour as faint raw points under a smoothed line.
 * Rows without a key leave that point out of that panel only.
 * @param keys default TRL's `loss`, `rewards/margins`, `rewards/accuracies`
 * @returns an SVG document; smoothed lines carry `class="curve"`, raw points `class="raw"`.
 * @throws {RangeError} when no row holds any of the keys.
 * @example trainingRunsSvg([{ name: "LongPO", rows: longpo }, { name: "SFT", rows: sft }], ["loss", "nll"]);
 */
export function trainingRunsSvg(
  runs: readonly TrainingRun[],
  keys: readonly string[] = ["loss", "rewards/margins", "rewards/accuracies"],
  options: TrainingCurvesOptions = {},
): string {
  const present = keys.filter((k) => runs.some((run) => run.rows.some((r) => Number.isFinite(r[k]))));
  if (present.length === 0) throw new RangeError(`Cannot draw training curves: rows must hold one of ${keys.join(", ")}, got none`);
  const smoothing = options.smoothing ?? 0.8;
  const named = runs.length > 1 || (runs[0]?.name ?? "") !== "";
  const cols = Math.min(2, present.length);
  const pw = 340;
  const ph = 200;
  const gapX = 90;
  const gapY = 80;
  const top = (options.title === undefined ? 30 : 60) + (named ? 36 : 0);
  const width = 40 + cols * (pw + gapX);
  const height = top + Math.ceil(present.length / cols) * (ph + gapY) - 10;
  let svg = svgOpen(width, height) + title(width, options.title);
  if (named) {
    // legend in one row under the title
    runs.forEach((run, i) => {
      svg += legend(70 + i * 150, top - 38, [{ name: run.name, color: paletteColor(i) }], "line", 13);
    });
  }
  const steps = runs.map((run) => run.rows.map((r, i) => r.step ?? i));
  const all = steps.flat();
  const xLo = Math.min(...all);
  const xHi = Math.max(...all);
  present.forEach((key, k) => {
    const p: Panel = { x: 70 + (k % cols) * (pw + gapX), y: top + Math.floor(k / cols) * (ph + gapY), w: pw, h: ph };
    const series = runs.map((run, i) => {
      const pts = run.rows.flatMap((r, j) => (Number.isFinite(r[key]) ? [{ x: steps[i]?.[j] as number, y: r[key] as number }] : []));
      const smooth = emaSmooth(pts.map((q) => q.y), smoothing);
      return { pts, smooth, color: runs.length > 1 ? paletteColor(i) : paletteColor(k) };
    });
    const ys = series.flatMap((s) => s.pts.map((q) => q.y));
    let yLo = Math.min(...ys);
    let yHi = Math.max(...ys);
    if (yHi === yLo) {
      yLo -= 0.5;
      yHi += 0.5;
    }
    const pad = (yHi - yLo) * 0.05;
    yLo -= pad;
    yHi += pad;
    const xAt = (x: number) => p.x + (xHi === xLo ? p.w / 2 : ((x - xLo) / (xHi - xLo)) * p.w);
    const yAt = (y: number) => p.y + p.h - ((y - yLo) / (yHi - yLo)) * p.h;
    const xTicks = niceTicks(xLo, xHi, 4).map((v) => ({ at: xAt(v), label: fmt(v) }));
    svg += axes(p, xTicks, yLo, yHi, (v) => fmt(Number(v.toPrecision(3))), 12);
    svg += text(p.x + p.w / 2, p.y - 8, key, 'font-size="14" text-anchor="middle" font-weight="bold"');
    svg += text(p.x + p.w / 2, p.y + p.h + 36, "step", 'font-size="13" text-anchor="middle"');
    for (const s of series) {
      if (s.pts.length === 0) continue;
      for (const q of s.pts) svg += `<circle class="raw" cx="${fmt(xAt(q.x))}" cy="${fmt(yAt(q.y))}" r="2.5" fill="${s.color}" fill-opacity="0.3"/>\n`;
      svg += `<polyline class="curve" fill="none" stroke="${s.color}" stroke-width="2.2" points="${s.pts.map((q, j) => `${fmt(xAt(q.x))},${fmt(yAt(s.smooth[j] as number))}`).join(" ")}"/>\n`;
    }
  });
  return `${svg}</svg>\n`;
}

/**
 * Training curves of one run: {@link trainingRunsSvg} with a single unnamed run.
 * @throws {RangeError} when no row holds any of the keys.
 */
export function trainingCurvesSvg(
  rows: readonly MetricsRow[],
  keys: readonly string[] = ["loss", "rewards/margins", "rewards/accuracies"],
  options: TrainingCurvesOptions = {},
): string {
  return trainingRunsSvg([{ name: "", rows }], keys, options);
}
