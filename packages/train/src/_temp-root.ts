// Test helper: one temporary folder per test file, with the wasm backend selected, removed after the file's tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { selectBackend } from "./model/backend.ts";

/**
 * Register the file's setup and teardown; call the returned function inside tests for the folder's path.
 * @example
 * const root = wasmTempRoot("longpo-eval-cli-");
 * it("writes", async () => { await writeFile(join(root(), "a"), "x"); });
 */
export function wasmTempRoot(prefix: string): () => string {
  let root = "";
  beforeAll(async () => {
    await selectBackend("wasm");
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return () => root;
}
