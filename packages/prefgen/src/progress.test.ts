import { describe, expect, it } from "vitest";
import { createProgress, formatDuration } from "./progress.ts";

function fakeSink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (t: string) => void writes.push(t) } };
}

describe("progress", () => {
  it("off a terminal it logs a line with rate and ETA at most once per interval", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const p = createProgress("responses", { sink, intervalMs: 5000, now: () => t });
    p.setTotal(100);
    t = 2000;
    p.tick(10); // first tick always prints: 10 items in 2 s = 5.0/s, 90 left → 18 s
    t = 3000;
    p.tick(10); // within 5 s of the last line: silent
    t = 8000;
    p.tick(20); // 40 in 8 s = 5.0/s, 60 left → 12 s
    expect(writes).toEqual(["responses: 10/100 (10.0%) 5.0/s ETA 18s\n", "responses: 40/100 (40.0%) 5.0/s ETA 12s\n"]);
  });

  it("on a terminal it redraws one bar in place and ends the line when done", () => {
    let t = 0;
    const { writes, sink } = fakeSink(true);
    const p = createProgress("scores", { sink, now: () => t });
    p.setTotal(4);
    t = 1000;
    p.tick(2);
    p.done("kept 4");
    expect(writes[0]).toBe("\r\x1b[2Kscores [############------------] 2/4 (50.0%) 2.0/s ETA 1s");
    expect(writes[1]?.endsWith("kept 4\n")).toBe(true);
  });

  it("without a total it shows the count and rate only", () => {
    let t = 0;
    const { writes, sink } = fakeSink(false);
    const p = createProgress("chunks", { sink, now: () => t });
    t = 4000;
    p.tick(8);
    expect(writes).toEqual(["chunks: 8 2.0/s elapsed 4s\n"]);
  });

  it("formats durations in seconds, minutes and hours", () => {
    expect([formatDuration(12.4), formatDuration(185), formatDuration(3720), formatDuration(Infinity)]).toEqual(["12s", "3m05s", "1h02m", "?"]);
  });
});
