// `longpo demo --quick` end to end on the shipped M0: the report's files and schema, not its accuracy.
// This file takes minutes on the 2-core machine (every phase of the demo runs: θ sweep, four evaluations, pair
// generation, three trainings); acceptance 2 of issue 8 asks for exactly this run.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { demoCommand } from "../cli/demo-command.ts";
import { DemoSummary, shippedM0Dir } from "./run-demo.ts";

describe("longpo demo --quick", () => {
  it("runs every phase on the shipped M0 and writes the report folder", async () => {
    const out = await mkdtemp(join(tmpdir(), "demo-quick-"));
    const stdout: string[] = [];
    const stderr: string[] = [];
    try {
      const code = await demoCommand(["--quick", "--out", out, "--backend", "wasm"], {
        out: (t) => stdout.push(t),
        err: (t) => stderr.push(t),
      });
      expect(code).toBe(0);
      const report = join(out, "report");
      const summary = DemoSummary.parse(JSON.parse(await readFile(join(report, "summary.json"), "utf8")));
      expect(summary.rows.map((r) => r.model)).toEqual(expect.arrayContaining(["M0", "LongPO", "SFT", "DPO"]));
      for (const row of summary.rows) {
        expect(row.short.length).toBe(64);
        expect(row.long.length).toBe(256);
        expect(row.short.n).toBe(16); // 4 depths × 4 examples
        expect(Object.keys(row.long.byDepth)).toEqual(["12.5", "37.5", "62.5", "87.5"]);
      }
      expect(summary.config.modelDir ?? shippedM0Dir()).toBe(shippedM0Dir());
      const md = await readFile(join(report, "summary.md"), "utf8");
      expect(md).toContain("| model | RoPE θ | short (64 tok) | long (256 tok) |");
      expect(stdout.join("")).toContain("| LongPO |");
      for (const name of ["comparison", "accuracy-by-depth", "training-curves", "niah-M0", "niah-LongPO", "niah-SFT", "niah-DPO"]) {
        expect((await readFile(join(report, `${name}.svg`), "utf8")).trimStart()).toMatch(/^(<\?xml[^>]*>\s*)?<svg/);
        const png = await readFile(join(report, `${name}.png`));
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(600); // IHDR width
      }
      for (const m of ["longpo", "sft", "dpo"]) {
        const lines = (await readFile(join(report, `metrics-${m}-seed1.jsonl`), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines[0]["diag/grad_norm_nll"]).toBeGreaterThan(0); // --quick logs the diagnostics every step
      }
      const longpoRow = summary.rows.find((r) => r.model === "LongPO");
      expect(longpoRow?.seeds?.map((s) => s.seed)).toEqual([1]);
      expect(md).toMatch(/\| LongPO \| 2 \| \d+\.\d{3} \| \d+\.\d{3} \| \d+\.\d{4} \| -?\d\.\d{3} \| \d\.\d{3} \|/); // diagnostics at both steps
      expect(md).toMatch(/LongPO = the authors' objective: NLL over \[x_L ; y_S\] \+ 0\.01·pref, β 0\.01/);
      const models = await readdir(join(report, "models"));
      expect(models.length).toBe(summary.rows.length);
      for (const m of models) expect(m).toMatch(/^[A-Za-z0-9._-]+$/); // ASCII folder names (no "M0 θ×8")
      const phases = summary.phases.map((p) => p.name);
      for (const p of ["pair generation (questions, chosen, rejected, reference log-probs)", "train longpo seed 1", "train sft seed 1", "train dpo seed 1"]) {
        expect(phases).toContain(p);
      }
      const pairs = (await readFile(join(out, "pairs.jsonl"), "utf8")).trim().split("\n");
      expect(pairs.length).toBe(summary.pairs.pairs);
      expect(stderr.join("")).not.toMatch(/dropped \d+ of \d+ pairs/); // maxLength fits every (4-turn) pair
      expect(stderr.join("")).not.toMatch(/bars outside the overall plan/); // every bar moves the overall progress
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
