// SVG charts of evaluation results: NIAH heatmap (length × depth), score versus length, training curves.

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

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, "");
}

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

function svgOpen(width: number, height: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="${width}" height="${height}" fill="#ffffff"/>\n`;
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" ${FONT} ${attrs}>${escapeXml(s)}</text>\n`;
}

/**
 * The NIAH heatmap: columns are context lengths, rows needle depths (0% on top), each cell coloured by its mean
 * score and labelled with it in percent. Missing cells are grey.
 * @returns an SVG document; its `width`/`height` attributes give the pixel size.
 * @throws {RangeError} for no cells.
 */
export function niahHeatmapSvg(cells: readonly HeatmapCell[], options: ChartOptions = {}): string {
  if (cells.length === 0) throw new RangeError("Cannot draw a heatmap: cells must be non-empty, got 0");
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b);
  const cw = 56;
  const ch = 26;
  const left = 70;
  const top = options.title === undefined ? 20 : 44;
  const gridW = lengths.length * cw;
  const gridH = depths.length * ch;
  // room for the title: about 9 px per character of 15 px bold text
  const width = Math.max(left + gridW + 90, Math.ceil((options.title?.length ?? 0) * 9 + 20));
  const height = top + gridH + 50;
  let svg = svgOpen(width, height);
  if (options.title !== undefined) svg += text(width / 2, 26, options.title, 'font-size="15" text-anchor="middle" font-weight="bold"');
  const byKey = new Map(cells.map((c) => [`${c.length}|${c.depth}`, c.score]));
  depths.forEach((d, r) => {
    svg += text(left - 8, top + r * ch + ch / 2 + 4, `${fmt(d)}%`, 'font-size="11" text-anchor="end"');
    lengths.forEach((l, c) => {
      const score = byKey.get(`${l}|${d}`);
      const x = left + c * cw;
      const y = top + r * ch;
      svg += `<rect class="cell" x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${score === undefined ? "#cccccc" : scoreColor(score)}" stroke="#ffffff"/>\n`;
      if (score !== undefined) svg += text(x + cw / 2, y + ch / 2 + 4, (score * 100).toFixed(0), 'font-size="11" text-anchor="middle"');
    });
  });
  lengths.forEach((l, c) => {
    svg += text(left + c * cw + cw / 2, top + gridH + 16, formatLength(l), 'font-size="11" text-anchor="middle"');
  });
  svg += text(left + gridW / 2, top + gridH + 38, "context length (tokens)", 'font-size="12" text-anchor="middle"');
  svg += text(14, top + gridH / 2, "needle depth", `font-size="12" text-anchor="middle" transform="rotate(-90 14 ${fmt(top + gridH / 2)})"`);
  // colour bar, 100 on top
  const bx = left + gridW + 24;
  const steps = 10;
  for (let i = 0; i < steps; i++) {
    svg += `<rect x="${bx}" y="${fmt(top + (i * gridH) / steps)}" width="14" height="${fmt(gridH / steps + 0.5)}" fill="${scoreColor(1 - (i + 0.5) / steps)}"/>\n`;
  }
  svg += text(bx + 20, top + 9, "100", 'font-size="10"');
  svg += text(bx + 20, top + gridH, "0", 'font-size="10"');
  return `${svg}</svg>\n`;
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
}

