import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bun = join(import.meta.dirname, "..", "node_modules", ".bin", "bun");

describe("scripts/fuzz-checkpoint.ts", () => {
  it("runs a short clean fuzz of the shipped M0 and reports a mutation that outlives the timeout as a hang", () => {
    const script = join(import.meta.dirname, "fuzz-checkpoint.ts");
    const clean = execFileSync(bun, [script, "--header", "40", "--whole", "20", "--seed", "3"], { encoding: "utf8", timeout: 120_000 });
    expect(clean).toMatch(/^header mutations: 40: \d+ CheckpointError, \d+ unchanged model, 0 failures/m);
    expect(clean).toMatch(/^whole mutations: 20: \d+ CheckpointError, \d+ unchanged model, 0 failures/m);
    expect(clean).toMatch(/^clean in /m);
    // A mutation that sleeps (--stall-at 2) is reported as a hang after the timeout, and the run goes on after it.
    let out = "";
    try {
      execFileSync(bun, [script, "--header", "5", "--whole", "0", "--timeout-ms", "2000", "--stall-at", "2"], { encoding: "utf8", timeout: 120_000 });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    expect(out).toMatch(/^header mutations: 5: \d+ CheckpointError, \d+ unchanged model, 1 failures/m);
    expect(out).toContain("FAIL header #2: no answer within 2000 ms (hang)");
  });
});
