import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { checkXml } from "./_testdata/xml-check.ts";
import { accuracyBarsSvg } from "./accuracy-bars-svg.ts";
import { svgToPng } from "./charts.ts";

// The README's demo table (short / long accuracy ± SE) for three of its models.
const groups = [
  { name: "M0", bars: [{ series: "short", value: 0.835, se: 0.019 }, { series: "long", value: 0.368, se: 0.024 }] },
  { name: "M0 θ×8", bars: [{ series: "short", value: 0.815, se: 0.019 }, { series: "long", value: 0.435, se: 0.025 }] },
  { name: "DPO", bars: [{ series: "short", value: 0.383, se: 0.024 }, { series: "long", value: 0.14, se: 0.017 }] },
];

describe("accuracyBarsSvg", () => {
  const svg = accuracyBarsSvg(groups, { title: "short and long accuracy" });
  const x = checkXml(svg);
  const bars = x.byClass.get("bar") ?? [];
  const errors = x.byClass.get("error-bar") ?? [];
  const values = groups.flatMap((g) => g.bars.map((b) => b.value));
  const ses = groups.flatMap((g) => g.bars.map((b) => b.se));

  it("draws one bar and one error bar per value", () => {
    expect(bars).toHaveLength(6);
    expect(errors).toHaveLength(6);
  });

  it("makes bar heights proportional to the values, on one baseline", () => {
    const heights = bars.map((b) => Number(b.height));
    const scale = (heights[0] as number) / (values[0] as number);
    heights.forEach((h, i) => expect(h / (values[i] as number)).toBeCloseTo(scale, 1));
    const bottoms = new Set(bars.map((b) => (Number(b.y) + Number(b.height)).toFixed(1)));
    expect(bottoms.size).toBe(1);
  });

  it("spans ±1 standard error around each bar's top", () => {
    const scale = Number(bars[0]?.height) / (values[0] as number);
    errors.forEach((e, i) => {
      const top = Number(bars[i]?.y);
      expect(Math.abs(Number(e.y1) - Number(e.y2))).toBeCloseTo(2 * (ses[i] as number) * scale, 1);
      expect((Number(e.y1) + Number(e.y2)) / 2).toBeCloseTo(top, 1);
    });
  });

  it("labels each bar with its percent and rasterises at the SVG's size", async () => {
    for (const v of ["83.5", "36.8", "14.0"]) expect(svg).toContain(`>${v}</text>`);
    const meta = await sharp(await svgToPng(svg)).metadata();
    expect([meta.width, meta.height]).toEqual([Number(x.rootAttributes.width), Number(x.rootAttributes.height)]);
    expect(meta.width).toBeGreaterThanOrEqual(600);
  });

  it("refuses groups without bars", () => {
    expect(() => accuracyBarsSvg([{ name: "M0", bars: [] }])).toThrow(RangeError);
  });
});
