import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { demoDocs, fileSlug, writeDemoCharts } from "./demo-charts.ts";
import { type DemoRow } from "./demo-table.ts";
import { DemoConfig } from "./run-demo.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** A row with the README's numbers (percent → accuracy), 400 examples per length. */
function row(model: string, short: number, long: number, byDepth: number[]): DemoRow {
  const score = (length: number, p: number, depths: Record<string, number>) => ({ length, accuracy: p / 100, se: Math.sqrt((p / 100) * (1 - p / 100) / 400), n: 400, byDepth: depths });
  const depths = Object.fromEntries(["12.5", "37.5", "62.5", "87.5"].map((d, i) => [d, (byDepth[i] ?? 0) / 100]));
  return { model, ropeTheta: 10000, short: score(64, short, depths), long: score(256, long, depths) };
}

const rows = [
  row("M0", 83.5, 36.8, [20, 21, 40, 66]),
  row("M0 θ×8", 81.5, 43.5, [35, 64, 53, 22]),
  row("LongPO", 81.0, 35.0, [34, 47, 42, 17]),
  row("SFT", 82.5, 37.8, [37, 53, 44, 17]),
  row("DPO", 38.3, 14.0, [12, 18, 15, 11]),
];
// SFT has no preference metrics; the diagnostics come every 5th step (the cosine only where there is a preference term).
const curves = ["LongPO", "SFT", "DPO"].map((label, k) => ({
  label,
  rows: Array.from({ length: 10 }, (_, step) => ({
    step: step + 1,
    loss: 1 - 0.05 * step + 0.1 * k,
    ...(label === "SFT" ? {} : { "rewards/accuracies": 0.1 * step }),
    ...((step + 1) % 5 !== 0 ? {} : label === "SFT" ? { "diag/grad_norm_nll": 2 } : { "diag/grad_norm_nll": 2, "diag/cos_nll_pref": 0.5 + 0.1 * k }),
  })),
}));

describe("fileSlug", () => {
  it("spells θ and × out and keeps names ASCII", () => {
    expect(["M0 θ×8", "M0", "LongPO", "M0 θ×1.5", "a/b c", "LongPO λ 0 seed 1"].map(fileSlug))
      .toEqual(["M0-theta-x8", "M0", "LongPO", "M0-theta-x1.5", "a-b-c", "LongPO-lambda-0-seed-1"]);
  });
});

describe("writeDemoCharts", () => {
  it("writes every chart the README embeds, as ASCII-named PNGs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-charts-"));
    try {
      const written = (await writeDemoCharts(dir, rows, curves, { formats: ["png"] })).map((p) => p.slice(dir.length + 1));
      expect(written).toEqual(["comparison.png", "accuracy-by-depth.png", "training-curves.png", ...rows.map((r) => `niah-${fileSlug(r.model)}.png`)]);
      for (const name of written) expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
      const readme = await readFile(join(root, "README.md"), "utf8");
      const embedded = [...readme.matchAll(/docs\/demo\/([^)\s]+\.png)/g)].map((m) => m[1]);
      expect(embedded.length).toBeGreaterThan(0);
      for (const name of embedded) expect(written).toContain(name);
      const png = await readFile(join(dir, "comparison.png"));
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(600); // IHDR width
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("draws the table's numbers: five groups of two bars with their standard errors, and the depth lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-charts-"));
    try {
      await writeDemoCharts(dir, rows, curves, { formats: ["svg"] });
      const bars = await readFile(join(dir, "comparison.svg"), "utf8");
      expect(bars.match(/class="bar"/g)).toHaveLength(10);
      for (const v of ["83.5", "36.8", "43.5", "38.3", "14.0"]) expect(bars).toContain(`>${v}</text>`);
      const depth = await readFile(join(dir, "accuracy-by-depth.svg"), "utf8");
      expect(depth.match(/class="series"/g)).toHaveLength(5);
      expect(depth.match(/class="error-bar"/g)).toHaveLength(20);
      const training = await readFile(join(dir, "training-curves.svg"), "utf8");
      // loss and ‖∇NLL‖: three rows each; accuracies and cos(∇NLL, ∇pref): LongPO and DPO
      expect(training.match(/class="curve"/g)).toHaveLength(3 + 2 + 3 + 2);
      expect(training).toContain(">diag/cos_nll_pref</text>");
      expect(await readFile(join(dir, "niah-M0-theta-x8.svg"), "utf8")).toContain(">M0 θ×8: accuracy by length × depth</text>");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("demoDocs", () => {
  it("redraws a run's charts as PNGs from its summary and metrics, and drops stale PNGs", async () => {
    const run = await mkdtemp(join(tmpdir(), "demo-docs-"));
    try {
      const report = join(run, "report");
      const docs = join(run, "docs");
      await mkdir(report, { recursive: true });
      await mkdir(docs);
      await writeFile(join(docs, "niah-M0-8.png"), "stale");
      const summary = {
        config: DemoConfig.parse({}), backend: "wasm", m0Theta: 10000, bestThetaFactor: 8, thetaSweep: [], pairs: {}, rows,
        phases: [{ name: "eval", seconds: 1 }], wallSeconds: 1, reportDir: report, files: [],
      };
      await writeFile(join(report, "summary.json"), JSON.stringify(summary));
      await writeFile(join(report, "metrics-longpo-seed1.jsonl"), '{"step":1,"loss":1}\n{"step":2,"loss":0.5}\n');
      await writeFile(join(report, "metrics-sft-seed1.jsonl"), '{"step":1,"loss":2}\n');
      await writeFile(join(report, "metrics-sft-seed2.jsonl"), '{"step":1,"loss":9}\n'); // only the first seed is drawn
      const r = await demoDocs(run, docs);
      expect(r.rows.map((x) => x.model)).toEqual(rows.map((x) => x.model));
      expect(r.removed).toEqual([join(docs, "niah-M0-8.png")]);
      expect((await readdir(docs)).sort()).toEqual(["accuracy-by-depth.png", "comparison.png", "niah-DPO.png", "niah-LongPO.png", "niah-M0-theta-x8.png", "niah-M0.png", "niah-SFT.png", "training-curves.png"]);
      await writeDemoCharts(run, rows, [], { formats: ["svg"] }); // no curves: no training chart
      expect((await readdir(run)).filter((f) => f.startsWith("training"))).toEqual([]);
      await expect(demoDocs(docs, docs)).rejects.toThrow(/no summary.json/);
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});
