// Accuracy versus needle depth, one line per model on one axis, with ±1 standard-error bars.
import { axes, fmt, legend, type Panel, paletteColor, svgOpen, text, title, yTitle } from "./_svg.ts";
import type { ChartOptions } from "./charts.ts";

/** One line of a score-versus-depth chart: scores in [0, 1] at depths in percent, each with an optional standard error. */
export interface DepthSeries {
  name: string;
  points: readonly { depth: number; score: number; se?: number }[];
}

/**
 * Score (percent) versus the needle's depth in the document (percent), one line per series; depths are evenly
 * spaced categories. Each series is nudged sideways a little so that overlapping error bars stay readable.
 * @returns an SVG document; markers carry `class="point"`, lines `class="series"`, error bars `class="error-bar"`.
 * @throws {RangeError} when no series has a point.
 * @example scoreVsDepthSvg([{ name: "M0", points: [{ depth: 12.5, score: 0.2, se: 0.04 }, { depth: 87.5, score: 0.66 }] }]);
 */
export function scoreVsDepthSvg(series: readonly DepthSeries[], options: ChartOptions & { xLabel?: string } = {}): string {
  const depths = [...new Set(series.flatMap((s) => s.points.map((q) => q.depth)))].sort((a, b) => a - b);
  if (depths.length === 0) throw new RangeError("Cannot draw score versus depth: series must hold points, got none");
  const p: Panel = { x: 76, y: options.title === undefined ? 30 : 62, w: Math.max(420, 130 * depths.length), h: 320 };
  const width = p.x + p.w + 150;
  const height = p.y + p.h + 64;
  const step = depths.length === 1 ? 0 : (p.w - 80) / (depths.length - 1);
  const xAt = (d: number, i: number) => p.x + 40 + depths.indexOf(d) * step + (depths.length === 1 ? p.w / 2 - 40 : 0) + (i - (series.length - 1) / 2) * 5;
  const yAt = (v: number) => p.y + p.h - Math.min(1, Math.max(0, v)) * p.h;
  let svg = svgOpen(width, height) + title(width, options.title);
  svg += axes(p, depths.map((d) => ({ at: xAt(d, (series.length - 1) / 2), label: `${fmt(d)}%` })), 0, 1, (v) => `${(v * 100).toFixed(0)}%`, 13);
  svg += text(p.x + p.w / 2, p.y + p.h + 44, options.xLabel ?? "depth of the fact in the document", 'font-size="14" text-anchor="middle"');
  svg += yTitle(18, p, "accuracy", 14);
  series.forEach((s, i) => {
    const color = paletteColor(i);
    const pts = [...s.points].sort((a, b) => a.depth - b.depth);
    for (const q of pts) {
      if (q.se === undefined || q.se <= 0) continue;
      const x = xAt(q.depth, i);
      svg += `<line class="error-bar" x1="${fmt(x)}" y1="${fmt(yAt(q.score - q.se))}" x2="${fmt(x)}" y2="${fmt(yAt(q.score + q.se))}" stroke="${color}" stroke-width="1.5" stroke-opacity="0.6"/>\n`;
    }
    svg += `<polyline class="series" fill="none" stroke="${color}" stroke-width="2.5" points="${pts.map((q) => `${fmt(xAt(q.depth, i))},${fmt(yAt(q.score))}`).join(" ")}"/>\n`;
    for (const q of pts) svg += `<circle class="point" cx="${fmt(xAt(q.depth, i))}" cy="${fmt(yAt(q.score))}" r="4" fill="${color}"/>\n`;
  });
  svg += legend(p.x + p.w + 20, p.y + 14, series.map((s, i) => ({ name: s.name, color: paletteColor(i) })), "line", 13);
  return `${svg}</svg>\n`;
}
