// Shared pieces of the SVG charts: escaping, number formatting, text, tick marks, axes and the palette.

export const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
/** Matplotlib's tab10 order: blue, red, green, orange, purple, brown, pink, cyan. */
export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"] as const;

/** The colour of series `i`. */
export function paletteColor(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A coordinate or label: integers as is, others to two decimals without trailing zeros. */
export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, "");
}

export function svgOpen(width: number, height: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="${width}" height="${height}" fill="#ffffff"/>\n`;
}

export function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" ${FONT} ${attrs}>${escapeXml(s)}</text>\n`;
}

/** A centred bold title at the top of a chart of `width`. */
export function title(width: number, s: string | undefined): string {
  return s === undefined ? "" : text(width / 2, 28, s, 'font-size="17" text-anchor="middle" font-weight="bold"');
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A plotting area in pixels. */
export interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A frame, horizontal grid lines at round y values, and labels on both axes. */
export function axes(p: Panel, xTicks: readonly { at: number; label: string }[], yLo: number, yHi: number, yLabel: (v: number) => string, fontSize = 10): string {
  let svg = `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#333333"/>\n`;
  for (const v of niceTicks(yLo, yHi)) {
    const y = p.y + p.h - ((v - yLo) / (yHi - yLo || 1)) * p.h;
    svg += `<line x1="${p.x}" y1="${fmt(y)}" x2="${p.x + p.w}" y2="${fmt(y)}" stroke="#e5e5e5"/>\n`;
    svg += text(p.x - 6, y + 4, yLabel(v), `font-size="${fontSize}" text-anchor="end"`);
  }
  for (const t of xTicks) svg += text(t.at, p.y + p.h + fontSize + 6, t.label, `font-size="${fontSize}" text-anchor="middle"`);
  return svg;
}

/** A vertical axis title, rotated, centred on the panel. */
export function yTitle(x: number, p: Panel, s: string, fontSize = 12): string {
  const cy = p.y + p.h / 2;
  return text(x, cy, s, `font-size="${fontSize}" text-anchor="middle" transform="rotate(-90 ${fmt(x)} ${fmt(cy)})"`);
}

/** A legend: one coloured swatch (line or box) and name per entry, stacked from (x, y). */
export function legend(x: number, y: number, entries: readonly { name: string; color: string }[], kind: "line" | "box", fontSize = 12): string {
  let svg = "";
  entries.forEach((e, i) => {
    const ly = y + i * (fontSize + 8);
    svg += kind === "line"
      ? `<line x1="${x}" y1="${ly}" x2="${x + 22}" y2="${ly}" stroke="${e.color}" stroke-width="3"/>\n`
      : `<rect x="${x}" y="${ly - 7}" width="16" height="14" fill="${e.color}"/>\n`;
    svg += text(x + 28, ly + fontSize / 3, e.name, `font-size="${fontSize}"`);
  });
  return svg;
}
