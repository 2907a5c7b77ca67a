import { describe, expect, it } from "vitest";
import { createProgress, formatDuration } from "./progress.ts";

describe("createProgress", () => {
  it("logs plain lines with rate and ETA when not on a terminal, at most once per interval", () => {
    let t = 0;
    const lines: string[] = [];
    const p = createProgress("train", 10, { terminal: false, now: () => t, write: (s) => lines.push(s), logIntervalSeconds: 10 });
    t = 2000;
    p.update(1, "loss 2.0"); // 1 unit in 2 s: 2.0 s/it, 9 left → eta 0:18
    t = 3000;
    p.update(2);
    t = 20_000;
    p.update(10);
    p.finish();
    expect(lines).toEqual([
      "train: 10% 1/10 2.0s/it elapsed 0:02 eta 0:18 loss 2.0\n",
      "train: 100% 10/10 2.0s/it elapsed 0:20 eta 0:00\n", // 10 in 20 s
    ]);
  });

  it("redraws one bar in place on a terminal", () => {
    const out: string[] = [];
    const p = createProgress("gen", 4, { terminal: true, now: () => 1000, write: (s) => out.push(s) });
    p.update(2);
    p.finish();
    expect(out[0]).toMatch(/^\r\x1b\[2Kgen \[#{12}-{12}\] 2\/4/);
    expect(out.at(-1)?.endsWith("\n")).toBe(true);
  });
});

describe("formatDuration", () => {
  it("formats minutes and hours", () => {
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
