// Exit code 2 and one naming line for bad numbers, unknown options and keys, and bad config values (issue 14, item 10).
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { parseDecimal } from "../parse-decimal.ts";
import { worldPairs, writePairs, writeTinyModel } from "./_test-fixture.ts";
import type { CliIo } from "./cli-io.ts";
import { main } from "./main.ts";

let root = "";
let model = "";
let pairs = "";
beforeAll(async () => {
  await selectBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "longpo-usage-"));
  model = join(root, "model");
  pairs = join(root, "pairs.jsonl");
  await writePairs(pairs, worldPairs(await writeTinyModel(model), 2));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  let err = "";
  const io: CliIo = { out: () => {}, err: (t) => void (err += t) };
  const code = await main(argv, io);
  return { code, lines: err.trim().split("\n") };
}

/** Expect exit 2 and a stderr of exactly one line matching `line`. */
async function expectUsageError(argv: string[], line: RegExp): Promise<void> {
  const r = await run(...argv);
  expect(r.code, r.lines.join("\n")).toBe(2);
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(line);
}

describe("parseDecimal", () => {
  it("reads decimal numbers and refuses every other form", () => {
    expect([" 12", "12", "-0.5", ".5", "3e-4", "+7", "1E3"].map(parseDecimal)).toEqual([undefined, 12, -0.5, 0.5, 3e-4, 7, 1000]);
    for (const bad of ["0x10", "0b1", "0o7", "1e", "Infinity", "-Infinity", "NaN", "", " ", "1_000", "1e400", "5 "]) {
      expect(parseDecimal(bad), bad).toBeUndefined();
    }
  });
});

describe("numeric flags", () => {
  it("exits 2 for generate --max-new-tokens -5, naming the option and its bound", async () => {
    await expectUsageError(["generate", "--model", model, "--max-new-tokens", "-5"], /^longpo generate: option --max-new-tokens must be at least 1, got -5$/);
  });

  it("refuses hex, a bare exponent, Infinity and an empty value for declared numeric options", async () => {
    for (const raw of ["0x10", "1e", "Infinity", ""]) {
      await expectUsageError(["generate", "--model", model, "--temperature", raw], new RegExp(`^longpo generate: option --temperature must be a decimal number, got "${raw}"$`));
    }
  });

  it("refuses hex and other non-decimal forms for training config flags, writing nothing", async () => {
    const dir = join(root, "never");
    for (const raw of ["0x10", "1e", "Infinity", ""]) {
      await expectUsageError(["train", "--model", model, "--pairs", pairs, "--outputDir", dir, "--learningRate", raw],
        new RegExp(`^longpo train: Cannot apply override --learningRate: it must be a decimal number, got "${raw}"$`));
    }
    await expect(readdir(dir)).rejects.toThrow();
  });
});

describe("config errors name where the bad value came from", () => {
  it("names the config file for a bad value read from it, and the flag for a bad value given as one", async () => {
    const cfg = join(root, "neg-beta.json");
    await writeFile(cfg, JSON.stringify({ beta: -1 }));
    await expectUsageError(["train", "--model", model, "--pairs", pairs, "--config", cfg],
      new RegExp(`^longpo train: Cannot read training config: beta .* \\(from config file ${cfg}\\)$`));
    await expectUsageError(["train", "--model", model, "--pairs", pairs, "--config", cfg, "--beta", "-2"],
      /^longpo train: Cannot read training config: beta .* \(from the flag --beta -2\)$/);
  });

  it("names the demo config file or the flag", async () => {
    const cfg = join(root, "demo.json");
    await writeFile(cfg, JSON.stringify({ shortLength: 0 }));
    await expectUsageError(["demo", "--config", cfg], new RegExp(`^longpo demo: Cannot read demo config: shortLength .* \\(from config file ${cfg}\\)$`));
    await expectUsageError(["demo", "--pair-seed", "-1"], /^longpo demo: Cannot read demo config: pairSeed .* \(from the flag --pair-seed\)$/);
    await expectUsageError(["demo", "--train-seeds", "1,x"], /^longpo demo: Cannot read --train-seeds: it must be comma-separated non-negative integers, got "1,x"$/);
    await writeFile(cfg, JSON.stringify({ shortLenght: 64 }));
    await expectUsageError(["demo", "--config", cfg], new RegExp(`^longpo demo: Cannot read demo config: unknown key "shortLenght" \\(did you mean "shortLength"\\?\\) in config file ${cfg}$`));
  });
});

describe("did you mean", () => {
  it("suggests the closest option of a command", async () => {
    await expectUsageError(["generate", "--model", model, "--temprature", "1"],
      /^longpo generate: unknown option --temprature \(did you mean --temperature\? see longpo generate --help\)$/);
  });

  it("suggests the closest training config key, for a flag and for a key of the config file", async () => {
    await expectUsageError(["train", "--model", model, "--pairs", pairs, "--lerningRate", "1e-3"],
      /^longpo train: unknown option --lerningRate \(did you mean --learningRate\? see longpo train --help\)$/);
    // A declared option mistyped among the config keys: the suggestion draws on both.
    await expectUsageError(["train", "--model", model, "--pairs", pairs, "--resme"],
      /^longpo train: unknown option --resme \(did you mean --resume\? see longpo train --help\)$/);
    await expectUsageError(["run", "--model", model, "--documents", pairs, "--out", join(root, "never-run"), "--seeed", "1"],
      /^longpo run: unknown option --seeed \(did you mean --seed\? see longpo run --help\)$/);
    const cfg = join(root, "warmup.json");
    await writeFile(cfg, JSON.stringify({ warmup: 3 }));
    await expectUsageError(["train", "--model", model, "--pairs", pairs, "--config", cfg],
      new RegExp(`^longpo train: Cannot read training config: unknown key "warmup" \\(did you mean "warmupRatio"\\?\\) in config file ${cfg}$`));
  });
});

describe("longpo bootstrap --recipe", () => {
  it("exits 2 with one line naming an unknown key, at the top level, nested, or among the train fields", async () => {
    const cases: [object, RegExp][] = [
      [{ seeed: 1 }, /unknown key "seeed" \(did you mean "seed"\?\)$/],
      [{ data: { copyy: 0.5 } }, /unknown key "copyy" \(did you mean "copy"\?\) in data$/],
      [{ train: { lerningRate: 0.1 } }, /in train, unknown key "lerningRate" \(did you mean "learningRate"\?\)$/],
      [{ dialogues: -3 }, /dialogues Too small/],
    ];
    for (const [i, [recipe, line]] of cases.entries()) {
      const file = join(root, `recipe-${i}.json`);
      await writeFile(file, JSON.stringify(recipe));
      const out = join(root, `m0-${i}`);
      await expectUsageError(["bootstrap", "--recipe", file, "--out", out, "--backend", "wasm"], new RegExp(`^longpo bootstrap: Cannot read M0 recipe ${file}: ${line.source}`));
      await expect(readdir(out)).rejects.toThrow(); // nothing written
    }
  });
});
