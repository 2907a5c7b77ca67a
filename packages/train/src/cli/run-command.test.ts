import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./cli-io.ts";
import { main } from "./main.ts";
import { wasmTempRoot } from "../_temp-root.ts";

const assets = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "assets");
const stories = join(assets, "stories260K");
const haveAssets = existsSync(join(stories, "stories260K.bin")) && existsSync(join(assets, "haystack", "tinyshakespeare.txt"));
if (!haveAssets) console.warn(`longpo run test: ${stories} is missing; the end-to-end run is not exercised`);

const root = wasmTempRoot("longpo-run-");

const io = (log: string[]): CliIo => ({ out: (t) => void log.push(t), err: (t) => void log.push(t) });

describe.runIf(haveAssets)("longpo run on stories260K", () => {
  it("converts, then runs one stage of prefgen → train → eval and writes pairs, a checkpoint, metrics and a report", async () => {
    const log: string[] = [];
    const model = join(root(), "stories260K");
    expect(await main(["convert-llama2c", "--model", join(stories, "stories260K.bin"), "--tokenizer", join(stories, "tok512.bin"), "--out", model], io(log))).toBe(0);
    const paragraphs = (await readFile(join(assets, "haystack", "tinyshakespeare.txt"), "utf8")).split("\n\n").filter((p) => p.length > 80);
    const docs = [0, 1, 2].map((d) => JSON.stringify({ id: `doc-${d}`, text: paragraphs.slice(d * 6, d * 6 + 6).join("\n\n") }));
    await writeFile(join(root(), "docs.jsonl"), `${docs.join("\n")}\n`);
    await writeFile(join(root(), "questions.txt"), "Who is speaking?\nWhat do they want?\nWhere are they?\nWhat happens next?\n");
    const out = join(root(), "run");
    const code = await main([
      "run", "--model", model, "--documents", join(root(), "docs.jsonl"), "--out", out, "--questions", join(root(), "questions.txt"),
      "--chunk-tokens", "64", "--max-new-tokens", "16", "--keep-truncated", "--backend", "wasm",
      "--max-steps", "2", "--batch-size", "1", "--gradient-accumulation", "1", "--learning-rate", "1e-4", "--eval-samples", "1",
    ], io(log));
    expect(code, log.join("")).toBe(0);
    const stage = join(out, "stage-1");
    const pairs = (await readFile(join(stage, "prefgen", "pairs.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { ref_chosen_logps: number });
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((p) => Number.isFinite(p.ref_chosen_logps))).toBe(true);
    const train = await readdir(join(stage, "train"));
    expect(train).toEqual(expect.arrayContaining(["checkpoint-2", "model", "metrics.jsonl"]));
    expect(await readdir(join(stage, "train", "checkpoint-2"))).toEqual(expect.arrayContaining(["model.safetensors", "trainer_state.json", "optimizer.bin", "tokenizer.json"]));
    expect((await readFile(join(stage, "train", "metrics.jsonl"), "utf8")).trim().split("\n")).toHaveLength(2);
    const evalFiles = await readdir(join(stage, "eval"));
    expect(evalFiles).toEqual(expect.arrayContaining(["results.json", "results.md", "score-vs-length.svg"]));
    for (const svg of evalFiles.filter((f) => f.endsWith(".svg"))) expect(evalFiles).toContain(svg.replace(/\.svg$/, ".png")); // a PNG beside each SVG
    const results = JSON.parse(await readFile(join(stage, "eval", "results.json"), "utf8")) as { tasks: { task: string; status: string }[] };
    expect(results.tasks.map((t) => [t.task, t.status])).toEqual([["passkey", "completed"]]);
    const run = JSON.parse(await readFile(join(out, "run.json"), "utf8")) as { stages: { pairs: number }[] };
    expect(run.stages[0]?.pairs).toBe(pairs.length);
  });
});

describe.runIf(haveAssets)("longpo generate on stories260K", () => {
  it("prints the llama2.c reference text from BOS alone, greedily", async () => {
    const sources = await readFile(join(assets, "SOURCES.md"), "utf8");
    const reference = /Reference behaviour[\s\S]*?```\n([\s\S]*?)\n```/.exec(sources)?.[1];
    expect(reference?.startsWith("Once upon a time")).toBe(true); // the reference block was found in SOURCES.md
    const model = join(root(), "stories260K-gen");
    const log: string[] = [];
    expect(await main(["convert-llama2c", "--model", join(stories, "stories260K.bin"), "--tokenizer", join(stories, "tok512.bin"), "--out", model], io(log))).toBe(0);
    let out = "";
    // llama2.c's 200 positions (BOS first) print 200 predicted tokens; with 199 the final " she" is missing,
    // so issue 3's "--max-new-tokens 199" is one short.
    const code = await main(["generate", "--model", model, "--max-new-tokens", "200", "--temperature", "0", "--backend", "wasm"], {
      out: (t) => void (out += t),
      err: () => {},
    });
    expect(code).toBe(0);
    expect(out.trimEnd()).toBe(reference);
  });
});
