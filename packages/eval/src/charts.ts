// SVG charts of evaluation results: NIAH heatmap (length × depth), score versus length; rasterising to PNG.
import { axes, fmt, type Panel, paletteColor, svgOpen, text, title, yTitle } from "./_svg.ts";

/** One cell of a NIAH heatmap: mean score (in [0, 1]) at a context length and needle depth. */
export interface HeatmapCell {
  length: number;
  depth: number;
  score: number;
}

/** One line of a score-versus-length chart. */
export interface LengthSeries {
  name: string;
  points: readonly { length: number; score: number }[];
}

/** Options every chart takes. */
export interface ChartOptions {
  title?: string;
}

export { escapeXml } from "./_svg.ts";

/** "4K" for 4096, "128K" for 131072, "1.5K" for 1536, "900" below 1024. */
export function formatLength(tokens: number): string {
  if (tokens >= 1024 * 1024) return `${fmt(tokens / (1024 * 1024))}M`;
  if (tokens >= 1024) return `${fmt(tokens / 1024)}K`;
  return String(tokens);
}

function mix(a: string, b: string, t: number): string {
  const pa = [1, 3, 5].map((i) => Number.parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => Number.parseInt(b.slice(i, i + 2), 16));
  return `#${pa.map((x, i) => Math.round(x + ((pb[i] as number) - x) * t).toString(16).padStart(2, "0")).join("")}`;
}

/** Red (0) → yellow (0.5) → green (1), the colouring of RULER-style NIAH heatmaps. */
export function scoreColor(score: number): string {
  const s = Math.min(1, Math.max(0, Number.isFinite(score) ? score : 0));
  return s < 0.5 ? mix("#d73027", "#fee08b", s / 0.5) : mix("#fee08b", "#1a9850", (s - 0.5) / 0.5);
}

/** Least pixel width of a heatmap, so that a README shows it at a readable size. */
export const HEATMAP_MIN_WIDTH = 600;

/**
 * The NIAH heatmap: columns are context lengths, rows needle depths (0% on top), each cell coloured by its mean
 * score and labelled with it in percent. Missing cells are grey. At least {@link HEATMAP_MIN_WIDTH} px wide.
 * @returns an SVG document; its `width`/`height` attributes give the pixel size.
 * @throws {RangeError} for no cells.
 */
export function niahHeatmapSvg(cells: readonly HeatmapCell[], options: ChartOptions = {}): string {
  if (cells.length === 0) throw new RangeError("Cannot draw a heatmap: cells must be non-empty, got 0");
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b);
  const left = 96;
  const right = 120; // colour bar and its labels
  const cw = Math.max(72, Math.ceil((HEATMAP_MIN_WIDTH - left - right) / lengths.length));
  const ch = 44;
  const top = options.title === undefined ? 24 : 52;
  const gridW = lengths.length * cw;
  const gridH = depths.length * ch;
  // room for the title: about 10 px per character of 17 px bold text
  const width = Math.max(HEATMAP_MIN_WIDTH, left + gridW + right, Math.ceil((options.title?.length ?? 0) * 10 + 40));
  const height = top + gridH + 62;
  let svg = svgOpen(width, height) + title(width, options.title);
  const byKey = new Map(cells.map((c) => [`${c.length}|${c.depth}`, c.score]));
  depths.forEach((d, r) => {
    svg += text(left - 10, top + r * ch + ch / 2 + 5, `${fmt(d)}%`, 'font-size="14" text-anchor="end"');
    lengths.forEach((l, c) => {
      const score = byKey.get(`${l}|${d}`);
      const x = left + c * cw;
      const y = top + r * ch;
      svg += `<rect class="cell" x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${score === undefined ? "#cccccc" : scoreColor(score)}" stroke="#ffffff" stroke-width="2"/>\n`;
      if (score !== undefined) svg += text(x + cw / 2, y + ch / 2 + 6, (score * 100).toFixed(0), 'font-size="17" text-anchor="middle"');
    });
  });
  lengths.forEach((l, c) => {
    svg += text(left + c * cw + cw / 2, top + gridH + 20, formatLength(l), 'font-size="14" text-anchor="middle"');
  });
  svg += text(left + gridW / 2, top + gridH + 46, "context length (tokens)", 'font-size="14" text-anchor="middle"');
  svg += yTitle(20, { x: left, y: top, w: gridW, h: gridH }, "needle depth", 14);
  // colour bar, 100 on top
  const bx = left + gridW + 28;
  const steps = 10;
  for (let i = 0; i < steps; i++) {
    svg += `<rect x="${bx}" y="${fmt(top + (i * gridH) / steps)}" width="18" height="${fmt(gridH / steps + 0.5)}" fill="${scoreColor(1 - (i + 0.5) / steps)}"/>\n`;
  }
  svg += text(bx + 24, top + 11, "100%", 'font-size="12"');
  svg += text(bx + 24, top + gridH, "0%", 'font-size="12"');
  return `${svg}</svg>\n`;
}

/**
 * Score (percent) versus context length, one line per series; lengths are evenly spaced categories, as RULER's
 * tables read.
 * @throws {RangeError} when no series has a point.
 */
export function scoreVsLengthSvg(series: readonly LengthSeries[], options: ChartOptions = {}): string {
  const lengths = [...new Set(series.flatMap((s) => s.points.map((p) => p.length)))].sort((a, b) => a - b);
  if (lengths.length === 0) throw new RangeError("Cannot draw score versus length: series must hold points, got none");
  const width = 560;
  const height = 340;
  const p: Panel = { x: 56, y: options.title === undefined ? 20 : 44, w: 340, h: 240 };
  const xAt = (l: number) => p.x + (lengths.length === 1 ? p.w / 2 : (lengths.indexOf(l) / (lengths.length - 1)) * (p.w - 40) + 20);
  const yAt = (s: number) => p.y + p.h - s * p.h;
  let svg = svgOpen(width, height) + title(width, options.title);
  svg += axes(p, lengths.map((l) => ({ at: xAt(l), label: formatLength(l) })), 0, 1, (v) => (v * 100).toFixed(0));
  svg += text(p.x + p.w / 2, p.y + p.h + 34, "context length (tokens)", 'font-size="12" text-anchor="middle"');
  svg += yTitle(16, p, "score");
  series.forEach((s, i) => {
    const color = paletteColor(i);
    const pts = [...s.points].sort((a, b) => a.length - b.length);
    svg += `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${pts.map((q) => `${fmt(xAt(q.length))},${fmt(yAt(q.score))}`).join(" ")}"/>\n`;
    for (const q of pts) svg += `<circle cx="${fmt(xAt(q.length))}" cy="${fmt(yAt(q.score))}" r="3" fill="${color}"/>\n`;
    const ly = p.y + 10 + i * 18;
    svg += `<line x1="${p.x + p.w + 16}" y1="${ly}" x2="${p.x + p.w + 36}" y2="${ly}" stroke="${color}" stroke-width="2"/>\n`;
    svg += text(p.x + p.w + 42, ly + 4, s.name, 'font-size="11"');
  });
  return `${svg}</svg>\n`;
}

/**
 * Rasterises an SVG document to PNG with `sharp` (loaded on first use), at the SVG's own pixel size times `scale`.
 * @example const png = await svgToPng(niahHeatmapSvg(cells));
 */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  const { default: sharp } = await import("sharp");
  const buf = await sharp(new TextEncoder().encode(svg), { density: 72 * scale }).png().toBuffer();
  return new Uint8Array(buf);
}
