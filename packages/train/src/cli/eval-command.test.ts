import { mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shippedM0Dir } from "../demo/run-demo.ts";
import { writeTinyModel, runCli as run } from "./_test-fixture.ts";
import { wasmTempRoot } from "../_temp-root.ts";

const root = wasmTempRoot("longpo-eval-cli-");

interface Results { tasks: { task: string; samples: { metadata: { length: number; depth: number }; scores: { exact_match: number } }[] }[] }

describe("longpo eval --tasks world-qa", () => {
  it("prints one table row per model whose cells are the report's own exact-match means", async () => {
    const m0 = shippedM0Dir();
    const out = join(root(), "world");
    const r = await run("eval", "--model", `${m0},${m0}`, "--out", out, "--tasks", "world-qa", "--lengths", "64,128", "--depths", "25,75", "--samples", "4", "--backend", "wasm");
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain("unknown to the tokenizer"); // the world's text is M0's vocabulary
    const rows = r.out.split("\n").filter((l) => l.startsWith(`| ${m0} |`));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe(rows[1]); // the same model twice: greedy, seeded, identical
    // Recompute the cells from the first model's results.json: 8 examples (2 depths × 4) per length.
    const results = JSON.parse(await readFile(join(out, "1-m0", "results.json"), "utf8")) as Results;
    const samples = results.tasks[0]?.samples ?? [];
    expect(samples).toHaveLength(16);
    expect(new Set(samples.map((s) => s.metadata.depth))).toEqual(new Set([25, 75]));
    const cells = [64, 128].map((len) => {
      const at = samples.filter((s) => s.metadata.length === len);
      const p = at.reduce((a, s) => a + s.scores.exact_match, 0) / at.length;
      return `${(100 * p).toFixed(1)} ± ${(100 * Math.sqrt((p * (1 - p)) / at.length)).toFixed(1)} (n 8)`;
    });
    expect(rows[0]).toBe(`| ${m0} | ${cells.join(" | ")} |`);
    expect(r.out).toContain("| model | world-qa 64 tok | world-qa 128 tok |");
    expect(existsSync(join(out, "2-m0", "results.json"))).toBe(true);
  });

  it("warns once when the model cannot read the task's text", async () => {
    const tiny = join(root(), "tiny"); // passkey's filler is English prose, outside the world vocabulary
    await writeTinyModel(tiny);
    const r = await run("eval", "--model", tiny, "--out", join(root(), "tiny-eval"), "--tasks", "passkey", "--lengths", "64", "--samples", "1", "--max-new-tokens", "2", "--backend", "wasm");
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(/eval: warning: .*% of the input's \d+ tokens \(\d+\) are unknown to the tokenizer of /g)).toHaveLength(1);
  });

  it("rejects an unknown task and a depth outside [0, 100] with exit 2", async () => {
    const a = await run("eval", "--model", shippedM0Dir(), "--out", join(root(), "x"), "--tasks", "world");
    expect([a.code, a.err.trim()]).toEqual([2, 'longpo eval: Cannot evaluate: --tasks must name passkey, niah, world-qa, pair-preference, got "world"']);
    const b = await run("eval", "--model", shippedM0Dir(), "--out", join(root(), "x"), "--tasks", "world-qa", "--depths", "50,120");
    expect([b.code, b.err.trim()]).toEqual([2, 'longpo eval: Cannot evaluate: --depths must be comma-separated percentages in [0, 100], got "50,120"']);
    expect(existsSync(join(root(), "x"))).toBe(false);
  });
});

describe("commands that find no input", () => {
  it("prefgen exits 2, says what it looked for where, and writes nothing", async () => {
    const docs = join(root(), "pngs");
    await mkdir(docs, { recursive: true });
    await writeFile(join(docs, "a.png"), "x");
    await writeFile(join(docs, "b.png"), "x");
    const out = join(root(), "pairs-out");
    const r = await run("prefgen", "--model", join(root(), "nope"), "--documents", docs, "--out", out);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      `longpo prefgen: Cannot generate pairs: found no documents in ${docs} (looked for non-empty .txt and .md files in it and its subfolders; it holds 2 other files: .png ×2)`,
    );
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]); // the output lock made the folder and released it
    const empty = join(root(), "empty.jsonl");
    await writeFile(empty, "");
    const j = await run("prefgen", "--model", join(root(), "nope"), "--documents", empty, "--out", out);
    expect([j.code, j.err.trim()]).toEqual([2, `longpo prefgen: Cannot generate pairs: found no documents in ${empty} (looked for { id, text } lines with non-empty text; give a folder of .txt/.md files, a .jsonl of { id, text } lines, or one text file)`]);
  });

  it("score and train exit 2 on a pair file with no pairs", async () => {
    const tiny = join(root(), "tiny-2");
    await writeTinyModel(tiny);
    const empty = join(root(), "no-pairs.jsonl");
    await writeFile(empty, "");
    const s = await run("score", "--model", tiny, "--pairs", empty, "--out", join(root(), "scored.jsonl"), "--backend", "wasm");
    expect([s.code, s.err.trim().split("\n").at(-1)]).toEqual([2, `longpo score: Cannot score: found no pairs in ${empty} (looked for PreferencePair JSONL lines; it holds none)`]);
    const t = await run("train", "--model", tiny, "--pairs", empty, "--outputDir", join(root(), "train"), "--backend", "wasm");
    expect([t.code, t.err.trim().split("\n").at(-1)]).toEqual([2, `longpo train: Cannot train: ${empty} must hold at least one pair, got none`]);
  });
});

