import { availableParallelism } from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkWorkerCount, defaultWorkerCount } from "./worker-count.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("worker count", () => {
  it("defaults to every core when LONGPO_WORKERS is unset, and to LONGPO_WORKERS when set", () => {
    vi.stubEnv("LONGPO_WORKERS", "");
    expect(defaultWorkerCount()).toBe(Math.min(64, availableParallelism()));
    vi.stubEnv("LONGPO_WORKERS", "3");
    expect(defaultWorkerCount()).toBe(3);
    vi.stubEnv("LONGPO_WORKERS", "0");
    expect(() => defaultWorkerCount()).toThrow("Cannot use LONGPO_WORKERS=0: it must be an integer from 1 to 64");
  });

  it("accepts 1 to 64 and refuses 0, 1.5 and 65", () => {
    expect(checkWorkerCount(1)).toBe(1);
    expect(checkWorkerCount(64)).toBe(64);
    for (const n of [0, 1.5, 65, Number.NaN]) expect(() => checkWorkerCount(n)).toThrow(/it must be an integer from 1 to 64/);
  });
});
