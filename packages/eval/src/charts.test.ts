import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { checkXml } from "./_testdata/xml-check.ts";
import { escapeXml, formatLength, niahHeatmapSvg, scoreColor, scoreVsLengthSvg, svgToPng } from "./charts.ts";
import { trainingCurvesSvg } from "./training-curves-svg.ts";

async function pngSize(png: Uint8Array): Promise<{ width?: number; height?: number; format?: string }> {
  const m = await sharp(png).metadata();
  return { width: m.width, height: m.height, format: m.format };
}

describe("chart helpers", () => {
  it("escapes the five XML special characters", () => {
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });

  it("formats token lengths as people write them", () => {
    expect([900, 1024, 1536, 4096, 131072, 1048576].map(formatLength)).toEqual(["900", "1K", "1.5K", "4K", "128K", "1M"]);
  });

  it("colours 0 red, 0.5 yellow and 1 green", () => {
    expect([scoreColor(0), scoreColor(0.5), scoreColor(1), scoreColor(Number.NaN)]).toEqual(["#d73027", "#fee08b", "#1a9850", "#d73027"]);
  });

  it("rejects XML that is not well-formed (so the chart checks can fail)", () => {
    expect(() => checkXml("<svg><g></svg>")).toThrow();
    expect(() => checkXml('<svg><text x="1">a & b</text></svg>')).toThrow();
    expect(() => checkXml('<svg a="1" a="2"/>')).toThrow();
  });
});

describe("niahHeatmapSvg", () => {
  const cells = [1024, 4096, 16384].flatMap((length) => [0, 33, 67, 100].map((depth) => ({ length, depth, score: depth === 33 && length > 2000 ? 0.4 : 1 })));
  const svg = niahHeatmapSvg(cells, { title: "NIAH <single> & co" });

  it("is a well-formed SVG with one cell per length and depth", () => {
    const x = checkXml(svg);
    expect(x.root).toBe("svg");
    expect(x.classes.get("cell")).toBe(12);
  });

  it("is at least 600 px wide, and names its title", () => {
    const x = checkXml(niahHeatmapSvg([{ length: 64, depth: 50, score: 0.5 }], { title: "M0 θ×8: accuracy" }));
    expect(Number(x.rootAttributes.width)).toBeGreaterThanOrEqual(600);
    expect(niahHeatmapSvg([{ length: 64, depth: 50, score: 0.5 }], { title: "M0 θ×8: accuracy" })).toContain(">M0 θ×8: accuracy</text>");
  });

  it("rasterises to a PNG of the SVG's size", async () => {
    const x = checkXml(svg);
    const size = await pngSize(await svgToPng(svg));
    expect(size).toEqual({ width: Number(x.rootAttributes.width), height: Number(x.rootAttributes.height), format: "png" });
    const double = await pngSize(await svgToPng(svg, 2));
    expect(double.width).toBe(2 * Number(x.rootAttributes.width));
  });
});

describe("scoreVsLengthSvg", () => {
  it("draws one line per series", async () => {
    const svg = scoreVsLengthSvg([
      { name: "base", points: [{ length: 4096, score: 0.9 }, { length: 1024, score: 1 }, { length: 16384, score: 0.3 }] },
      { name: "LongPO", points: [{ length: 1024, score: 1 }, { length: 4096, score: 0.95 }, { length: 16384, score: 0.8 }] },
    ]);
    const x = checkXml(svg);
    expect(x.classes.get("series")).toBe(2);
    expect(await pngSize(await svgToPng(svg))).toEqual({ width: 560, height: 340, format: "png" });
  });

  it("refuses to draw without points", () => {
    expect(() => trainingCurvesSvg([{ step: 1 }])).toThrow(RangeError);
    expect(() => scoreVsLengthSvg([])).toThrow(RangeError);
    expect(() => niahHeatmapSvg([])).toThrow(RangeError);
  });
});
