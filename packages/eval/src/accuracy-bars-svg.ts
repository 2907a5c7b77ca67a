// Grouped bar chart of accuracies with ±1 standard-error bars: one group per model, one bar per setting.
import { axes, fmt, legend, type Panel, paletteColor, svgOpen, text, title, yTitle } from "./_svg.ts";
import type { ChartOptions } from "./charts.ts";

/** One group of bars (a model): a value in [0, 1] per series (a setting such as "short"), with its standard error. */
export interface BarGroup {
  name: string;
  bars: readonly { series: string; value: number; se?: number }[];
}

/**
 * Accuracy bars, one group per model and one colour per series, each with its value in percent above it and a
 * ±1 standard-error bar (clipped to [0, 100]); the y axis runs from 0 to 100%.
 * @returns an SVG document; bars carry `class="bar"`, error bars `class="error-bar"`.
 * @throws {RangeError} when no group has a bar.
 * @example
 * accuracyBarsSvg([{ name: "M0", bars: [{ series: "short", value: 0.835, se: 0.019 }, { series: "long", value: 0.368, se: 0.024 }] }]);
 */
export function accuracyBarsSvg(groups: readonly BarGroup[], options: ChartOptions & { yLabel?: string } = {}): string {
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  if (series.length === 0) throw new RangeError("Cannot draw accuracy bars: groups must hold bars, got none");
  const groupW = Math.max(110, 36 * series.length + 40);
  const p: Panel = { x: 76, y: options.title === undefined ? 30 : 62, w: groups.length * groupW, h: 320 };
  const legendW = 60 + 8 * Math.max(...series.map((s) => s.length));
  const width = Math.max(640, p.x + p.w + legendW);
  const height = p.y + p.h + 60;
  const yAt = (v: number) => p.y + p.h - Math.min(1, Math.max(0, v)) * p.h;
  const barW = (groupW - 32) / series.length;
  let svg = svgOpen(width, height) + title(width, options.title);
  const ticks = groups.map((g, i) => ({ at: p.x + i * groupW + groupW / 2, label: g.name }));
  svg += axes(p, ticks, 0, 1, (v) => `${(v * 100).toFixed(0)}%`, 13);
  svg += yTitle(18, p, options.yLabel ?? "accuracy", 14);
  groups.forEach((g, i) => {
    for (const b of g.bars) {
      const k = series.indexOf(b.series);
      const x = p.x + i * groupW + 16 + k * barW;
      const y = yAt(b.value);
      svg += `<rect class="bar" x="${fmt(x)}" y="${fmt(y)}" width="${fmt(barW - 4)}" height="${fmt(p.y + p.h - y)}" fill="${paletteColor(k)}"/>\n`;
      const cx = x + (barW - 4) / 2;
      let labelY = y - 6;
      if (b.se !== undefined && b.se > 0) {
        const hi = yAt(b.value + b.se);
        const lo = yAt(b.value - b.se);
        svg += `<line class="error-bar" x1="${fmt(cx)}" y1="${fmt(lo)}" x2="${fmt(cx)}" y2="${fmt(hi)}" stroke="#222222" stroke-width="1.5"/>\n`;
        svg += `<line x1="${fmt(cx - 5)}" y1="${fmt(hi)}" x2="${fmt(cx + 5)}" y2="${fmt(hi)}" stroke="#222222" stroke-width="1.5"/>\n`;
        svg += `<line x1="${fmt(cx - 5)}" y1="${fmt(lo)}" x2="${fmt(cx + 5)}" y2="${fmt(lo)}" stroke="#222222" stroke-width="1.5"/>\n`;
        labelY = hi - 6;
      }
      svg += text(cx, labelY, (b.value * 100).toFixed(1), 'font-size="12" text-anchor="middle"');
    }
  });
  svg += legend(p.x + p.w + 24, p.y + 14, series.map((s, k) => ({ name: s, color: paletteColor(k) })), "box", 13);
  return `${svg}</svg>\n`;
}
