import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { expectClose, useBackend } from "./_backends.ts";

describe("README quick start", () => {
  it("is the tested example file, and it prints what the README says", async () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const example = readFileSync(join(import.meta.dirname, "_testdata", "quick-start.ts"), "utf8");
    const block = /## Quick start\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(example);
    await useBackend("cpu"); // _backends.ts also registers wasm, which would otherwise be the default
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("./_testdata/quick-start.ts");
    // Pair 0: Δ = (−10 + 12) − 0 = 2, z = 1 → log(1 + e⁻¹) = 0.3132616875; rewards 0.5 and −0.5.
    // Pair 1: Δ = (−7 + 6) − 0 = −1, z = −0.5 → log(1 + e^0.5) = 0.9740769842; rewards 0 and 0.5.
    // Means: chosen 0.25, rejected 0, margins 0.25, accuracies 1/2.
    const [losses, metrics] = log.mock.calls[0] as [number[], Record<string, number>];
    expectClose(losses, [0.31326168751822286, 0.9740769841801067]);
    expectClose(metrics, { "rewards/chosen": 0.25, "rewards/rejected": 0, "rewards/margins": 0.25, "rewards/accuracies": 0.5 });
    log.mockRestore();
  });
});
