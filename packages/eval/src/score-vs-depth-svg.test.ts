import { describe, expect, it } from "vitest";
import { checkXml } from "./_testdata/xml-check.ts";
import { scoreVsDepthSvg } from "./score-vs-depth-svg.ts";

// The README's long-input accuracy by depth for M0 and M0 θ×8.
const series = [
  { name: "M0", points: [{ depth: 12.5, score: 0.2, se: 0.04 }, { depth: 37.5, score: 0.21, se: 0.041 }, { depth: 62.5, score: 0.4, se: 0.049 }, { depth: 87.5, score: 0.66, se: 0.047 }] },
  { name: "M0 θ×8", points: [{ depth: 87.5, score: 0.22 }, { depth: 12.5, score: 0.35 }, { depth: 37.5, score: 0.64 }, { depth: 62.5, score: 0.53 }] },
];

describe("scoreVsDepthSvg", () => {
  const svg = scoreVsDepthSvg(series, { title: "long accuracy by depth" });
  const x = checkXml(svg);
  const points = x.byClass.get("point") ?? [];

  it("draws every model on one axis: a line and a marker per depth", () => {
    expect(x.classes.get("series")).toBe(2);
    expect(points).toHaveLength(8);
    expect(x.classes.get("error-bar")).toBe(4); // only M0 carries standard errors
  });

  it("places markers at heights linear in the scores, in depth order", () => {
    const scores = [0.2, 0.21, 0.4, 0.66, 0.35, 0.64, 0.53, 0.22]; // each series sorted by depth
    const cy = points.map((p) => Number(p.cy));
    const slope = ((cy[3] as number) - (cy[0] as number)) / (0.66 - 0.2);
    cy.forEach((y, i) => expect(y).toBeCloseTo((cy[0] as number) + slope * ((scores[i] as number) - 0.2), 1));
    expect(slope).toBeLessThan(0); // higher score, higher on the page
    const cx = points.slice(0, 4).map((p) => Number(p.cx));
    expect([...cx].sort((a, b) => a - b)).toEqual(cx);
  });

  it("labels depths in percent and names every series", () => {
    for (const s of ["12.5%", "87.5%", "M0 θ×8"]) expect(svg).toContain(`>${s}</text>`);
  });

  it("refuses series without points", () => {
    expect(() => scoreVsDepthSvg([{ name: "M0", points: [] }])).toThrow(RangeError);
  });
});
