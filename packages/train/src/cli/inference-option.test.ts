// `--inference`: the engine of scoring and generation, chosen at run time; both engines print the same text.
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../model/backend.ts";
import { runCli as run } from "./_test-fixture.ts";

const m0 = fileURLToPath(new URL("../../models/m0", import.meta.url));

describe("longpo --inference", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("generates the same greedy text from M0 on the native and the TF.js engine", async () => {
    const args = ["generate", "--model", m0, "--prompt", "where does the baker live ?", "--chat", "--max-new-tokens", "12", "--temperature", "0", "--backend", "wasm"];
    const native = await run(...args, "--inference", "native");
    const tfjs = await run(...args, "--inference", "tfjs");
    expect(native.code).toBe(0);
    expect(tfjs.code).toBe(0);
    expect(native.out.trim().length).toBeGreaterThan(0);
    expect(native.out).toBe(tfjs.out);
  });

  it("rejects an unknown engine with exit code 2 and one line", async () => {
    const r = await run("generate", "--model", m0, "--inference", "onnx");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n").at(-1)).toBe('longpo generate: Cannot select inference engine: --inference must be one of auto, native, tfjs, got "onnx"');
  });
});
