import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { worldPairs, writePairs, writeTinyModel, runCli as run } from "./_test-fixture.ts";

let root = "";
let model = "";
let pairs = "";
beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-workers-"));
  model = join(root, "model");
  pairs = join(root, "pairs.jsonl");
  await writePairs(pairs, worldPairs(await writeTinyModel(model), 4));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("--workers", () => {
  it("refuses 0, 1.5 and 65 on every command that takes --workers, with exit 2 and one line", async () => {
    const required: Record<string, string[]> = {
      train: ["--pairs", pairs],
      score: ["--pairs", pairs, "--out", join(root, "never.jsonl")],
      eval: ["--out", join(root, "never")],
      prefgen: ["--documents", pairs, "--out", join(root, "never")],
      run: ["--documents", pairs, "--out", join(root, "never")],
      demo: ["--out", join(root, "never")],
      bootstrap: ["--out", join(root, "never")],
    };
    for (const [command, rest] of Object.entries(required)) {
      for (const [value, why] of [["0", /from 1 to 64/], ["1.5", /must be an integer/], ["65", /from 1 to 64/]] as const) {
        const modelArg = command === "bootstrap" ? [] : ["--model", model];
        const r = await run(command, ...modelArg, ...rest, "--workers", value);
        expect(r.code, `${command} --workers ${value}`).toBe(2);
        expect(r.err.trim().split("\n"), `${command} --workers ${value}`).toHaveLength(1);
        expect(r.err).toMatch(why);
      }
    }
  });

  it("trains with two workers, and the metrics match a one-worker run of the same seed", async () => {
    const args = ["train", "--model", model, "--pairs", pairs, "--backend", "wasm", "--maxSteps", "2", "--batchSize", "2", "--learningRate", "0.01", "--evalEvery", "0"];
    const two = await run(...args, "--outputDir", join(root, "two"), "--workers", "2");
    expect(two.code, two.err).toBe(0);
    expect(two.err).toMatch(/data-parallel over 2 workers/);
    const one = await run(...args, "--outputDir", join(root, "one"), "--workers", "1");
    expect(one.code, one.err).toBe(0);
    const losses = async (dir: string) =>
      (await readFile(join(root, dir, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { loss: number }).loss);
    const [a, b] = [await losses("one"), await losses("two")];
    expect(a).toHaveLength(2);
    a.forEach((x, i) => expect(b[i]).toBeCloseTo(x, 4));
  });
});
