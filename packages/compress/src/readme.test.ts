import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

describe("README quick start", () => {
  it("is the tested example file, and it prints what the README says", async () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const example = readFileSync(join(import.meta.dirname, "_testdata", "quick-start.ts"), "utf8");
    const block = /## Quick start\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(example);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("./_testdata/quick-start.ts");
    expect(log.mock.calls[0]).toEqual([
      4,
      28,
      ["Long live the queen.\n\n", "The queen drinks the wine."],
      {
        text: "The king is dead. queen drinks the wine.",
        tokens: 10,
        spans: [
          { start: 0, end: 17 },
          { start: 70, end: 93 },
        ],
      },
    ]);
    log.mockRestore();
  });
});
