import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { oracleModel } from "./_testdata/oracles.ts";
import { toyTokenizer } from "./_testdata/toy-tokenizer.ts";
import { checkXml } from "./_testdata/xml-check.ts";
import { niahTask } from "./niah-task.ts";
import { passkeyTask } from "./passkey-task.ts";
import { heatmapCells, markdownReport, readMetricsJsonl, scoreByLength, writeReport } from "./report.ts";
import { runSuite, type SuiteResult } from "./run-suite.ts";

const tokenizer = toyTokenizer();

async function run(): Promise<SuiteResult> {
  const tasks = [niahTask({ tokenizer, lengths: [200, 400], depths: [0, 50, 100], seed: 11 }), passkeyTask({ tokenizer, lengths: [300], depths: [50] })];
  const failing = { ...passkeyTask({ tokenizer, lengths: [300], depths: [50], name: "broken" }), examples: () => { throw new Error("no data"); } };
  return runSuite(oracleModel(), { name: "smoke", tasks: [...tasks, failing] }, { seed: 5 });
}

describe("reports", () => {
  it("groups samples into heatmap cells and per-length scores", async () => {
    const r = await run();
    const niah = r.tasks[0];
    if (niah?.status !== "completed") throw new Error("expected completed");
    expect(heatmapCells(niah)).toHaveLength(6);
    expect(scoreByLength(niah).points).toEqual([{ length: 200, score: 1 }, { length: 400, score: 1 }]);
  });

  it("writes a Markdown table with a row per metric and the reason of an errored task", async () => {
    const md = markdownReport(await run());
    expect(md).toContain("| niah_single | string_match_all | 100.0 | 100.0–100.0 | 6 |");
    expect(md).toContain("| broken | errored | — | Error: no data | 0 |");
  });

  it("reports each context length apart, with its standard error", () => {
    const sample = (length: number, score: number, i: number) => ({ id: `s${i}`, metadata: { length }, scores: { exact_match: score }, prediction: "", target: [""] });
    const scores: [number, number][] = [[64, 1], [64, 1], [64, 0], [64, 1], [256, 0], [256, 1]];
    const result: SuiteResult = {
      suite: "demo", model: "M0", startedAt: "2026-01-01T00:00:00Z", durationMs: 1,
      options: { batchSize: 1, bootstrapSamples: 10, confidence: 0.95, seed: 1 },
      tasks: [{ status: "completed", task: "world-qa", kind: "generate", metrics: { exact_match: { mean: 4 / 6, ci: [0, 1], n: 6 } }, samples: scores.map(([l, s], i) => sample(l, s, i)), config: {}, durationMs: 1 }],
    };
    const md = markdownReport(result);
    // 64: 3 of 4 right, SE = sqrt(0.75 · 0.25 / 4) = 0.2165; 256: 1 of 2, SE = sqrt(0.25 / 2) = 0.3536
    expect(md).toContain("| world-qa | 64 | exact_match | 75.0 ± 21.7 | 4 |");
    expect(md).toContain("| world-qa | 256 | exact_match | 50.0 ± 35.4 | 2 |");
  });

  it("writes results JSON with options, seeds and task configs, and charts that decode", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-report-"));
    const written = await writeReport(dir, await run());
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(
      ["niah_single-heatmap.png", "niah_single-heatmap.svg", "results.json", "results.md", "score-vs-length.png", "score-vs-length.svg"],
    );
    const json = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as SuiteResult;
    expect(json.options.seed).toBe(5);
    const first = json.tasks[0];
    expect(first?.status === "completed" && first.config).toMatchObject({ task: "niah", seed: 11, lengths: [200, 400] });
    const svg = await readFile(join(dir, "niah_single-heatmap.svg"), "utf8");
    expect(svg).toContain(">oracle: niah_single (string_match_all)</text>"); // the model's name in the title
    const x = checkXml(svg);
    const meta = await sharp(join(dir, "niah_single-heatmap.png")).metadata();
    expect([meta.width, meta.height]).toEqual([Number(x.rootAttributes.width), Number(x.rootAttributes.height)]);
  });

  it("reads the numeric fields of a training metrics JSONL", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-metrics-"));
    const file = join(dir, "metrics.jsonl");
    await writeFile(file, '{"step":1,"loss":0.69,"rewards/margins":0,"phase":"train"}\n{"step":2,"loss":0.6}\n');
    expect(await readMetricsJsonl(file)).toEqual([{ step: 1, loss: 0.69, "rewards/margins": 0 }, { step: 2, loss: 0.6 }]);
    await writeFile(file, '{"step":1}\n[1,2]\n');
    await expect(readMetricsJsonl(file)).rejects.toThrow(/line 2/);
  });
});