function axes(p: Panel, xTicks: readonly { at: number; label: string }[], yLo: number, yHi: number, yLabel: (v: number) => string): string {
  let svg = `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#333333"/>\n`;
  for (const v of niceTicks(yLo, yHi)) {
    const y = p.y + p.h - ((v - yLo) / (yHi - yLo || 1)) * p.h;
    svg += `<line x1="${p.x}" y1="${fmt(y)}" x2="${p.x + p.w}" y2="${fmt(y)}" stroke="#e5e5e5"/>\n`;
    svg += text(p.x - 6, y + 4, yLabel(v), 'font-size="10" text-anchor="end"');
  }
  for (const t of xTicks) svg += text(t.at, p.y + p.h + 15, t.label, 'font-size="10" text-anchor="middle"');
  return svg;
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
  let svg = svgOpen(width, height);
  if (options.title !== undefined) svg += text(width / 2, 26, options.title, 'font-size="15" text-anchor="middle" font-weight="bold"');
  svg += axes(p, lengths.map((l) => ({ at: xAt(l), label: formatLength(l) })), 0, 1, (v) => (v * 100).toFixed(0));
  svg += text(p.x + p.w / 2, p.y + p.h + 34, "context length (tokens)", 'font-size="12" text-anchor="middle"');
  svg += text(16, p.y + p.h / 2, "score", `font-size="12" text-anchor="middle" transform="rotate(-90 16 ${fmt(p.y + p.h / 2)})"`);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts = [...s.points].sort((a, b) => a.length - b.length);
    svg += `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${pts.map((q) => `${fmt(xAt(q.length))},${fmt(yAt(q.score))}`).join(" ")}"/>\n`;
    for (const q of pts) svg += `<circle cx="${fmt(xAt(q.length))}" cy="${fmt(yAt(q.score))}" r="3" fill="${color}"/>\n`;
    const ly = p.y + 10 + i * 18;
    svg += `<line x1="${p.x + p.w + 16}" y1="${ly}" x2="${p.x + p.w + 36}" y2="${ly}" stroke="${color}" stroke-width="2"/>\n`;
    svg += text(p.x + p.w + 42, ly + 4, s.name, 'font-size="11"');
  });
  return `${svg}</svg>\n`;
}

/** A parsed line of a training metrics JSONL: `step` and any numeric metrics. */
export type MetricsRow = Readonly<Record<string, number>>;

/**
 * Training curves, one panel per key against `step` (or the row index when rows lack `step`); rows without a
 * key leave a gap in that panel only.
 * @param keys default TRL's `loss`, `rewards/margins`, `rewards/accuracies`
 * @throws {RangeError} when no row holds any of the keys.
 */
export function trainingCurvesSvg(
  rows: readonly MetricsRow[],
  keys: readonly string[] = ["loss", "rewards/margins", "rewards/accuracies"],
  options: ChartOptions = {},
): string {
  const present = keys.filter((k) => rows.some((r) => Number.isFinite(r[k])));
  if (present.length === 0) throw new RangeError(`Cannot draw training curves: rows must hold one of ${keys.join(", ")}, got none`);
  const pw = 240;
  const ph = 170;
  const top = options.title === undefined ? 30 : 54;
  const width = 20 + present.length * (pw + 70);
  const height = top + ph + 50;
  let svg = svgOpen(width, height);
  if (options.title !== undefined) svg += text(width / 2, 26, options.title, 'font-size="15" text-anchor="middle" font-weight="bold"');
  const steps = rows.map((r, i) => r.step ?? i);
  const xLo = Math.min(...steps);
  const xHi = Math.max(...steps);
  present.forEach((key, i) => {
    const p: Panel = { x: 70 + i * (pw + 70), y: top, w: pw, h: ph };
    const pts = rows.flatMap((r, j) => (Number.isFinite(r[key]) ? [{ x: steps[j] as number, y: r[key] as number }] : []));
    let yLo = Math.min(...pts.map((q) => q.y));
    let yHi = Math.max(...pts.map((q) => q.y));
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
    svg += axes(p, xTicks, yLo, yHi, (v) => fmt(Number(v.toPrecision(3))));
    svg += text(p.x + p.w / 2, p.y - 8, key, 'font-size="12" text-anchor="middle" font-weight="bold"');
    svg += text(p.x + p.w / 2, p.y + p.h + 34, "step", 'font-size="11" text-anchor="middle"');
    svg += `<polyline class="curve" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5" points="${pts.map((q) => `${fmt(xAt(q.x))},${fmt(yAt(q.y))}`).join(" ")}"/>\n`;
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
