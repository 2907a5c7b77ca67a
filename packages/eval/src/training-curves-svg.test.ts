import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { checkXml } from "./_testdata/xml-check.ts";
import { svgToPng } from "./charts.ts";
import { emaSmooth, trainingCurvesSvg, trainingRunsSvg } from "./training-curves-svg.ts";

describe("emaSmooth", () => {
  it("matches the debiased EMA worked by hand", () => {
    // w = 0.5: m1 = 0.5·1 = 0.5, /(1 − 0.5) = 1; m2 = 0.25 + 1.5 = 1.75, /(1 − 0.25) = 2.3333; m3 = 0.875 + 0.5·(−1) = 0.375, /(1 − 0.125) = 0.428571
    const s = emaSmooth([1, 3, -1], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(7 / 3, 12);
    expect(s[2]).toBeCloseTo(0.375 / 0.875, 12);
  });

  it("returns the values themselves at weight 0 and a constant for a constant", () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    emaSmooth([0.7, 0.7, 0.7, 0.7], 0.9).forEach((v) => expect(v).toBeCloseTo(0.7, 12));
    expect(() => emaSmooth([1], 1)).toThrow(RangeError);
  });
});

describe("trainingRunsSvg", () => {
  const longpo = Array.from({ length: 20 }, (_, step) => ({ step, loss: 1 - step * 0.02 + (step % 2 === 0 ? 0.1 : -0.1), "rewards/margins": step * 0.05 }));
  const sft = Array.from({ length: 20 }, (_, step) => ({ step, loss: 0.9 - step * 0.01 }));
  const svg = trainingRunsSvg([{ name: "LongPO", rows: longpo }, { name: "SFT", rows: sft }], ["loss", "rewards/margins"], { title: "curves", smoothing: 0.6 });
  const x = checkXml(svg);

  it("overlays the runs: one smoothed line per run and panel, a faint point per raw value", () => {
    expect(x.classes.get("curve")).toBe(3); // loss: LongPO and SFT; margins: LongPO only
    expect(x.classes.get("raw")).toBe(20 + 20 + 20);
    for (const name of ["LongPO", "SFT", "loss", "rewards/margins"]) expect(svg).toContain(`>${name}</text>`);
  });

  it("draws the EMA of the raw values, on the raw points' scale", () => {
    const raw = (x.byClass.get("raw") ?? []).slice(0, 20).map((c) => Number(c.cy)); // LongPO's loss points
    const curve = (x.byClass.get("curve")?.[0]?.points ?? "").split(" ").map((q) => Number(q.split(",")[1]));
    const values = longpo.map((r) => r.loss);
    // pixel y is affine in the value: recover it from two raw points, then map the hand-checked EMA through it
    const slope = ((raw[1] as number) - (raw[0] as number)) / ((values[1] as number) - (values[0] as number));
    const at = (v: number) => (raw[0] as number) + slope * (v - (values[0] as number));
    emaSmooth(values, 0.6).forEach((v, i) => expect(curve[i]).toBeCloseTo(at(v), 1));
  });

  it("rasterises to a PNG of the SVG's size", async () => {
    const meta = await sharp(await svgToPng(svg)).metadata();
    expect([meta.width, meta.height]).toEqual([Number(x.rootAttributes.width), Number(x.rootAttributes.height)]);
  });
});

describe("trainingCurvesSvg", () => {
  it("draws one panel per training metric present", async () => {
    const rows = Array.from({ length: 20 }, (_, step) => ({ step, loss: 0.7 - step * 0.01, "rewards/margins": step * 0.05, "rewards/accuracies": Math.min(1, step / 10) }));
    const svg = trainingCurvesSvg([...rows, { step: 20, loss: 0.5 }]);
    const x = checkXml(svg);
    expect(x.classes.get("curve")).toBe(3);
    expect(x.classes.get("raw")).toBe(21 + 20 + 20);
  });

  it("refuses to draw without points", () => {
    expect(() => trainingCurvesSvg([{ step: 1 }])).toThrow(RangeError);
  });
});