describe("longpo world-pairs and the pair-preference task", () => {
  it("writes M0's pairs with reference log-probs that longpo score reproduces, and scores the preference against an independent scorer", async () => {
    const out = join(root(), "wp", "pairs.jsonl");
    const r = await run("world-pairs", "--out", out, "--documents", "6", "--turns", "2", "--keep-identical", "--backend", "wasm");
    expect(r.code, r.err).toBe(0);
    const { readPreferencePairs } = await import("../trainer/preference-pairs.ts");
    const pairs = await readPreferencePairs(out);
    expect(pairs).toHaveLength(6);
    for (const p of pairs) expect(p.turns).toHaveLength(2);
    // longpo score recomputes ref_*_logps from each turn's short prompt (llamaScorer): the same numbers.
    const rescored = join(root(), "wp", "rescored.jsonl");
    expect((await run("score", "--model", shippedM0Dir(), "--pairs", out, "--out", rescored, "--backend", "wasm")).code).toBe(0);
    const again = await readPreferencePairs(rescored);
    again.forEach((p, i) => {
      expect(p.ref_chosen_logps).toBeCloseTo(pairs[i]?.ref_chosen_logps ?? Number.NaN, 3);
      expect(p.ref_rejected_logps).toBeCloseTo(pairs[i]?.ref_rejected_logps ?? Number.NaN, 3);
    });
    // pair-preference acc: share of pairs with log π(chosen | x_L) > log π(rejected | x_L) on the first turn, here
    // recomputed with llamaScorer (tokenizeDialogue + scoreSequences, a separate path from the eval adapter).
    const { llamaScorer } = await import("../adapters/llama-adapters.ts");
    const { readModelFolder, buildModel } = await import("./open-model.ts");
    const folder = await readModelFolder(shippedM0Dir());
    const model = buildModel(folder);
    const scorer = llamaScorer(model, folder.tokenizer, { name: "m0" });
    const c = await scorer.score(pairs.map((p) => ({ messages: p.prompt_long, completion: p.turns[0]?.chosen ?? "" })));
    const w = await scorer.score(pairs.map((p) => ({ messages: p.prompt_long, completion: p.turns[0]?.rejected ?? "" })));
    model.dispose();
    const distinct = pairs.map((q, i) => i).filter((i) => pairs[i]?.turns[0]?.chosen !== pairs[i]?.turns[0]?.rejected);
    expect(distinct.length).toBeGreaterThan(1); // seed 1: most of M0's chosen and rejected first answers differ
    const wins = distinct.filter((i) => (c[i]?.logprob ?? Number.NaN) > (w[i]?.logprob ?? Number.NaN)).length;
    const e = await run("eval", "--model", shippedM0Dir(), "--out", join(root(), "wp", "eval"), "--tasks", "pair-preference", "--pairs", out, "--backend", "wasm");
    expect(e.code, e.err).toBe(0);
    const n = distinct.length;
    const p = wins / n;
    expect(e.out).toContain(`| ${shippedM0Dir()} | ${(100 * p).toFixed(1)} ± ${(100 * Math.sqrt((p * (1 - p)) / n)).toFixed(1)} (n ${n}) |`);
  });
});
