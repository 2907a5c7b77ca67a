import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { pinnedTrajectory } from "./_trajectory.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("pinned trajectory", () => {
  it("a tiny fixed-seed Llama trained 20 LongPO steps matches the committed losses", async () => {
    const pinned = JSON.parse(await readFile(join(import.meta.dirname, "_testdata", "trajectory.json"), "utf8")) as { loss: number[]; margins: number[] };
    const now = await pinnedTrajectory();
    expect(now.loss).toHaveLength(20);
    // 5e-5: float32 summation-order changes in kernels move losses of ~3–5 by ~1e-6; a trainer change moves them far more.
    now.loss.forEach((l, i) => expect(l).toBeCloseTo(pinned.loss[i] as number, 4));
    now.margins.forEach((m, i) => expect(m).toBeCloseTo(pinned.margins[i] as number, 4));
  });
});
