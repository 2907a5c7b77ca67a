import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bigramPolicy, loadTestPolicy } from "./_test-helpers.ts";
import { listCheckpoints } from "./trainer.ts";
import { readTrainerState } from "./trainer-state.ts";
import { wasmTempRoot } from "../_temp-root.ts";

const bun = join(import.meta.dirname, "..", "..", "..", "..", "node_modules", ".bin", "bun");
const root = wasmTempRoot("longpo-kill-");

describe("a SIGKILL during a checkpoint save", () => {
  it("leaves the previous checkpoint complete and loadable, and no half-written one", async () => {
    const out = join(root(), "run");
    const child = spawn(bun, [join(import.meta.dirname, "_kill-during-save.ts"), out], { stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(out, "saving-now")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(out, "saving-now"))).toBe(true);
    child.kill("SIGKILL");
    await exited;
    const names = await readdir(out);
    expect(names).toContain("checkpoint-1");
    expect(names).not.toContain("checkpoint-2");
    expect((await listCheckpoints(out)).map((c) => c.step)).toEqual([1]);
    const { position, optimizer } = await readTrainerState(join(out, "checkpoint-1"));
    expect(position.step).toBe(1);
    expect(Object.keys(optimizer.slots).length).toBeGreaterThan(0);
    const policy = bigramPolicy(1);
    await loadTestPolicy(policy, join(out, "checkpoint-1"));
    policy.dispose();
  });
});
