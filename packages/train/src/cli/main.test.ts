import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { readMetricsJsonl } from "@longpo/eval";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { worldPairs, writePairs, writeTinyModel, runCli as run } from "./_test-fixture.ts";

let root = "";
let model = "";
let pairs = "";
let vocabulary: readonly string[] = [];
beforeAll(async () => {
  await selectBackend("wasm");
  root = await mkdtemp(join(tmpdir(), "longpo-cli-"));
  model = join(root, "model");
  pairs = join(root, "pairs.jsonl");
  vocabulary = await writeTinyModel(model);
  await writePairs(pairs, worldPairs(vocabulary, 6));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("longpo", () => {
  it("prints help for the tool and every subcommand, exiting 0", async () => {
    const top = await run("--help");
    expect(top.code).toBe(0);
    const names = [...top.out.matchAll(/^ {2}([a-z0-9-]+) {2}/gm)].map((m) => m[1] as string);
    expect(names).toEqual(expect.arrayContaining(["train", "generate"]));
    for (const name of names) {
      const h = await run(name, "--help");
      expect(h.code).toBe(0);
      expect(h.out).toMatch(new RegExp(`^longpo ${name}: `));
    }
  });

  it("rejects an unknown command and an unknown option with exit code 2 and one line", async () => {
    const a = await run("trian");
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/^longpo: unknown command "trian"/);
    const b = await run("generate", "--model", model, "--temprature", "1");
    expect(b.code).toBe(2);
    expect(b.err.trim().split("\n")).toEqual(["longpo generate: unknown option --temprature (did you mean --temperature? see longpo generate --help)"]);
  });
});

describe("longpo train: bad input", () => {
  const out = () => join(root, `never-${Math.random().toString(36).slice(2)}`);

  it("names the line of a malformed pair file, exits 2 and writes nothing", async () => {
    const bad = join(root, "bad.jsonl");
    await writeFile(bad, `${(await readFile(pairs, "utf8")).split("\n")[0]}\n{"id": 3}\n`);
    const dir = out();
    const r = await run("train", "--model", model, "--pairs", bad, "--outputDir", dir, "--backend", "wasm");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n").at(-1)).toMatch(/^longpo train: Cannot read .*bad\.jsonl: line 2 does not match the schema/);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it("rejects an unknown config key and an impossible value, writing nothing", async () => {
    const cfg = join(root, "cfg.json");
    await writeFile(cfg, JSON.stringify({ beta: 0.1, warmup: 3 }));
    const dir = out();
    const a = await run("train", "--model", model, "--pairs", pairs, "--config", cfg, "--outputDir", dir);
    expect(a.code).toBe(2);
    expect(a.err.trim()).toBe(`longpo train: Cannot read training config: unknown key "warmup" (did you mean "warmupRatio"?) in config file ${cfg}`); // one line, nothing else
    const b = await run("train", "--model", model, "--pairs", pairs, "--beta", "-1", "--outputDir", dir);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^longpo train: Cannot read training config: beta /m);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it("names a missing model folder", async () => {
    const r = await run("train", "--model", join(root, "nope"), "--pairs", pairs, "--outputDir", out());
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n").at(-1)).toBe(`longpo train: Cannot open model: folder ${join(root, "nope")} does not exist`);
  });
});

describe("longpo train", () => {
  it("trains LongPO on the tiny model and writes metrics, a checkpoint and the model folder", async () => {
    const dir = join(root, "run");
    const r = await run("train", "--model", model, "--pairs", pairs, "--outputDir", dir, "--backend", "wasm",
      "--max-steps", "3", "--batch-size", "2", "--gradient-accumulation", "1", "--learning-rate", "1e-3", "--save-every", "2");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/override maxSteps = 3/);
    const files = await readdir(dir);
    expect(files).toEqual(expect.arrayContaining(["metrics.jsonl", "model", "checkpoint-2", "checkpoint-3", "train_config.json"]));
    expect((await readdir(join(dir, "model"))).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    const lines = await readMetricsJsonl(join(dir, "metrics.jsonl"));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    for (const key of ["loss", "nll", "rewards/chosen", "rewards/accuracies", "logps/chosen", "grad_norm", "learning_rate", "tokens_per_second"]) {
      expect(Number.isFinite(lines[0]?.[key])).toBe(true);
    }
    // The reference log-probs were cached beside the data; a second run reads them instead of computing.
    expect((await readdir(root)).some((n) => /^pairs\.jsonl\.ref-[0-9a-f]{16}\.json$/.test(n))).toBe(true);
    const again = await run("train", "--model", model, "--pairs", pairs, "--outputDir", join(root, "run2"), "--backend", "wasm", "--max-steps", "1");
    expect(again.err).toMatch(/6 from .*\.ref-[0-9a-f]{16}\.json, 0 computed/);
  });
});

describe("longpo train --evalEvery", () => {
  it("evaluates the live policy every k steps and logs eval/* lines in metrics.jsonl", async () => {
    const dir = join(root, "with-eval");
    const r = await run("train", "--model", model, "--pairs", pairs, "--outputDir", dir, "--backend", "wasm",
      "--max-steps", "2", "--batch-size", "2", "--gradient-accumulation", "1", "--eval-every", "1", "--eval-lengths", "64");
    expect(r.code, r.err).toBe(0);
    const lines = await readMetricsJsonl(join(dir, "metrics.jsonl"));
    const evals = lines.filter((l) => Object.keys(l).some((k) => k.startsWith("eval/")));
    expect(evals.map((l) => l.step)).toEqual([1, 2]);
    for (const l of evals) expect(l["eval/passkey/string_match_part"]).toBeGreaterThanOrEqual(0);
  });
});

describe("longpo train --resume", () => {
  it("continues a run from its last checkpoint with the losses of the uninterrupted run", async () => {
    const common = ["--model", model, "--pairs", pairs, "--backend", "wasm", "--max-steps", "4", "--batch-size", "2",
      "--gradient-accumulation", "1", "--learning-rate", "1e-2", "--save-every", "2", "--warmup-ratio", "0.25"];
    const whole = join(root, "whole");
    expect((await run("train", ...common, "--outputDir", whole)).code).toBe(0);
    const cut = join(root, "cut");
    expect((await run("train", ...common, "--outputDir", cut)).code).toBe(0);
    // Pretend the run died after checkpoint-2: drop what came later, then resume.
    await rm(join(cut, "checkpoint-4"), { recursive: true });
    await rm(join(cut, "model"), { recursive: true });
    const resumed = await run("train", ...common, "--outputDir", cut, "--resume");
    expect(resumed.code, resumed.err).toBe(0);
    const losses = async (dir: string) =>
      (await readMetricsJsonl(join(dir, "metrics.jsonl"))).map((l) => l.loss);
    expect(await losses(cut)).toEqual(await losses(whole));
    expect(await losses(cut)).toHaveLength(4);
  });
});

describe("longpo compress and score", () => {
  it("writes token-bounded chunks of a document", async () => {
    const doc = join(root, "doc.txt");
    await writeFile(doc, Array.from({ length: 6 }, (_, i) => vocabulary.slice(20 + i * 5, 25 + i * 5).join(" ")).join("\n\n"));
    const out = join(root, "chunks.jsonl");
    const r = await run("compress", "--model", model, "--input", doc, "--out", out, "--max-tokens", "12");
    expect(r.code, r.err).toBe(0);
    const chunks = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { tokens: number; index: number });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(12);
  });

  it("fills the reference log-probs of a pair file", async () => {
    const out = join(root, "scored.jsonl");
    const r = await run("score", "--model", model, "--pairs", pairs, "--out", out, "--backend", "wasm");
    expect(r.code, r.err).toBe(0);
    const scored = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { ref_chosen_logps: number; ref_rejected_logps: number });
    expect(scored).toHaveLength(6);
    for (const p of scored) {
      expect(p.ref_chosen_logps).toBeLessThan(0);
      expect(p.ref_rejected_logps).toBeLessThan(0);
    }
  });
});

