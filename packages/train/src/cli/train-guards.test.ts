// longpo train's guards end to end (issue 14, items 5–7): a diverged run names a good checkpoint, a collapse is
// visible, a changed config is refused on resume, and a resume after SIGKILL passes over a damaged checkpoint.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { listCheckpoints } from "../trainer/trainer.ts";
import { worldPairs, writePairs, writeTinyModel } from "./_test-fixture.ts";
import type { CliIo } from "./cli-io.ts";
import { main } from "./main.ts";

const bin = join(import.meta.dirname, "..", "..", "..", "..", "node_modules", ".bin");
const cli = join(import.meta.dirname, "..", "cli.ts");
let root = "";
let common: string[] = [];
let vocabSize = 0;
beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-train-guards-"));
  const words = await writeTinyModel(join(root, "model"));
  vocabSize = (JSON.parse(await readFile(join(root, "model", "config.json"), "utf8")) as { vocab_size: number }).vocab_size;
  await writePairs(join(root, "pairs.jsonl"), worldPairs(words, 6));
  common = ["--model", join(root, "model"), "--pairs", join(root, "pairs.jsonl"), "--backend", "wasm", "--method", "sft",
    "--batch-size", "2", "--gradient-accumulation", "1"];
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const io: CliIo = { out: () => {}, err: (t) => void (err += t) };
  return { code: await main(argv, io), err };
}

describe("longpo train guards", () => {
  it("with --learningRate 1e30 --maxGradNorm 0, names a checkpoint whose weights give a finite loss", async () => {
    const out = join(root, "lr1e30");
    const r = await run("train", ...common, "--outputDir", out, "--learningRate", "1e30", "--maxGradNorm", "0", "--save-every", "1", "--max-steps", "6");
    expect(r.code).toBe(1);
    const last = r.err.trim().split("\n").at(-1) as string;
    const m = /the loss is NaN at step (\d+) \(the weights of (.*) gave it, set aside as (.*)\); the last good checkpoint is (.*)$/.exec(last);
    expect(m, last).not.toBeNull();
    const [, step, bad, aside, good] = m as unknown as string[];
    expect(bad).toBe(join(out, `checkpoint-${Number(step) - 1}`));
    expect(existsSync(aside as string)).toBe(true);
    expect((await listCheckpoints(out)).map((c) => c.dir)).toEqual([good]);
  });

  it("warns on stderr and in train.log when the loss sits at ln(vocab) with zero gradient, still exiting 0", async () => {
    const out = join(root, "lr1e4");
    const r = await run("train", ...common, "--outputDir", out, "--learningRate", "1e4", "--warmup-ratio", "0", "--max-steps", "8");
    expect(r.code, r.err).toBe(0);
    const lnV = Math.log(vocabSize).toFixed(4);
    const warning = r.err.split("\n").find((l) => l.startsWith("train: warning: "));
    expect(warning).toMatch(new RegExp(`^train: warning: training has collapsed at step \\d+: the NLL is ${lnV} = ln\\(${vocabSize}\\)`));
    expect(await readFile(join(out, "train.log"), "utf8")).toBe(`${(warning as string).replace(/^train: /, "")}\n`);
  });

  it("refuses --resume with a changed config (exit 2, every changed key) unless --allow-config-change", async () => {
    const out = join(root, "changed");
    const first = ["--outputDir", out, "--learning-rate", "1e-3", "--save-every", "2", "--max-steps", "4"];
    expect((await run("train", ...common, ...first)).code).toBe(0);
    await rm(join(out, "checkpoint-4"), { recursive: true });
    const changed = ["--outputDir", out, "--learning-rate", "1e-1", "--seed", "7", "--save-every", "2", "--max-steps", "4", "--resume"];
    const refused = await run("train", ...common, ...changed);
    expect(refused.code).toBe(2);
    expect(refused.err.trim().split("\n").at(-1)).toBe(
      `longpo train: Cannot resume from ${join(out, "checkpoint-2")}: the config changed: learningRate 0.001 → 0.1, seed 42 → 7 (pass --allow-config-change to accept)`,
    );
    const accepted = await run("train", ...common, ...changed, "--allow-config-change");
    expect(accepted.code, accepted.err).toBe(0);
    expect(JSON.parse(await readFile(join(out, "train_config.until-step-2.json"), "utf8"))).toMatchObject({ learningRate: 1e-3, seed: 42 });
    expect(JSON.parse(await readFile(join(out, "train_config.json"), "utf8"))).toMatchObject({ learningRate: 0.1, seed: 7 });
  });
});

/** Run the CLI in a child process; resolves with its exit code (and the signal that killed it, if any). */
function child(runtime: string[], args: string[], onSpawn?: (kill: () => void) => void): Promise<{ code: number | null; signal: string | null }> {
  const p = spawn(runtime[0] as string, [...runtime.slice(1), cli, ...args], { stdio: "ignore" });
  onSpawn?.(() => p.kill("SIGKILL"));
  return new Promise((resolve) => p.on("exit", (code, signal) => resolve({ code, signal })));
}

describe("longpo train --resume after SIGKILL", () => {
  for (const [name, runtime] of [["bun", [join(bin, "bun")]], ["deno", [join(bin, "deno"), "run", "-A"]]] as const) {
    it(`passes over a damaged newest checkpoint and ends with the losses of an uninterrupted run (${name})`, async () => {
      const args = (out: string) => ["train", ...common, "--outputDir", out, "--learning-rate", "1e-2", "--save-every", "2", "--max-steps", "60"];
      const whole = join(root, `whole-${name}`);
      expect((await child([...runtime], args(whole))).code).toBe(0);
      const killed = join(root, `killed-${name}`);
      const ended = await child([...runtime], args(killed), (kill) => {
        const poll = setInterval(() => {
          if (existsSync(join(killed, "checkpoint-6"))) {
            clearInterval(poll);
            kill();
          }
        }, 10);
      });
      expect(ended.signal).toBe("SIGKILL");
      const newest = (await listCheckpoints(killed))[0];
      expect(newest?.step).toBeGreaterThan(0);
      expect(newest!.step).toBeLessThan(60);
      // What a power cut without fsync could leave: the newest checkpoint's weights cut short.
      await truncate(join(newest!.dir, "model.safetensors"), 1000);
      const resumed = await run(...args(killed), "--resume");
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toContain(`train: warning: resume skipped ${newest!.dir}: Cannot use checkpoint file ${join(newest!.dir, "model.safetensors")}`);
      const losses = async (dir: string) => (await readFile(join(dir, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { loss: number }).loss);
      const expected = await losses(whole);
      expect(expected).toHaveLength(60);
      // The resumed steps ran here (Node) and the others in the child: equal to within float32 rounding.
      const got = await losses(killed);
      expect(got).toHaveLength(60);
      for (const [i, x] of got.entries()) expect(x).toBeCloseTo(expected[i] as number, 5);
      expect((await readdir(killed)).filter((n) => n.startsWith(".tmp"))).toEqual([]);
    }, 180_000);
  }
});
