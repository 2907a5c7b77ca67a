import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { mulberry32 } from "./mulberry32.ts";

describe("README quick start", () => {
  it("is the tested example file, and it prints what the README says", async () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const example = readFileSync(join(import.meta.dirname, "_testdata", "quick-start.ts"), "utf8");
    expect(/## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]).toBe(example);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("./_testdata/quick-start.ts");
    const printed = log.mock.calls.map((c) => c.join(" "));
    log.mockRestore();
    // Fisher–Yates with mulberry32(42): i = 2 swaps with floor(u₁·3), i = 1 with floor(u₂·2).
    const r = mulberry32(42);
    const order = [1, 2, 3];
    for (let i = 2; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    expect(printed).toEqual(order.map((n, i) => `${i + 1} {"n":${n}}`));
    expect(readme).toContain(`prints \`${printed.map((p) => p.slice(2)).join("`, `")}\``);
  });
});