describe("longpo run", () => {
  it("runs two stages, the second on the first's trained model with chunks twice as long", async () => {
    const docs = join(root, "world-docs.jsonl");
    const doc = (d: number) => Array.from({ length: 8 }, (_, p) => vocabulary.slice(30 + d * 40 + p * 5, 35 + d * 40 + p * 5).join(" ")).join("\n\n");
    await writeFile(docs, [0, 1].map((d) => `${JSON.stringify({ id: `d${d}`, text: doc(d) })}\n`).join(""));
    const questions = join(root, "world-questions.txt");
    await writeFile(questions, `${vocabulary.slice(10, 14).join("\n")}\n`);
    const out = join(root, "evolve");
    const r = await run("run", "--model", model, "--documents", docs, "--out", out, "--questions", questions, "--stages", "2",
      "--chunk-tokens", "8", "--length-factor", "2", "--max-new-tokens", "4", "--keep-truncated", "--backend", "wasm",
      "--max-steps", "1", "--batch-size", "1", "--gradient-accumulation", "1", "--eval-lengths", "64");
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(await readFile(join(out, "run.json"), "utf8")) as { stages: { model: string; chunkTokens: number; trainedModel: string }[] };
    expect(summary.stages.map((s) => s.chunkTokens)).toEqual([8, 16]);
    expect(summary.stages[1]?.model).toBe(summary.stages[0]?.trainedModel);
    expect(summary.stages[0]?.trainedModel).toBe(join(out, "stage-1", "train", "model"));
  });
});
