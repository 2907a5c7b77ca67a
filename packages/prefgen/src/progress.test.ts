import { describe, expect, it } from "vitest";
import { createProgress, formatDuration, startOverallProgress } from "./progress.ts";

function fakeSink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (t: string) => void writes.push(t) } };
}

describe("createProgress", () => {
  it("off a terminal it logs a line with rate and ETA at most once per interval, and the line at 100% once", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const p = createProgress("train", 10, { sink, now: () => t, intervalMs: 10_000 });
    t = 2000;
    p.update(1, "loss 2.0"); // first update always prints: 1 unit in 2 s = 2.0 s/it, 9 left → eta 0:18
    t = 3000;
    p.update(2); // within 10 s of the last line: silent
    t = 20_000;
    p.update(10); // the end always prints: 10 in 20 s
    p.finish(); // already logged at 100%: silent
    expect(writes).toEqual([
      "train: 10% 1/10 2.0s/it elapsed 0:02 eta 0:18 loss 2.0\n",
      "train: 100% 10/10 2.0s/it elapsed 0:20 eta 0:00\n",
    ]);
  });

  it("counts relative ticks against a total set later", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const p = createProgress("responses", undefined, { sink, intervalMs: 5000, now: () => t });
    p.setTotal(100);
    t = 2000;
    p.tick(10); // 10 items in 2 s = 5.0/s, 90 left → 18 s
    t = 3000;
    p.tick(10);
    t = 8000;
    p.tick(20); // 40 in 8 s = 5.0/s, 60 left → 12 s
    expect(writes).toEqual(["responses: 10% 10/100 5.0/s elapsed 0:02 eta 0:18\n", "responses: 40% 40/100 5.0/s elapsed 0:08 eta 0:12\n"]);
  });

  it("on a terminal it redraws one bar in place and ends the line when finished", () => {
    let t = 0;
    const { writes, sink } = fakeSink(true);
    const p = createProgress("scores", 4, { sink, now: () => t });
    t = 1000;
    p.tick(2);
    p.finish("kept 4");
    expect(writes[0]).toBe("\r\x1b[2Kscores [############------------] 2/4 2.0/s elapsed 0:01 eta 0:01");
    expect(writes[1]?.endsWith("kept 4\n")).toBe(true);
  });

  it("on a narrow terminal it narrows the bar, then cuts the line to fit one row", () => {
    const writes: string[] = [];
    const sink = { isTTY: true, columns: 60, write: (t: string) => void writes.push(t) };
    const p = createProgress("pairs: reference (rejected)", 1166, { sink, now: () => 1000 });
    p.update(583);
    const line = (writes[0] ?? "").replace("\r\x1b[2K", "");
    expect(line.length).toBe(59);
    expect(line).toMatch(/^pairs: reference \(rejected\) \[#{4}-{4}\] 583\/1166 /); // 8 columns, half filled
  });

  it("without a total it shows the count and rate only", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const p = createProgress("chunks", undefined, { sink, now: () => t });
    t = 4000;
    p.tick(8);
    expect(writes).toEqual(["chunks: 8 2.0/s elapsed 0:04\n"]);
  });

  it("prints a partial count when finished early, so a short bar shows its real total", () => {
    const { writes, sink } = fakeSink(false);
    const p = createProgress("chosen", 1280, { sink, now: () => 1000 });
    p.update(1188);
    p.finish();
    expect(writes.at(-1)).toMatch(/^chosen: 93% 1188\/1280 /);
  });
});

describe("startOverallProgress", () => {
  it("weights each phase by its cost, prefixes every bar, and estimates the time left from the share done", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const overall = startOverallProgress("demo", [{ label: "eval M0", cost: 20 }, { label: "eval M0 θ×*", cost: 20 }, { label: "train longpo", cost: 60 }], { sink, now: () => t });
    try {
      const evalBar = createProgress("eval M0", 800, { sink, now: () => t });
      t = 10_000;
      evalBar.update(400); // half of a 20-cost step out of 100: 10%, 10 s elapsed → 90 s left
      expect(overall.fraction()).toBeCloseTo(0.1, 12);
      expect(writes.at(-1)).toBe("[demo 10% eta 1:30] eval M0: 50% 400/800 40.0/s elapsed 0:10 eta 0:10\n");
      evalBar.finish();
      // the θ×8 evaluation is skipped (best factor 1): entering training counts it as done
      const train = createProgress("train longpo", 80, { sink, now: () => t });
      expect(overall.fraction()).toBeCloseTo(0.4, 12);
      t = 20_000;
      train.update(40); // 40 + 60 · 0.5 = 70%, 20 s elapsed → 20 · 0.3 / 0.7 = 8.57 s left
      expect(overall.fraction()).toBeCloseTo(0.7, 12);
      expect(overall.status()).toBe("[demo 70% eta 0:09]");
      createProgress("something else", 1, { sink }).finish();
      expect(overall.unmatched).toEqual(["something else"]);
    } finally {
      overall.finish();
    }
    expect(writes.at(-1)).toBe("demo: done in 0:20\n");
    const after = fakeSink(false);
    createProgress("eval M0", 1, { sink: after.sink }).update(1);
    expect(after.writes[0]?.startsWith("eval M0: 100%")).toBe(true); // no prefix once finished
  });
});

describe("formatDuration", () => {
  it("formats seconds, minutes and hours", () => {
    expect([formatDuration(12.4), formatDuration(65), formatDuration(3723), formatDuration(Infinity)]).toEqual(["0:12", "1:05", "1:02:03", "?"]);
  });
});
